# Two commands for a new user: `make run` and `make test`. Everything installs itself.
PYTHON ?= python3
VENV   ?= .venv
PORT   ?= 8080
BIN    := $(VENV)/bin

.PHONY: help run test test-fast lint model model-minilm adapt bench soak clean

## help: this list
help:
	@sed -n 's/^## //p' $(MAKEFILE_LIST)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.fast: requirements.txt requirements-fast.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-fast.txt
	touch $@

$(VENV)/.test: requirements.txt requirements-fast.txt requirements-train.txt requirements-bench.txt \
		requirements-test.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-test.txt
	touch $@

## run: serve the committed model on http://localhost:$(PORT) (POST /predict)
run: $(VENV)/.runtime
	@echo "scam check: listening on http://localhost:$(PORT) (POST /predict, the page at /);" \
	  "the model loads on the first request; Ctrl-C stops"
	$(BIN)/functions-framework --source main.py --target predict --port $(PORT)

# Tiers are folders (pyproject.toml). Property tests run derandomized here: a push never fails on
# luck; `make soak` keeps the random search.
FAST_TIERS := tests/unit tests/app
TESTS_ENV  := HYPOTHESIS_PROFILE=derandomized

## test-fast: the in-process tiers (tests/unit, tests/app), installing only what they need; seconds
test-fast: $(VENV)/.fast
	$(TESTS_ENV) $(BIN)/python -m pytest -q $(FAST_TIERS)

## test: lint, the fast tiers, then training (export, bulk), the tests with real processes and the
## container (installs Debian's chromium and wrk if missing); pytest prints each tier's time
test: $(VENV)/.test
	$(BIN)/ruff check .
	@command -v chromium >/dev/null && command -v wrk >/dev/null || { apt-get update -q && apt-get install -y -q chromium wrk; }
	$(TESTS_ENV) $(BIN)/python -m pytest $(FAST_TIERS)
	$(MAKE) --no-print-directory -f bulk/bulk.mk bulk-venv
	$(TESTS_ENV) $(BIN)/python -m pytest tests/training tests/bulk tests/e2e
	scripts/container-test.sh

lint: $(VENV)/.test
	$(BIN)/ruff check .

CORPORA ?= ../shared/data/corpora .cache/corpora-fetched
## model: rebuild model/ (the default, trained only on sources that allow commercial use),
## model-noncommercial/ (not committed: phishing_pot too) and docs/model.md from SpamAssassin (npm),
## the generated messages and the corpora in CORPORA (folders of <source>/<source>.jsonl; default
## ../shared/data/corpora and .cache/corpora-fetched, which `python -m export.gather` rebuilds from
## mirrors of the pinned repositories: docs/model.md lists each; CORPORA= builds without them)
model: $(VENV)/.test check-corpora
	$(BIN)/python -m export --model fast $(foreach c,$(CORPORA),--corpus $(c))
	$(BIN)/python -m export --model fast --noncommercial --out model-noncommercial \
	  $(foreach c,$(CORPORA),--corpus $(c))
	$(BIN)/python -m export.card

## model-minilm: rebuild model-minilm/ (the transformer: frozen MiniLM + a fitted head) from the same
## CORPORA, then docs/model.md; it refuses to write an artifact that fails its int8 gate
model-minilm: $(VENV)/.test check-corpora
	$(BIN)/python -m export --model minilm $(foreach c,$(CORPORA),--corpus $(c))
	$(BIN)/python -m export.card

.PHONY: check-corpora
check-corpora:
	@for c in $(CORPORA); do test -d "$$c" || { echo "make: no corpora at $$c: pass CORPORA='PATH ...' \
	(folders of <source>/<source>.jsonl; docs/model.md lists each source, where it comes from and its \
	licence), or CORPORA= to build from SpamAssassin and the generated messages alone"; exit 2; }; done

MAX_FALSE_ALARMS ?= 1%
BASE ?= model
## adapt: fit the model to your own mail (docs/adapt.md): make adapt MAIL=DIR OUT=DIR, DIR holding legit/
## and scam/; BASE=model, MAX_FALSE_ALARMS=1% (legit mail the threshold may flag), ADAPT_ARGS=--threshold-only
adapt: $(VENV)/.test
	@test -n "$(MAIL)" -a -n "$(OUT)" || { echo "make adapt: pass MAIL=DIR (a folder with legit/ and scam/) \
	and OUT=DIR (where the adapted artifact goes); docs/adapt.md"; exit 2; }
	$(BIN)/python -m export.adapt --mail "$(MAIL)" --out "$(OUT)" --base "$(BASE)" \
	  --max-false-alarms "$(MAX_FALSE_ALARMS)" $(ADAPT_ARGS)

## bench: function (lazy) vs container (eager) vs the seed, both models, ~10 min; BENCH_ARGS=--quick for a smoke run
bench: $(VENV)/.test
	@command -v wrk >/dev/null || { apt-get update -q && apt-get install -y -q wrk; }
	timeout 20m $(BIN)/python -m bench $(BENCH_ARGS)

## soak: the long hardening tests (fuzzing, 3 x 20,000 requests, faults); rewrites docs/reliability.md
soak: $(VENV)/.test
	@command -v wrk >/dev/null || { apt-get update -q && apt-get install -y -q wrk; }
	$(BIN)/python -m bench.soak

include bulk/bulk.mk

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
