"""deploy.sh, .gcloudignore and service.yaml with the real gcloud CLI, offline.

gcloud talks to tests/gcloud_recorder.py, a stand-in for Google's APIs on 127.0.0.1; the tests
assert on the API requests gcloud sent (runtime, entry point, limits, environment, the uploaded
source) and `./deploy.sh call` reaches the project's real function served on 127.0.0.1.
Each gcloud call costs 1-3 s of start-up, so there are few of them.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.gcloud_recorder import FUNCTION_SOURCES, Recorder
from tests.support import HAM, ROOT, SCAM

pytestmark = pytest.mark.skipif(shutil.which("gcloud") is None,
                                reason="gcloud (the Google Cloud CLI) is not installed")

PROJECT = "demo-project"
FUNCTION_URL = rf"/v2/projects/{PROJECT}/locations/(?P<region>[^/]+)/functions"
KNATIVE_URL = rf"/apis/serving.knative.dev/v1/namespaces/{PROJECT}/services"
# Variables deploy.sh reads: the tests' own environment must not leak into them.
READ_BY_DEPLOY = re.compile(r"DEPLOY_\w+|GOOGLE_CLOUD_PROJECT|CLOUDSDK_\w+|MODEL_URI|MAX_BODY_BYTES|"
                            r"MAX_BATCH|THRESHOLD")


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    with Recorder(PROJECT) as stand_in:
        yield stand_in


def deploy(recorder: Recorder, tmp_path: Path, *args: str, env: dict | None = None,
           path: str | None = None) -> subprocess.CompletedProcess:
    """Runs ./deploy.sh from another folder, with gcloud pointed at the recorder."""
    clean = {k: v for k, v in os.environ.items() if not READ_BY_DEPLOY.fullmatch(k)}
    full_env = {**clean, **recorder.env(tmp_path), **(env or {})}
    if path is not None:
        full_env["PATH"] = path
    return subprocess.run([str(ROOT / "deploy.sh"), *args], cwd=tmp_path, env=full_env,
                          capture_output=True, text=True, timeout=120)


def runtime_files() -> set[str]:
    """What the function needs at run time, read from the tree: the expected upload."""
    files = {"main.py", "requirements.txt"}
    for folder in ("function", "model"):
        for path in (ROOT / folder).rglob("*"):
            relative = path.relative_to(ROOT)
            if path.is_file() and "__pycache__" not in relative.parts and path.suffix != ".pyc" \
                    and not relative.parts[1].startswith(".staging-"):
                files.add(relative.as_posix())
    return files


def zip_names(data: bytes) -> set[str]:
    """The files in a zip, whose folder entries must all hold some of them (no empty tests/)."""
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    files = {name for name in names if not name.endswith("/")}
    parents = {f"{parent.as_posix()}/" for name in files for parent in Path(name).parents[:-1]}
    assert {name for name in names if name.endswith("/")} <= parents
    return files


def printed_answer(stdout: str) -> dict:
    """gcloud prints the function's answer as a YAML single-quoted string, folded at spaces."""
    folded = " ".join(line.strip() for line in stdout.strip().splitlines())
    return json.loads(folded.removeprefix("'").removesuffix("'").replace("''", "'"))


def created_function(recorder: Recorder) -> tuple[str, dict, set[str]]:
    """(region, the function gcloud asked to create, the file names in its uploaded zip)."""
    (create,) = recorder.find("POST", FUNCTION_URL + "$")
    region = re.fullmatch(FUNCTION_URL, create.path)["region"]
    function = create.json()
    source = function["buildConfig"]["source"]["storageSource"]
    assert source["bucket"] == FUNCTION_SOURCES
    return region, function, zip_names(recorder.objects[(FUNCTION_SOURCES, source["object"])])


