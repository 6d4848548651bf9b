"""--runner=DataflowRunner, as far as it goes without Google: with --template_location Beam stages
everything and writes the job instead of submitting it, here into the Cloud Storage emulator.
The staged job shows how workers get the code (bulk's wheel) and where they fetch the model."""

from __future__ import annotations

import base64
import bz2
import json
import re
from pathlib import Path

from tests.bulk.helpers import FIXTURES, build_wheel, client, run, upload
from tests.support import MODEL

BUCKET = "bulk-runs"  # Dataflow checks bucket names and project ids, so both look real
MODEL_URI = f"gs://{BUCKET}/models/fast/"
PICKLED = re.compile(rb"QlpoOTFBWSZ[A-Za-z0-9+/]+=*")  # Beam's pickled DoFns: base64 of bz2 ("BZh91AY&SY")


def test_a_dataflow_job_stages_the_wheel_and_names_the_model(emulator: str, tmp_path: Path):
    store = client(emulator)
    upload(store, BUCKET, MODEL, "models/fast")
    upload(store, BUCKET, FIXTURES / "eml", "in")
    template = f"gs://{BUCKET}/templates/bulk.json"
    done = run(f"gs://{BUCKET}/out/scores.jsonl", f"gs://{BUCKET}/in/", "--model", MODEL_URI,
               "--runner=DataflowRunner", "--project=my-project", "--region=europe-west1",
               f"--temp_location=gs://{BUCKET}/tmp", f"--template_location={template}", "--no_auth",
               env={"STORAGE_EMULATOR_HOST": emulator, "MODEL_CACHE_DIR": str(tmp_path / "cache")})
    assert done.returncode == 0, done.stderr
    assert f"Dataflow template written to {template}" in done.stderr

    bucket = store.bucket(BUCKET)
    job = json.loads(bucket.blob("templates/bulk.json").download_as_text())
    (pool,) = job["environment"]["workerPools"]
    staged = {p["name"]: p["location"] for p in pool["packages"]}
    wheel = "scam_bulk-0.1.0-py3-none-any.whl"
    assert wheel in staged
    assert "beam_python3.11_sdk:" in pool["sdkHarnessContainerImages"][0]["containerImage"]
    prefix = staged[wheel].split(f"{BUCKET}/", 1)[1].rsplit("/", 1)[0]
    local = build_wheel(tmp_path / "wheel").read_bytes()
    assert bucket.blob(f"{prefix}/{wheel}").download_as_bytes() == local  # the code workers install
    graph = bucket.blob(f"{prefix}/pipeline.pb").download_as_bytes()
    dofns = [bz2.decompress(base64.b64decode(b)) for b in PICKLED.findall(graph)]
    assert [d for d in dofns if b"ScamModelHandler" in d and MODEL_URI.encode() in d]  # workers fetch it
    assert not bucket.blob("out/scores.jsonl").exists()  # staged, not run
