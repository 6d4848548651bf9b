"""The bulk tests' shared fixtures: the fixture archive scored once on DirectRunner (one worker), and
a Cloud Storage emulator."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bench import gcs
from tests.bulk.helpers import Run, read_run, run


@pytest.fixture(scope="session")
def local_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    folder = tmp_path_factory.mktemp("bulk-local")
    done = run(folder / "scores.jsonl", "tests/fixtures/bulk")
    assert done.returncode == 0, done.stderr
    return read_run(done, folder)


@pytest.fixture(scope="session")
def emulator() -> Iterator[str]:
    """A real gcp-storage-emulator on 127.0.0.1, in memory (its URL)."""
    with gcs.emulator(prefix=()) as url:
        yield url