def test_help_and_settings_that_are_missing_or_invalid(recorder, tmp_path):
    shown = deploy(recorder, tmp_path, "--help")
    assert shown.returncode == 0
    for word in ("function", "run", "model", "call", "--dry-run", "DEPLOY_PROJECT", "MODEL_URI"):
        assert word in shown.stdout

    cases = [
        ((), "no project: pass --project=ID or set GOOGLE_CLOUD_PROJECT"),
        (("--project", "x"), "--project: 'x' is not a project ID"),
        (("--memory=512XB",), "--memory: '512XB' is not a size such as 512Mi or 2Gi"),
        (("--cpu=two",), "--cpu: 'two' is not 1, 2, 4, 6, 8 or a fraction of one"),
        (("--cpu=3",), "--cpu: '3' is not 1, 2, 4, 6, 8 or a fraction of one"),
        (("--max-instances=08",), "--max-instances: '08' is not a whole number"),
        (("--min-instances=-1",), "--min-instances: '-1' is not a whole number"),
        (("--min-instances=3", "--max-instances=2"), "--min-instances (3) exceeds --max-instances (2)"),
        (("--cpu=0.5", "--concurrency=4"), "--concurrency above 1 needs --cpu of 1 or more"),
        (("--timeout=1h",), "--timeout: '1h' is not a number of seconds"),
        (("--name=Scam_Check",), "--name: 'Scam_Check' must be lower-case letters"),
        (("--model-uri=s3://models/v1/",), "--model-uri: 's3://models/v1/' is not gs://BUCKET/PREFIX/"),
        (("--public=maybe",), "--public must be true or false"),
        (("--colour=blue",), "unknown option --colour (see --help)"),
        (("--treshold=0.9",), "unknown option --treshold; did you mean --threshold? (see --help)"),
        (("--min-instance", "1"), "unknown option --min-instance; did you mean --min-instances?"),
        (("--dryrun",), "unknown option --dryrun; did you mean --dry-run?"),
        (("--text=", "--regoin=us-east1"), "unknown option --regoin; did you mean --region?"),
    ]
    for args, message in cases:
        project = () if not args or args[0] == "--project" else (f"--project={PROJECT}",)
        result = deploy(recorder, tmp_path, "function", *project, *args)
        assert (result.returncode, result.stdout) == (2, ""), args
        assert f"deploy.sh: {message}" in result.stderr, result.stderr
    result = deploy(recorder, tmp_path, "model", env={"GOOGLE_CLOUD_PROJECT": PROJECT})
    assert result.returncode == 2 and "no bucket: pass --bucket=BUCKET" in result.stderr
    result = deploy(recorder, tmp_path, "deploy")
    assert result.returncode == 2 and "unknown command 'deploy' (function," in result.stderr
    result = deploy(recorder, tmp_path, "fucntion")
    assert result.returncode == 2 and "unknown command 'fucntion'; did you mean function?" in result.stderr
    assert recorder.requests == []  # every refusal came before gcloud was run


def test_dry_run_prints_every_command_and_runs_none(recorder, tmp_path):
    shim = tmp_path / "bin"
    shim.mkdir()
    (shim / "gcloud").write_text(f"#!/bin/sh\ntouch {tmp_path}/gcloud-ran\nexit 97\n")
    (shim / "gcloud").chmod(0o755)
    path = f"{shim}:{os.environ['PATH']}"
    printed = {}
    for command in ("function", "run", "model", "call"):
        result = deploy(recorder, tmp_path, command, "--dry-run", f"--project={PROJECT}",
                        "--bucket=my-models", path=path)
        assert result.returncode == 0, result.stderr
        printed[command] = [line for line in result.stdout.splitlines() if line.startswith("+ ")]
    assert not (tmp_path / "gcloud-ran").exists()
    assert recorder.requests == []

    listing, function = printed["function"]
    assert listing == "+ gcloud meta list-files-for-upload ."  # shown, not run: the upload's preview
    assert function.startswith("+ gcloud functions deploy scam-check --project=demo-project ")
    for flag in ("--gen2", "--runtime=python311", "--source=.", "--entry-point=predict", "--trigger-http",
                 "--no-allow-unauthenticated", "--memory=1Gi", "--concurrency=8",
                 "--set-env-vars=ORT_THREADS=1"):
        assert f" {flag}" in function
    listing, run = printed["run"]
    assert listing == "+ gcloud meta list-files-for-upload ."
    assert " --cpu-boost " in run and "--startup-probe=httpGet.path=/readyz," in run
    (upload,) = printed["model"]
    meta = json.loads((ROOT / "model" / "model.json").read_text())
    files = " ".join(f"model/{name}" for name in ["model.json", *sorted(meta["sha256"]), "NOTICE"])
    assert upload == f"+ gcloud storage cp {files} gs://my-models/models/{meta['version']}/" \
        f" --project={PROJECT}"
    (smoke,) = printed["call"]
    assert smoke.startswith("+ gcloud functions call scam-check ") and "'--data={\"text\": " in smoke


