"""The Python client (client/__init__.py) and the curl and gcloud examples of docs/use.md,
against a real server."""

from __future__ import annotations

import ast
import http.server
import re
import shlex
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from client import Client, ClientError, Prediction
from tests.support import HAM, ROOT, SCAM, call, free_port

USE = ROOT / "docs" / "use.md"
TOKEN = "test-identity-token"


def test_predict_one(base_url):
    scam = Client(base_url).predict(SCAM)
    model = call(base_url + "/readyz").json()["model"]
    assert isinstance(scam, Prediction)
    assert (scam.prediction, scam.label, scam.model, scam.version) == (True, "scam", model["name"],
                                                                       model["version"])
    assert 0.5 < scam.score <= 1
    assert Client(base_url + "/").predict(HAM).label == "ham"  # a trailing slash is fine


@pytest.mark.parametrize("suffix", ["/predict", "/predict/", "//"])
def test_the_url_as_the_docs_show_it_with_or_without_predict(base_url, suffix):
    client = Client(base_url + suffix)
    assert client.url == base_url + "/predict"
    assert client.predict(SCAM).label == "scam"


def test_a_url_without_a_scheme_is_refused_in_words():
    host = "us-central1-my-project-123.cloudfunctions.net/scam-check"
    with pytest.raises(ValueError, match=rf"is not an http:// or https:// URL .*did you mean https://{host}\?$"):
        Client(host)
    with pytest.raises(ValueError, match=r"did you mean http://localhost:8080/predict\?$"):
        Client("localhost:8080/predict")
    for bad in ("ftp://example.com/scam", "http://", ""):
        with pytest.raises(ValueError, match="is not an http:// or https:// URL with a host"):
            Client(bad)


def test_reasons_and_a_threshold(base_url):
    client = Client(base_url)
    plain = client.predict(SCAM)
    assert plain.reasons is None and 0 < plain.threshold < 1
    explained = client.predict(SCAM, explain=True, threshold=0.9999999)
    assert explained.threshold == 0.9999999 and explained.score == plain.score
    assert explained.prediction is (plain.score >= explained.threshold)
    assert explained.reasons
    assert all(SCAM[r.start:r.end] == r.text and r.weight > 0 for r in explained.reasons)
    both = client.predict_many([SCAM, HAM], explain="all")
    assert any(r.weight < 0 for p in both for r in p.reasons)
    with pytest.raises(ClientError) as refused:
        client.predict(SCAM, threshold=1.5)
    assert (refused.value.status, refused.value.code) == (400, "invalid_threshold")


def test_predict_many_keeps_order(base_url):
    client = Client(base_url)
    assert [p.prediction for p in client.predict_many([HAM, SCAM, HAM])] == [False, True, False]
    assert client.predict_many(iter([SCAM])) == [client.predict(SCAM)]
    assert client.predict_many([]) == []


def test_predict_many_splits_into_batches_the_function_accepts(serve):
    server = serve({"MAX_BATCH": "3"})
    texts = [SCAM, HAM, HAM, SCAM, HAM, SCAM, HAM]
    labels = [p.label for p in Client(server.url).predict_many(texts, batch_size=3)]
    assert labels == ["scam", "ham", "ham", "scam", "ham", "scam", "ham"]
    assert sum(r.get("message") == "POST /predict 200" for r in server.log_records()) == 3
    with pytest.raises(ClientError) as refused:
        Client(server.url).predict_many(texts, batch_size=4)
    assert (refused.value.status, refused.value.code) == (422, "batch_too_large")
    assert "the limit is 3" in str(refused.value)


def test_refusals_and_unreachable_servers_raise_client_error(base_url):
    with pytest.raises(ClientError) as refused:
        Client(base_url).predict("  \n ")
    assert (refused.value.status, refused.value.code, refused.value.message) == (400, "empty_text",
                                                                                 "text is empty")
    with pytest.raises(ClientError) as unreached:
        Client(f"http://127.0.0.1:{free_port()}", timeout=5).predict(SCAM)
    assert unreached.value.status is None and unreached.value.code == "unreachable"
    assert "cannot reach" in str(unreached.value)


