"""python -m bulk's options: a typo is refused with the nearest option and exit 2 (Beam alone
would warn "Discarding unparseable args" and run without it), Beam's own options pass through,
docs/bulk.md shows what bulk prints, and `make bulk-venv` reads bulk/bulk.mk without warnings."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from tests.bulk.helpers import BULK_PYTHON, ROOT, make_venv, run


@pytest.mark.parametrize(("args", "message"), [
    (["--treshold=0.9"], "unknown option --treshold: did you mean --threshold?"),
    (["--treshold", "0.9"], "unknown option --treshold: did you mean --threshold?"),
    (["--batchsize=8"], "unknown option --batchsize: did you mean --batch-size?"),
    (["--temp-location=/tmp/t"], "unknown option --temp-location: did you mean --temp_location?"),  # Beam's
    (["--colour=red"], "unknown option --colour: neither bulk's nor one of Beam's pipeline options"),
])
def test_an_unknown_option_is_refused_with_the_nearest_one(tmp_path: Path, args: list[str], message: str):
    done = run(tmp_path / "scores.jsonl", "tests/fixtures/bulk", *args)
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines()[-1] == f"python -m bulk: error: {message}"
    assert "Traceback" not in done.stderr and not list(tmp_path.iterdir())  # nothing ran


def test_beams_own_options_pass_through_to_beam():
    """Parsed by bulk, then read back by Beam's own PipelineOptions, as the pipeline gets them."""
    make_venv()
    beam = ["--temp_location=/tmp/bulk-temp", "--experiments=use_runner_v2", "--job_name=scam-1", "--no_auth"]
    script = ("import json, pathlib, sys; from bulk.__main__ import parse_args, pipeline_options\n"
              "args, beam = parse_args(sys.argv[1:])\n"
              "options = pipeline_options(args, beam, pathlib.Path('.')).get_all_options()\n"
              "print(json.dumps([beam, {k: options[k] for k in "
              "('temp_location', 'experiments', 'job_name', 'no_auth', 'runner')}]))")
    done = subprocess.run([str(BULK_PYTHON), "-c", script, "tests/fixtures/bulk", "--output", "x.jsonl",
                           "--threshold=0.7", *beam], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    passed, seen = json.loads(done.stdout)
    assert passed == beam
    assert seen == {"temp_location": "/tmp/bulk-temp", "experiments": ["use_runner_v2"], "job_name": "scam-1",
                    "no_auth": True, "runner": "DirectRunner"}
    assert "Discarding unparseable args" not in done.stderr


def test_the_documented_typo_prints_what_docs_bulk_md_shows(tmp_path: Path):
    page = (ROOT / "docs" / "bulk.md").read_text(encoding="utf-8")
    (command, shown), = re.findall(r"```console\n\$ (.*--treshold.*)\n(.*)\n```", page)
    make_venv()
    done = subprocess.run(["bash", "-c", command], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == shown


@pytest.mark.parametrize("command", [["make", "-n", "bulk-venv"],
                                     ["make", "-n", "-f", "Makefile", "-f", "bulk/bulk.mk", "bulk-venv"],
                                     ["make", "-n", "-f", "bulk/bulk.mk", "bulk-venv"]])
def test_make_reads_bulk_mk_without_warnings(command: list[str]):
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "warning" not in done.stderr.lower(), done.stderr