def test_gcloudignore_uploads_only_what_the_function_runs(tmp_path):
    env = {**os.environ, "CLOUDSDK_CONFIG": str(tmp_path / "gcloud-config")}
    listed = subprocess.run(["gcloud", "meta", "list-files-for-upload", str(ROOT)], env=env,
                            capture_output=True, text=True, timeout=60, check=True)
    files = set(listed.stdout.split())
    assert files == runtime_files()
    assert {"main.py", "requirements.txt", "model/model.onnx", "function/web/predict.py"} <= files
    for name in files:  # no tests, training code, caches, environments, benchmarks or docs
        assert name.split("/")[0] in {"main.py", "requirements.txt", "function", "model"}, name


def test_every_other_artifact_an_export_writes_stays_out_of_the_upload(tmp_path):
    """`make model` also writes the non-commercial build beside model/, and the other families
    have folders of their own: a fresh clone has none of them, so this tree is made to have all."""
    from export.families import FAMILIES

    outs = {family.default_out for family in FAMILIES.values()}
    outs |= set(re.findall(r"--out ([\w-]+)", (ROOT / "Makefile").read_text()))  # not adapt's $(OUT)
    tree = tmp_path / "tree"
    runtime = {"main.py", "requirements.txt", "function/model.py", "model/model.json"}
    for name in runtime | {f"{out}/model.json" for out in outs}:
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        (tree / name).write_text("x")
    shutil.copy(ROOT / ".gcloudignore", tree)
    env = {**os.environ, "CLOUDSDK_CONFIG": str(tmp_path / "gcloud-config")}
    listed = subprocess.run(["gcloud", "meta", "list-files-for-upload", str(tree)], env=env,
                            capture_output=True, text=True, timeout=60, check=True)
    assert "model-noncommercial" in outs and "model-minilm" in outs
    assert set(listed.stdout.split()) == runtime


def test_function_deploy_sends_every_setting_and_calls_the_real_function(recorder, serve, tmp_path):
    server = serve()
    recorder.function_uri = server.url + "/"  # the deployed function's URI: the real one, here
    result = deploy(recorder, tmp_path, "function", "--memory=2Gi", "--cpu=2", "--min-instances=1",
                    "--max-instances=5", "--concurrency=16", "--timeout=120", "--max-batch=32",
                    env={"GOOGLE_CLOUD_PROJECT": PROJECT})
    assert result.returncode == 0, result.stderr
    region, function, uploaded = created_function(recorder)
    assert region == "us-central1"
    assert function["name"].endswith("/functions/scam-check")
    assert function["buildConfig"]["runtime"] == "python311"
    assert function["buildConfig"]["entryPoint"] == "predict"
    assert function["serviceConfig"] == {
        "availableMemory": "2Gi", "availableCpu": "2", "minInstanceCount": 1, "maxInstanceCount": 5,
        "maxInstanceRequestConcurrency": 16, "timeoutSeconds": 120,
        "environmentVariables": {"ORT_THREADS": "2", "MAX_BATCH": "32"},
    }
    assert uploaded == runtime_files()  # the zip, as .gcloudignore says
    shown = re.search(r"# upload: (\d+) files, all within the allow-list \(main.py requirements.txt "
                      r"function/ model/\):\n((?:#   .*\n)+)", result.stderr)
    assert shown and int(shown[1]) == len(uploaded), result.stderr  # the list, before the upload
    assert {line.removeprefix("#   ") for line in shown[2].splitlines()} == uploaded
    assert recorder.find("POST", ":setIamPolicy") == []  # private by default

    for text, prediction in ((SCAM, True), (HAM, False)):
        called = deploy(recorder, tmp_path, "call", f"--text={text}", env={"GOOGLE_CLOUD_PROJECT": PROJECT})
        assert called.returncode == 0, called.stderr
        answer = printed_answer(called.stdout)
        assert answer["prediction"] is prediction and answer["label"] == ("scam" if prediction else "ham")
    sent = [r for r in recorder.requests if r.host == server.url.removeprefix("http://")]
    assert [(r.method, r.path, r.json()) for r in sent] == [("POST", "/", {"text": SCAM}),
                                                            ("POST", "/", {"text": HAM})]


