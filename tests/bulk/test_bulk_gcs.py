"""gs:// everywhere: the archive, the model and the outputs in a real Cloud Storage emulator.

Beam's own GCS I/O reads the archive and writes the outputs; the model comes through the function's
store.fetch. Both go to the emulator through STORAGE_EMULATOR_HOST (bulk.gcs says what Beam needs).
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.bulk.helpers import DEAD, FIXTURES, READ, Run, client, run, upload
from tests.support import MODEL

BUCKET = "archive"


def test_archive_model_and_outputs_in_cloud_storage(local_run: Run, emulator: str, tmp_path: Path):
    client_ = client(emulator)
    upload(client_, BUCKET, FIXTURES, "in")
    upload(client_, BUCKET, MODEL, "models/fast")
    cache = tmp_path / "cache"
    done = run(f"gs://{BUCKET}/out/scores.jsonl", f"gs://{BUCKET}/in/",
               "--model", f"gs://{BUCKET}/models/fast/",
               env={"STORAGE_EMULATOR_HOST": emulator, "MODEL_CACHE_DIR": str(cache)})
    assert done.returncode == 0, done.stderr

    bucket = client_.bucket(BUCKET)
    counts = json.loads(bucket.blob("out/scores.counts.json").download_as_text())
    assert (counts["read"], counts["dead_by_reason"], counts["adds_up"]) == (READ, DEAD, True)
    scores = [json.loads(line) for line in bucket.blob("out/scores.jsonl").download_as_text().splitlines()]
    dead = bucket.blob("out/scores.dead.jsonl").download_as_text().splitlines()
    assert (len(scores), len(dead)) == (counts["scored"], counts["dead_lettered"])

    local = {row["id"].replace("tests/fixtures/bulk/", ""): row["score"] for row in local_run.scores}
    remote = {row["id"].replace(f"gs://{BUCKET}/in/", ""): row["score"] for row in scores}
    assert remote.keys() == local.keys()
    assert all(abs(remote[key] - local[key]) <= 1e-6 for key in local)
    assert [p.name for p in cache.iterdir() if not p.name.startswith(".")]  # the verified download
