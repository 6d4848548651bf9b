# Scoring archives on Apache Beam: its own venv (in the git-ignored .cache/), since Beam pins its
# own dependency ranges and the function's requirements.txt never gets Beam. The Makefile includes
# this file: `make bulk-venv`, `make bulk-test`, `make bench-bulk` (or `make -f bulk/bulk.mk ...` alone).
# Read once however often it is named (make -f Makefile -f bulk/bulk.mk): no overriding recipes.
ifndef BULK_MK_READ
BULK_MK_READ := 1
PYTHON    ?= python3
BULK_VENV ?= .cache/venv-bulk

.PHONY: bulk-venv bulk-test bench-bulk

$(BULK_VENV)/.done: requirements-bulk.txt requirements.txt
	test -x $(BULK_VENV)/bin/python || $(PYTHON) -m venv $(BULK_VENV)
	$(BULK_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BULK_VENV)/bin/python -m pip install --quiet -r requirements-bulk.txt
	touch $@

## bulk-venv: the Beam venv (.cache/venv-bulk) that python -m bulk runs in
bulk-venv: $(BULK_VENV)/.done

## bulk-test: the bulk tests (DirectRunner on fixture archives, parity with the real function)
bulk-test: $(BULK_VENV)/.done .venv/.test
	.venv/bin/python -m pytest tests/bulk -q

## bench-bulk: messages/s on DirectRunner (1 and 2 workers) vs the function at batch 64; docs/bulk.md
bench-bulk: $(BULK_VENV)/.done .venv/.test
	$(BULK_VENV)/bin/python -m bulk.bench $(BULK_BENCH_ARGS)
endif