def test_function_settings_from_the_environment_with_the_model_in_cloud_storage(recorder, tmp_path):
    env = {"DEPLOY_PROJECT": PROJECT, "DEPLOY_REGION": "europe-west1", "DEPLOY_NAME": "scam-eu",
           "DEPLOY_MEMORY": "4Gi", "DEPLOY_PUBLIC": "true", "MODEL_URI": "gs://my-models/models/v1/",
           "THRESHOLD": "0.7"}
    result = deploy(recorder, tmp_path, "function", "--memory=512Mi", env=env)  # a flag wins
    assert result.returncode == 0, result.stderr
    region, function, uploaded = created_function(recorder)
    assert (region, function["name"].rsplit("/", 1)[1]) == ("europe-west1", "scam-eu")
    assert function["serviceConfig"]["availableMemory"] == "512Mi"
    assert function["serviceConfig"]["environmentVariables"] == {
        "ORT_THREADS": "1", "MODEL_URI": "gs://my-models/models/v1/", "THRESHOLD": "0.7"}
    assert uploaded == {name for name in runtime_files() if not name.startswith("model/")}
    (grant,) = recorder.find("POST", r"/services/scam-eu:setIamPolicy$")  # --public
    assert grant.json()["policy"]["bindings"] == [{"members": ["allUsers"], "role": "roles/run.invoker"}]


def test_run_builds_the_dockerfile_with_boost_and_startup_probe(recorder, tmp_path):
    result = deploy(recorder, tmp_path, "run", f"--project={PROJECT}", "--memory=512Mi",
                    "--min-instances=1", "--max-instances=4", "--concurrency=4",
                    "--model-uri=gs://my-models/models/v1/")
    assert result.returncode == 0, result.stderr
    (build,) = recorder.find("POST", r"/builds:submit$")
    submitted = build.json()
    assert "dockerBuild" in submitted  # built from the project's Dockerfile, not buildpacks
    source = submitted["storageSource"]
    context = zip_names(recorder.objects[(source["bucket"], source["object"])])
    extra = {"Dockerfile"} | ({".dockerignore"} if (ROOT / ".dockerignore").exists() else set())
    assert context == runtime_files() | extra

    (create,) = recorder.find("POST", KNATIVE_URL + "$")
    template = create.json()["spec"]["template"]
    annotations = template["metadata"]["annotations"]
    assert annotations["autoscaling.knative.dev/minScale"] == "1"
    assert annotations["autoscaling.knative.dev/maxScale"] == "4"
    assert annotations["run.googleapis.com/startup-cpu-boost"].lower() == "true"
    assert template["spec"]["containerConcurrency"] == 4
    assert template["spec"]["timeoutSeconds"] == 60
    (container,) = template["spec"]["containers"]
    assert container["image"].endswith("@" + recorder.builds["build-1"]["results"]["images"][0]["digest"])
    assert container["resources"]["limits"] == {"cpu": "1", "memory": "512Mi"}
    assert container["startupProbe"] == {"httpGet": {"path": "/readyz"}, "periodSeconds": 1,
                                         "timeoutSeconds": 1, "failureThreshold": 240}
    assert {e["name"]: e["value"] for e in container["env"]} == {
        "ORT_THREADS": "1", "MODEL_URI": "gs://my-models/models/v1/"}
    assert recorder.find("POST", ":setIamPolicy") == []  # private by default


def test_service_yaml_is_the_container_that_deploy_sh_runs(recorder, tmp_path):
    image = "us-central1-docker.pkg.dev/PROJECT_ID/cloud-run-source-deploy/scam-check:latest"  # the yaml's
    result = deploy(recorder, tmp_path, "run", f"--project={PROJECT}", f"--image={image}")
    assert result.returncode == 0, result.stderr
    assert recorder.find("POST", r"/builds:submit$") == []  # --image: nothing is built
    env = {**os.environ, **recorder.env(tmp_path)}
    replaced = subprocess.run(["gcloud", "run", "services", "replace", str(ROOT / "service.yaml"),
                               "--region=us-central1"], env=env, capture_output=True, text=True, timeout=60)
    assert replaced.returncode == 0, replaced.stderr
    by_script, by_manifest = (r.json()["spec"]["template"] for r in recorder.requests
                              if r.method in ("POST", "PUT") and r.path.startswith(KNATIVE_URL))

    def essentials(template: dict) -> dict:
        (container,) = template["spec"]["containers"]
        annotations = template["metadata"]["annotations"]
        return {
            "scale": (annotations.get("autoscaling.knative.dev/minScale", "0"),
                      annotations["autoscaling.knative.dev/maxScale"]),
            "boost": annotations["run.googleapis.com/startup-cpu-boost"].lower(),
            "concurrency": template["spec"]["containerConcurrency"],
            "timeout": template["spec"]["timeoutSeconds"],
            "image": container["image"], "env": container["env"],
            "limits": container["resources"]["limits"], "probe": container["startupProbe"],
        }

    assert essentials(by_manifest) == essentials(by_script)


