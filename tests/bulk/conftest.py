"""The bulk tests' shared run: the fixture archive scored once on DirectRunner, one worker."""

from __future__ import annotations

import pytest

from tests.bulk.helpers import Run, make_venv, read_run, run


@pytest.fixture(scope="session")
def local_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    make_venv()
    folder = tmp_path_factory.mktemp("bulk-local")
    done = run(folder / "scores.jsonl", "tests/fixtures/bulk")
    assert done.returncode == 0, done.stderr
    return read_run(done, folder)
