"""Security on the real server: CORS off unless allow-listed (checked in a real Chromium too), no
debug mode, no stack traces or version banners, hardening headers, JSON even for the paths the
framework refuses itself, and logs that never hold the submitted text.
"""

from __future__ import annotations

import http.server
import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import BIN, ROOT, SCAM, call, free_port

PREFLIGHT = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}


def test_cors_is_off_by_default(serve):
    server = serve()
    origin = {"Origin": "https://elsewhere.example"}
    reply = call(server.url + "/predict", "POST", SCAM.encode(), {"Content-Type": "text/plain", **origin})
    assert reply.status == 200 and "access-control-allow-origin" not in reply.headers
    preflight = call(server.url + "/predict", "OPTIONS", None, {**origin, **PREFLIGHT})
    assert preflight.status == 405 and preflight.json()["error"]["code"] == "method_not_allowed"
    assert not [h for h in preflight.headers if h.startswith("access-control-")]


def test_cors_answers_exactly_the_allowed_origins(serve):
    allowed = "https://page.example"
    server = serve({"CORS_ORIGINS": f"{allowed}, https://other.example:8443"})
    preflight = call(server.url + "/predict", "OPTIONS", None, {"Origin": allowed, **PREFLIGHT})
    assert preflight.status == 204
    assert preflight.headers["access-control-allow-origin"] == allowed
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "Content-Type" in preflight.headers["access-control-allow-headers"]
    reply = call(server.url + "/predict", "POST", SCAM.encode(),
                 {"Content-Type": "text/plain", "Origin": allowed})
    assert reply.headers["access-control-allow-origin"] == allowed and reply.headers["vary"] == "Origin"

    stranger = {"Origin": "https://page.example.evil"}
    assert call(server.url + "/predict", "OPTIONS", None, {**stranger, **PREFLIGHT}).status == 405
    reply = call(server.url + "/predict", "POST", SCAM.encode(), {"Content-Type": "text/plain", **stranger})
    assert "access-control-allow-origin" not in reply.headers and reply.headers["vary"] == "Origin"


@pytest.mark.parametrize(("env", "message"), [
    ({"CORS_ORIGINS": "*"}, "CORS_ORIGINS takes origins"),
    ({"CORS_ORIGINS": "https://page.example/path"}, "CORS_ORIGINS takes origins"),
    ({"DEBUG": "1"}, "DEBUG must not be set"),
])
def test_unsafe_settings_stop_the_start(tmp_path, env, message):
    port = free_port()
    done = subprocess.run(
        [str(BIN / "functions-framework"), "--source", str(ROOT / "main.py"), "--target", "predict",
         "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and message in done.stdout + done.stderr


def test_headers_carry_no_version_and_are_hardened(base_url):
    for reply in (call(base_url + "/healthz"), call(base_url + "/nope"),
                  call(base_url + "/predict", "POST", b"{", {"Content-Type": "application/json"})):
        assert reply.headers["x-content-type-options"] == "nosniff"
        assert reply.headers["cache-control"] == "no-store"
        assert "server" not in reply.headers  # no software's name, let alone its version
        assert "x-powered-by" not in reply.headers
    assert call(base_url + "/").headers["cache-control"] == "public, max-age=300"  # the page's own


@pytest.mark.parametrize("path", ["/favicon.ico", "/robots.txt", "/v2/models/a%0Ab", "/predict%0A"])
def test_paths_the_framework_refuses_get_json_too(base_url, path):
    reply = call(base_url + path)
    assert reply.status == 404 and reply.headers["content-type"] == "application/json"
    assert "error" in reply.json() and b"<html" not in reply.body.lower()


@pytest.fixture
def page_elsewhere() -> Iterator[str]:
    """A page served from another origin (another port) than the function's."""
    port = free_port()

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"<!doctype html><title>elsewhere</title>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    server.server_close()


FETCH = """async ([url, text]) => {
  try {
    const reply = await fetch(url, {method: "POST", headers: {"Content-Type": "application/json"},
                                    body: JSON.stringify({text})});
    return (await reply.json()).label;
  } catch (error) { return "blocked: " + error.name; }
}"""


def test_a_browser_page_elsewhere_reads_answers_only_when_allowed(serve, page_elsewhere):
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (from PyPI)")
    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).is_file():
        pytest.skip(f"no Chromium at {chromium}: apt-get install -y chromium (Debian's package)")
    closed, allowing = serve(), serve({"CORS_ORIGINS": page_elsewhere})
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"]
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=args)
        page = browser.new_page()
        page.goto(page_elsewhere)
        assert page.evaluate(FETCH, [closed.url + "/predict", SCAM]) == "blocked: TypeError"
        assert page.evaluate(FETCH, [allowing.url + "/predict", SCAM]) == "scam"
        browser.close()
    assert any(r.get("httpRequest", {}).get("requestMethod") == "OPTIONS" for r in allowing.log_records())


def test_logs_of_a_whole_run_never_hold_the_text(serve):
    server = serve({"CORS_ORIGINS": "https://page.example"})
    secrets = [f"Kazimierz{i} parrotfish{i} ultramarine" for i in range(6)]
    bodies = [(secrets[0].encode(), "text/plain"),
              (json.dumps({"text": secrets[1]}).encode(), "application/json"),
              (json.dumps({"texts": [secrets[2], secrets[3]]}).encode(), "application/json"),
              (f"Subject: {secrets[4]}\r\n\r\n{secrets[4]}".encode(), "message/rfc822"),
              (json.dumps({"inputs": [{"name": "text", "datatype": "BYTES", "shape": [1],
                                       "data": [secrets[5]]}]}).encode(), "application/json"),
              (b'{"text": "' + secrets[0].encode(), "application/json"),  # refused: broken JSON
              (json.dumps({"texts": [secrets[1]] * 65}).encode(), "application/json")]  # refused: too many
    for body, content_type in bodies:
        path = "/v2/models/scam/infer" if b'"inputs"' in body else "/predict"
        call(server.url + path, "POST", body, {"Content-Type": content_type, "Origin": "https://page.example"})
    logs = server.logs()
    posts = [r for r in server.log_records() if r.get("httpRequest", {}).get("requestMethod") == "POST"]
    assert len(posts) == len(bodies) and sum(r["httpRequest"]["status"] == 200 for r in posts) == 5
    for word in ("Kazimierz", "parrotfish", "ultramarine"):
        assert word not in logs