def test_model_upload_puts_the_artifact_in_the_bucket(recorder, tmp_path):
    recorder.buckets.add("my-models")
    result = deploy(recorder, tmp_path, "model", f"--project={PROJECT}", "--bucket=my-models",
                    "--prefix=scam/v1")
    assert result.returncode == 0, result.stderr
    assert "--model-uri=gs://my-models/scam/v1/" in result.stderr
    uploaded = {name: data for (bucket, name), data in recorder.objects.items() if bucket == "my-models"}
    expected = ("model.json", *json.loads((ROOT / "model" / "model.json").read_text())["sha256"], "NOTICE")
    assert uploaded == {f"scam/v1/{name}": (ROOT / "model" / name).read_bytes() for name in expected}


def project_copy(tmp_path: Path) -> Path:
    """What a clone holds for a deploy, in a folder of its own, to drop stray files into."""
    copy = tmp_path / "project"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".staging-*")
    for name in ("function", "model"):
        shutil.copytree(ROOT / name, copy / name, ignore=ignore)
    for name in ("deploy.sh", "serving.env", "main.py", "requirements.txt", ".gcloudignore", ".dockerignore",
                 "Dockerfile", "README.md"):
        shutil.copy2(ROOT / name, copy / name)
    return copy


def test_a_stray_file_stops_the_upload_with_one_line(recorder, tmp_path):
    project = project_copy(tmp_path)
    (project / "service-account.json").write_text('{"type": "service_account"}')
    (project / "notes.txt").write_text("call the bank on Monday")
    (project / "Screenshot 2026-12-07.png").write_bytes(b"\x89PNG")

    def run(*args: str) -> subprocess.CompletedProcess:
        clean = {k: v for k, v in os.environ.items() if not READ_BY_DEPLOY.fullmatch(k)}
        return subprocess.run([str(project / "deploy.sh"), *args, f"--project={PROJECT}"], cwd=tmp_path,
                              env={**clean, **recorder.env(tmp_path)}, capture_output=True, text=True,
                              timeout=120)

    # The real gcloud previews the upload: the strays are in it (.gcloudignore lists what to leave
    # out, so it cannot know them); deploy.sh refuses before any API is called.
    for command in ("function", "run"):
        result = run(command)
        assert result.returncode == 2, result.stderr
        (refusal,) = [line for line in result.stderr.splitlines() if line.startswith("deploy.sh:")]
        assert refusal == ("deploy.sh: refusing to upload notes.txt, service-account.json, "
                           "'Screenshot 2026-12-07.png': outside the allow-list (main.py requirements.txt "
                           f"function/ model/); move them out of {project} or add them to .gcloudignore")
    assert recorder.requests == []

    (project / "notes.txt").unlink()
    (project / "service-account.json").unlink()
    result = run("function", "--model-uri=gs://my-models/models/v1/")  # the other upload, the same rule
    assert result.returncode == 2
    assert "refusing to upload 'Screenshot 2026-12-07.png': outside" in result.stderr
    assert "; move it out of " in result.stderr
    assert recorder.requests == []


def test_the_container_context_keeps_to_the_same_allow_list(recorder, tmp_path):
    shown = deploy(recorder, tmp_path, "--help").stdout
    allowed = re.search(r"Uploads only (.*) \(listed first", shown)[1].split()
    assert allowed == ["main.py", "requirements.txt", "function/", "model/"]
    lines = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()]
    kept = [line[1:] for line in lines if line.startswith("!")]
    assert "*" in lines and sorted(kept) == sorted(name.rstrip("/") for name in allowed)