class IdentityFrontEnd:
    """Stands in for Google's front end of a private function (which cannot run here): it lets
    through only requests with the expected bearer token, to the real server behind it."""

    def __init__(self, backend: str) -> None:
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    self.send(403, "text/html", b"<html><body>Error: Forbidden</body></html>")
                    return
                headers = {"Content-Type": self.headers["Content-Type"]}
                reply = call(backend + self.path, "POST", body, headers)
                self.send(reply.status, reply.headers["content-type"], reply.body)

            def send(self, status: int, content_type: str, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def private(base_url: str) -> Iterator[str]:
    front = IdentityFrontEnd(base_url)
    threading.Thread(target=front.server.serve_forever, daemon=True).start()
    yield front.url
    front.server.shutdown()
    front.server.server_close()


def test_identity_token_for_a_private_function(private):
    with pytest.raises(ClientError) as refused:
        Client(private).predict(SCAM)
    assert (refused.value.status, refused.value.code) == (403, "http_error")
    assert "403 Forbidden" in str(refused.value)
    client = Client(private, token=TOKEN + "\n")  # as `gcloud auth print-identity-token` prints it
    assert client.predict(SCAM).prediction is True
    assert [p.label for p in client.predict_many([HAM, SCAM])] == ["ham", "scam"]


def doc_commands(prefix: str) -> list[str]:
    """The shell lines of docs/use.md that start with `prefix`, as a reader would paste them."""
    blocks = re.findall(r"```sh\n(.*?)```", USE.read_text(encoding="utf-8"), re.DOTALL)
    return [line for block in blocks for line in block.splitlines() if line.startswith(prefix)]


def test_the_documented_curl_commands(base_url, tmp_path):
    if shutil.which("curl") is None:
        pytest.skip("no curl: apt-get install -y curl")
    (tmp_path / "message.eml").write_bytes(
        b"From: a@example.net\r\nSubject: Lunch\r\n\r\n" + HAM.encode() + b"\r\n")
    # The ```console examples (with their outputs) are run by test_docs; these are the ```sh ones:
    # a raw message from a file (a private deploy's token needs gcloud).
    commands = [c for c in doc_commands("curl ") if "gcloud" not in c]
    assert len(commands) == 1
    for command in commands:
        # -f: an HTTP error fails the command; -sS: quiet, but errors in words.
        done = subprocess.run(["bash", "-c", command.replace("curl ", "curl -fsS ", 1)], cwd=tmp_path,
                              env={"URL": base_url, "PATH": "/usr/bin:/bin"}, capture_output=True,
                              text=True, timeout=30)
        assert done.returncode == 0, (command, done.stderr)
        assert done.stdout.strip() in ("true", "false") or '"model' in done.stdout, done.stdout


def test_the_documented_gcloud_functions_call(base_url, tmp_path):
    if shutil.which("gcloud") is None:
        pytest.skip("no gcloud: Debian's google-cloud-cli package")
    recorder_module = pytest.importorskip("tests.gcloud_recorder")
    (command,) = doc_commands("gcloud functions call ")
    with recorder_module.Recorder(function_uri=base_url + "/") as recorder:
        name = shlex.split(command)[3]
        recorder.functions[name] = {
            "name": f"projects/{recorder.project}/locations/europe-west1/functions/{name}",
            "environment": "GEN_2", "state": "ACTIVE", "serviceConfig": {"uri": base_url + "/"}}
        env = {k: v for k, v in recorder.env(tmp_path).items() if not k.startswith("CLOUDSDK_PROXY")}
        done = subprocess.run(shlex.split(command), env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
                                                         **env}, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert '"label": "scam"' in done.stdout
    assert recorder.find("GET", rf"/functions/{name}$")


def test_client_file_works_alone_with_the_standard_library(base_url, tmp_path):
    """A data scientist copies the one file: it imports nothing but the standard library."""
    source = (ROOT / "client" / "__init__.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert {name.split(".")[0] for name in imported} <= sys.stdlib_module_names
    (tmp_path / "client.py").write_text(source, encoding="utf-8")
    python = "/usr/bin/python3" if Path("/usr/bin/python3").is_file() else sys.executable  # no venv
    script = "import sys; sys.path.insert(0, '.'); from client import Client; " \
             "print(Client(sys.argv[1]).predict(sys.argv[2]).label)"
    done = subprocess.run([python, "-I", "-c", script, base_url, SCAM], cwd=tmp_path,
                          capture_output=True, text=True, timeout=30)
    assert (done.returncode, done.stdout) == (0, "scam\n"), done.stderr
