"""The lazy global on a real server: loaded once, on first use, recoverable, never logging text."""

from __future__ import annotations

import json
import shutil
import time
from concurrent.futures import ThreadPoolExecutor

from tests.support import HAM, MODEL, SCAM, call


def loads(server) -> int:
    return sum(r.get("message") == "model loaded" for r in server.log_records())


def test_64_concurrent_first_requests_load_the_model_once(serve):
    server = serve()
    assert loads(server) == 0  # importing main.py loaded nothing
    texts = [SCAM if i % 2 else HAM for i in range(64)]

    def ask(text: str):
        return call(server.url + "/predict", "POST", json.dumps({"text": text}).encode(),
                    {"Content-Type": "application/json"}, timeout=60)

    with ThreadPoolExecutor(64) as pool:
        replies = list(pool.map(ask, texts))
    assert [r.status for r in replies] == [200] * 64
    assert [r.json()["prediction"] for r in replies] == [t is SCAM for t in texts]
    assert loads(server) == 1
    assert call(server.url + "/readyz").json()["loads"] == 1


def test_healthz_loads_nothing_and_readyz_loads(serve):
    server = serve()
    assert call(server.url + "/healthz").status == 200
    assert loads(server) == 0
    assert call(server.url + "/readyz").status == 200
    assert loads(server) == 1


def test_preload_loads_at_start_up_without_a_request(serve):
    server = serve({"MODEL_PRELOAD": "true"})
    deadline = time.monotonic() + 20
    while loads(server) == 0 and time.monotonic() < deadline:
        time.sleep(0.05)  # only /healthz was asked: the load started by itself
    assert loads(server) == 1
    reply = call(server.url + "/predict", "POST", SCAM.encode(), {"Content-Type": "text/plain"})
    assert (reply.status, reply.body) == (200, b"true")
    assert loads(server) == 1


def test_a_missing_model_is_503_and_recovers_when_it_appears(serve, tmp_path):
    folder = tmp_path / "later"
    server = serve({"MODEL_DIR": str(folder)})
    reply = call(server.url + "/predict", "POST", b"hello", {"Content-Type": "text/plain"})
    assert reply.status == 503
    assert reply.json()["error"]["code"] == "model_unavailable"
    assert "no model.json" in reply.json()["error"]["message"]
    assert call(server.url + "/readyz").status == 503
    assert call(server.url + "/healthz").status == 200
    assert any(r["severity"] == "ERROR" and r["message"] == "model unavailable"
               for r in server.log_records())

    shutil.copytree(MODEL, folder)
    reply = call(server.url + "/predict", "POST", SCAM.encode(), {"Content-Type": "text/plain"})
    assert (reply.status, reply.body) == (200, b"true")
    assert call(server.url + "/readyz").status == 200


def test_a_corrupted_model_is_never_served(serve, tmp_path):
    folder = tmp_path / "model"
    shutil.copytree(MODEL, folder)
    graph = folder / "model.onnx"
    data = bytearray(graph.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte in the weights
    graph.write_bytes(bytes(data))
    server = serve({"MODEL_DIR": str(folder)})
    reply = call(server.url + "/predict", "POST", b"hello", {"Content-Type": "text/plain"})
    assert reply.status == 503 and "sha256" in reply.json()["error"]["message"]


def test_logs_are_json_lines_with_trace_and_never_the_text(serve):
    server = serve({"GOOGLE_CLOUD_PROJECT": "demo"})
    trace = "0af7651916cd43dd8448eb211c80319c"
    marker = "Zanzibar-7f3c quokka password hunter2"
    for body, content_type in ((marker, "text/plain"), (json.dumps({"texts": [marker]}), "application/json"),
                               (f"Subject: {marker}\r\n\r\n{marker}", "message/rfc822"),
                               ('{"text": "' + marker, "application/json")):
        call(server.url + "/predict", "POST", body.encode(),
             {"Content-Type": content_type, "X-Cloud-Trace-Context": f"{trace}/1;o=1"})
    logs = server.logs()
    assert "Zanzibar" not in logs and "quokka" not in logs and "hunter2" not in logs
    requests = [r for r in server.log_records() if r.get("httpRequest", {}).get("requestMethod") == "POST"]
    assert len(requests) == 4
    assert all(r["logging.googleapis.com/trace"] == f"projects/demo/traces/{trace}"
               for r in requests)
    assert requests[0]["text_chars"] == len(marker)
    assert requests[3]["severity"] == "INFO" and requests[3]["httpRequest"]["status"] == 400
