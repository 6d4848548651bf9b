"""Faults on the real server: a broken artifact is a 503 with the reason and a log line, is never
served, and a later request recovers once it is whole again. SIGTERM lets in-flight requests finish.

(Missing and sha256-corrupted files: test_lazy.py. A gs:// bucket unreachable, slow, failing with
5xx, cut off mid-download, or a full cache disk: test_gcs.py.)
"""

from __future__ import annotations

import http.client
import json
import shutil
import signal
import socket
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from function import artifact
from tests.figures import record
from tests.support import HAM, MODEL, SCAM, call


def truncate_graph(root: Path) -> None:
    graph = root / "model.onnx"
    graph.write_bytes(graph.read_bytes()[: graph.stat().st_size // 2])


def truncate_graph_and_rehash(root: Path) -> None:
    """A half-written graph whose model.json was rewritten to match it: the hashes agree."""
    truncate_graph(root)
    artifact.write_metadata(root, json.loads((root / artifact.METADATA).read_text()))


def corrupt_tokenizer_and_rehash(root: Path) -> None:
    (root / "tokenizer.json").write_text('{"version": "1.0", "model": "none"}')
    artifact.write_metadata(root, json.loads((root / artifact.METADATA).read_text()))


def name_inputs_the_graph_lacks(root: Path) -> None:
    meta = json.loads((root / artifact.METADATA).read_text())
    meta["inputs"] = {"input_ids": "token_ids", "attention_mask": "mask"}
    (root / artifact.METADATA).write_text(json.dumps(artifact.sealed(meta)))


def delete_tokenizer(root: Path) -> None:
    (root / "tokenizer.json").unlink()


FAULTS: dict[str, tuple[Callable[[Path], None], str]] = {
    "truncated graph": (truncate_graph, "does not match its sha256"),
    "truncated graph, hashes rewritten to match": (truncate_graph_and_rehash, "cannot be loaded"),
    "tokenizer replaced, hashes rewritten to match": (corrupt_tokenizer_and_rehash, "is not a tokenizer"),
    "model.json names inputs the graph lacks": (name_inputs_the_graph_lacks, "that the graph lacks"),
    "tokenizer missing": (delete_tokenizer, "is missing"),
}


@pytest.mark.parametrize("fault", FAULTS)
def test_a_broken_artifact_is_503_then_recovers(serve, tmp_path, fault):
    damage, reason = FAULTS[fault]
    folder = tmp_path / "model"
    shutil.copytree(MODEL, folder)
    damage(folder)
    server = serve({"MODEL_DIR": str(folder)})
    for _ in range(2):  # every request retries the load, and fails the same way
        reply = call(server.url + "/predict", "POST", SCAM.encode(), {"Content-Type": "text/plain"})
        assert reply.status == 503 and int(reply.headers["retry-after"]) >= 1
        assert reply.json()["error"]["code"] == "model_unavailable"
        assert reason in reply.json()["error"]["message"]
    assert call(server.url + "/readyz").status == 503
    failures = [r for r in server.log_records() if r.get("message") == "model unavailable"]
    assert len(failures) == 3 and all(reason in r["error"] for r in failures)

    shutil.rmtree(folder)
    shutil.copytree(MODEL, folder)
    reply = call(server.url + "/predict", "POST", SCAM.encode(), {"Content-Type": "text/plain"})
    assert (reply.status, reply.body) == (200, b"true")
    assert call(server.url + "/readyz").json()["loads"] == 1
    record("fault", fault=fault, status=503, recovered=True)


def _start_upload(url: str, body: bytes, sent: int) -> socket.socket:
    """A POST whose headers and first `sent` body bytes are on the wire, the rest still to come."""
    host, port = url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=30)
    sock.sendall(f"POST /predict HTTP/1.1\r\nHost: {host}\r\nContent-Type: text/plain\r\n"
                 f"Content-Length: {len(body)}\r\n\r\n".encode() + body[:sent])
    return sock


def _finish_upload(sock: socket.socket, body: bytes, sent: int) -> tuple[int, bytes]:
    with sock:
        sock.sendall(body[sent:])
        response = http.client.HTTPResponse(sock)
        response.begin()
        return response.status, response.read()


def test_sigterm_lets_in_flight_requests_finish_then_exits(serve):
    server = serve()
    assert call(server.url + "/readyz").status == 200
    texts = [SCAM, HAM, SCAM, HAM]
    uploads = [_start_upload(server.url, text.encode(), 20) for text in texts]
    time.sleep(1.0)  # each is now inside the handler, waiting for the rest of its body
    stopping = time.perf_counter()
    server.process.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    with pytest.raises(OSError):  # refused, reset or left unanswered: no new request is served
        call(server.url + "/healthz", timeout=2)
    answers = [_finish_upload(sock, text.encode(), 20) for sock, text in zip(uploads, texts, strict=True)]
    assert answers == [(200, b"true" if text is SCAM else b"false") for text in texts]
    assert server.process.wait(30) == 0
    record("sigterm", in_flight=len(texts), finished=sum(status == 200 for status, _ in answers),
           exit_code=server.process.returncode, seconds_to_exit=round(time.perf_counter() - stopping, 2))
