"""The long versions of the hardening tests, the cost of hostile requests, and the figures for
docs/reliability.md.

    .venv/bin/python -m bench.soak           # the soak: about 10-15 minutes on 2 cores
    .venv/bin/python -m bench.soak --quick   # the test suite's short sizes, for a first look
    .venv/bin/python -m bench.soak --budget  # only the hostile requests' CPU and memory budget

It runs the same tests as `make test` (fuzzing, properties, load, faults, security, lazy
loading, Cloud Storage faults) with larger sizes, collects what each measured, and rewrites the
figures in docs/reliability.md between its markers. Every part is bounded: schemathesis by its
example count and a timeout, Hypothesis by its example count, wrk by a request count per
connection and a duration, the whole run by --max-minutes.

The budget check (issue 11, and issue 20's transport rows "20.x") sends each hostile request
below, at the largest size under the body limit, to a real server and reads the CPU time its
process tree used from /proc: none may cost
more than BUDGET_SECONDS, and each must get its expected status. Then 8 maximum-size bodies of
emoji at once: the worker's peak RSS must stay under PEAK_MIB and its RSS return to within 10 %
of where it started. Last, issue 20's row 5: two clients open FLOOD_CONNECTIONS connections that
send nothing while /healthz is asked every 50 ms; its slowest answer must come within 1 s.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "reliability.md"
BEGIN, END = "<!-- soak:begin -->", "<!-- soak:end -->"
TESTS = ["tests/e2e/test_fuzz.py", "tests/unit/test_properties.py", "tests/e2e/test_load.py",
         "tests/e2e/test_faults.py", "tests/e2e/test_security.py", "tests/e2e/test_lazy.py",
         "tests/e2e/test_gcs.py"]
SOAK = {"FUZZ_EXAMPLES": 1000, "FUZZ_TIMEOUT": 1200, "PROPERTY_EXAMPLES": 5000,
        "LOAD_REQUESTS": 20_000, "LOAD_WARMUP": 2_000}
BUDGET_BEGIN, BUDGET_END = "<!-- budget:begin -->", "<!-- budget:end -->"
BODY_LIMIT = 1 << 20  # MAX_BODY_BYTES, the default
BUDGET_SECONDS = 1.0  # CPU per request
PEAK_MIB, SETTLE_GROWTH = 400, 0.10
FLOOD_CONNECTIONS, FLOOD_SECONDS = 20_500, 12.0


# Hostile message bodies (issue 11), each `size` bytes or about: the unit tests send them at two
# sizes to see the cost grow no faster than the size, the budget check at the body limit.

def rfc822(headers: str, body: bytes = b"hello") -> bytes:
    return headers.replace("\n", "\r\n").encode("latin-1") + b"\r\n\r\n" + body


def charset_semicolons(size: int) -> bytes:
    """Row 1: a Content-Type charset opened by a quote, then only ";"."""
    return rfc822('Subject: x\nContent-Type: text/plain; charset="' + ";" * (size - 60))


def param_parts(size: int) -> bytes:
    """Row 1 spread over parts: each part's Content-Type full of quoted ";"."""
    part = b'--b\r\nContent-Type: text/plain; charset="' + b";" * 8000 + b'"\r\n\r\nx\r\n'
    return rfc822('Subject: x\nContent-Type: multipart/mixed; boundary="b"', part * (size // len(part)))


def long_charref(digits: int = 4400) -> str:
    """Row 2: a decimal character reference past int()'s 4,300-digit limit."""
    return "<p>&#" + "1" * digits + ";"


def charref_part(size: int) -> bytes:
    return rfc822("Subject: x\nContent-Type: text/html", long_charref(size - 60).encode())


def punycode_part(size: int) -> bytes:
    """Row 6: a part whose charset is punycode, whose decoding is quadratic."""
    return rfc822("Subject: p\nContent-Type: text/plain; charset=punycode", b"a-" + b"9" * (size - 70))


def only(kind: str) -> bytes:
    """Row 11: a message with nothing the model can read."""
    if kind == "pdf":
        return rfc822('From: a@b.c\nContent-Type: multipart/mixed; boundary="x"',
                      b"--x\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                      b"JVBERi0xLjQK\r\n--x--\r\n")
    if kind == "image":
        return rfc822("From: a@b.c\nContent-Type: image/png\nContent-Transfer-Encoding: base64",
                      b"iVBORw0KGgo=")
    return b"From: a@b.c\r\nTo: d@e.f\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\n"


def html_part(kind: str, size: int) -> bytes:
    """Row 14: an HTML part of tag soup."""
    markup = b"><" * (size // 2 - 30) if kind == "><" else b"<title>" + b"<a>" * (size // 3 - 20)
    return rfc822("Subject: x\nContent-Type: text/html", markup)


def nested_lines(size: int, depth: int = 150) -> bytes:
    """Multiparts nested `depth` deep, then empty lines: each line is checked against every open
    boundary."""
    opening = "".join(f'Content-Type: multipart/mixed; boundary="b{i}"\n\n--b{i}\n' for i in range(depth))
    head = rfc822(f"Subject: deep\n{opening}Content-Type: text/plain", b"hello\r\n")
    return head + b"\n" * (size - len(head))


def emoji(size: int, seed: int = 0) -> bytes:
    """Row 5: random emoji, about 4 tokens each."""
    rng = random.Random(seed)
    return "".join(chr(rng.randint(0x1F300, 0x1F6FF)) for _ in range(size // 4)).encode()


# The budget check: each hostile request as raw HTTP, sent to a real server.

@dataclass(frozen=True)
class Hostile:
    row: str  # the row
    name: str
    request: bytes  # the raw HTTP request
    expected: tuple[int, ...]  # the statuses that are right
    half_close: bool = False  # end our side after sending (a body cut short)


def post(body: bytes, content_type: str = "text/plain", path: str = "/predict", extra: str = "",
         length: int | None = None) -> bytes:
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            f"Content-Type: {content_type}\r\n{extra}"
            f"Content-Length: {len(body) if length is None else length}\r\n\r\n")
    return head.encode("latin-1") + body


def mail(raw: bytes) -> bytes:
    return post(raw, "message/rfc822")


def chunked(body: bytes, content_type: str, size: str = "", extension: str = "", end: bool = True,
            piece: int = 65536) -> bytes:
    """A chunked request of chunks of `piece` bytes; `size` replaces each chunk's size, `extension`
    is added to it."""
    chunks = [body[i:i + piece] for i in range(0, len(body), piece)]
    framed = b"".join(f"{size or format(len(c), 'x')}{extension}\r\n".encode() + c + b"\r\n"
                      for c in chunks)
    head = (f"POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            f"Content-Type: {content_type}\r\nTransfer-Encoding: chunked\r\n\r\n")
    return head.encode() + framed + (b"0\r\n\r\n" if end else b"")


def get(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode("latin-1")


def v2(document: dict | bytes, extra: str = "") -> bytes:
    body = document if isinstance(document, bytes) else json.dumps(document).encode()
    return post(body, "application/json", "/v2/models/scam/infer", extra)


def v2_texts(texts: list[str], shape: list[int] | None = None) -> dict:
    return {"inputs": [{"name": "text", "datatype": "BYTES", "shape": shape or [len(texts)], "data": texts}]}


def hostile(limit: int = BODY_LIMIT) -> list[Hostile]:
    """Issue 11's rows, then issue 20's transport rows ("20.4"), as requests, each body as large as
    the limit allows."""
    size = limit - 1024
    upload = (b'--z\r\nContent-Disposition: form-data; name="file"; filename="m.eml"\r\n\r\n'
              + b"a" * (2 * limit) + b"\r\n--z--\r\n")
    huge_shape = (b'{"inputs": [{"name": "text", "datatype": "BYTES", "shape": ['
                  + b", ".join([b"9" * 4000] * 250) + b'], "data": ["hi"]}]}')
    form = "application/x-www-form-urlencoded"
    ok, bad = (200,), (400,)
    return [
        Hostile("1", 'rfc822: charset=" then 1 MiB of ;', mail(charset_semicolons(size)), ok),
        Hostile("1", "rfc822: 120 parts, each charset 8 KB of ;", mail(param_parts(size)), ok),
        Hostile("2", "text/plain <p>&# + 4,400 digits", post(long_charref().encode()), ok),
        Hostile("2", "JSON batch with one such text",
                post(json.dumps({"texts": [long_charref(), "hi"]}).encode(), "application/json"), ok),
        Hostile("2", "form field with one", post(b"text=%3Cp%3E%26%23" + b"1" * 4400 + b"%3B", form), ok),
        Hostile("2", "rfc822 HTML part of 1 MiB of digits", mail(charref_part(size)), ok),
        Hostile("2", "V2 infer with one", v2(v2_texts([long_charref()])), ok),
        Hostile("4", "chunked multipart, 2 MiB file part",
                chunked(upload, "multipart/form-data; boundary=z"), (413,)),
        Hostile("4", "chunked urlencoded, 2 MiB of a=&", chunked(b"a=&" * (2 * limit // 3), form), (413,)),
        Hostile("5", "text/plain, 1 MiB of random emoji", post(emoji(size)), ok),
        Hostile("6", "text/plain; charset=punycode, 1 MiB",
                post(b"a-" + b"9" * size, "text/plain; charset=punycode"), (415,)),
        Hostile("6", "rfc822 part in punycode, 1 MiB", mail(punycode_part(size)), ok),
        Hostile("7", "charset=undefined", post(b"hello", "text/plain; charset=undefined"), (415,)),
        Hostile("7", "charset=idna, xn--zz", post(b"xn--zz", "text/plain; charset=idna"), (415,)),
        Hostile("7", "charset=punycode, abc-99999",
                post(b"abc-99999", "text/plain; charset=punycode"), (415,)),
        Hostile("7", "V2 Inference-Header-Content-Length of 5,000 digits",
                v2(v2_texts(["hi"]), f"Inference-Header-Content-Length: {'9' * 5000}\r\n"), bad),
        Hostile("7", "V2 shape 40,000 x 2^62", v2(v2_texts(["hi"], [40_000, 2**62])), bad),
        Hostile("7", "V2 shape of 250 numbers of 4,000 digits", v2(huge_shape), bad),
        Hostile("7", "chunk size zz", chunked(b"hello", "text/plain", size="zz"), bad),
        Hostile("7", "chunked body cut off", chunked(b"hello" * 1000, "text/plain", end=False), bad,
                half_close=True),
        Hostile("7", "100 KB chunk extension",
                chunked(b"hello", "text/plain", extension=";" + "x" * 100_000), bad),
        Hostile("8", "10 MB request line", get("/" + "a" * 10_000_000), (414,)),
        Hostile("11", "rfc822 with only a PDF", mail(only("pdf")), bad),
        Hostile("11", "rfc822 with only an image", mail(only("image")), bad),
        Hostile("11", "rfc822 with only headers", mail(only("headers")), bad),
        Hostile("12", "GET /v2//health/live", get("/v2//health/live"), (200, 404)),
        Hostile("12", "GET /v2/models//scam", get("/v2/models//scam"), (200, 404)),  # as /v2/models/scam
        Hostile("13", "Content-Length: 100, 5 bytes, EOF", post(b"hello", length=100), bad, half_close=True),
        Hostile("14", "rfc822 HTML part of 1 MiB of ><", mail(html_part("><", size)), ok),
        Hostile("14", "rfc822 <title> + 300k <a>", mail(html_part("<a>", size)), ok),
        Hostile("14", "rfc822 150 nested multiparts + 1 MiB of empty lines", mail(nested_lines(size)), ok),
        Hostile("15", "form with invalid UTF-8", post(b"text=caf%E9", form), bad),
        Hostile("15", "JSON declared and sent as UTF-16",
                post('{"text": "hello"}'.encode("utf-16"), "application/json; charset=utf-16"), (200, 415)),
        Hostile("15", "Content-Encoding: gzip",
                post(b"\x1f\x8b" + b"x" * 100, extra="Content-Encoding: gzip\r\n"), (400, 415)),
        Hostile("20.4", "chunked, 1,000,000 one-byte chunks",
                chunked(b"a" * 1_000_000, "text/plain", piece=1), (413,)),
        Hostile("20.8", "Content-Length: 10^11, 16 MiB sent", post(b"a" * (16 << 20), length=10**11), (413,)),
        Hostile("20.9", "1 MiB text, then a half-close", post(b"Pay the fee now. " * (size // 17)), ok,
                half_close=True),
        Hostile("20.14", "GET http://127.0.0.1/healthz", get("http://127.0.0.1/healthz"), ok),
        Hostile("20.14", "OPTIONS *", get("*").replace(b"GET", b"OPTIONS", 1), (200, 404)),
        Hostile("20.16", "Transfer-Encoding and Content-Length",
                post(b"5\r\nhello\r\n0\r\n\r\n", extra="Transfer-Encoding: chunked\r\n"), bad),
    ]


def exchange(port: int, request: bytes, half_close: bool = False, timeout: float = 30) -> int:
    """Sends a raw request and returns the answer's status (0 if none came)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        try:
            sock.sendall(request)
            if half_close:
                sock.shutdown(socket.SHUT_WR)
        except OSError:  # refused halfway (414, 413): the answer may still be there to read
            pass
        answer = b""
        try:
            while b"\r\n" not in answer:
                piece = sock.recv(65536)
                if not piece:
                    break
                answer += piece
        except OSError:
            pass
    first = answer.split(b"\r\n", 1)[0].split()
    return int(first[1]) if len(first) > 1 and first[1].isdigit() else 0


def rss_mib(server) -> float:
    """The resident set of the server's largest process (the worker holding the model)."""
    from bench.servers import status_kib

    return max(status_kib(pid, "VmRSS") for pid in server._pids()) / 1024


def _idle_connections(port: int, count: int, hold: float) -> None:
    """A flood client: opens `count` connections that send nothing and holds them `hold` seconds."""
    held = []
    for _ in range(count):
        with contextlib.suppress(OSError):  # refused or reset: the server is shedding them
            held.append(socket.create_connection(("127.0.0.1", port), timeout=5))
    time.sleep(hold)


def _healthz_seconds(port: int) -> float | None:
    """How long /healthz took to answer, or None if it did not."""
    started = time.perf_counter()
    try:
        status = exchange(port, get("/healthz"), timeout=10)
    except OSError:  # refused, or no connection within the timeout
        return None
    return time.perf_counter() - started if status == 200 else None


def flood(port: int) -> dict:
    """/healthz, asked every 50 ms while two clients open FLOOD_CONNECTIONS idle connections."""
    clients = [multiprocessing.Process(target=_idle_connections, args=(port, FLOOD_CONNECTIONS // 2, 8.0))
               for _ in range(2)]
    for client in clients:
        client.start()
    waits: list[float | None] = []
    end = time.perf_counter() + FLOOD_SECONDS
    while time.perf_counter() < end:
        waits.append(_healthz_seconds(port))
        time.sleep(0.05)
    for client in clients:
        client.join()
    answered = sorted(w for w in waits if w is not None)
    worst = answered[-1] if answered else float("nan")
    return {"asked": len(waits), "unanswered": len(waits) - len(answered), "worst_s": round(worst, 2),
            "median_s": round(answered[len(answered) // 2], 3) if answered else None,
            "over_1s": sum(w > 1 for w in answered), "ok": len(answered) == len(waits) and worst <= 1.0}


def budget_check() -> dict:
    """Each hostile request's CPU (the server's process tree, from /proc) and status, then 8
    maximum-size bodies of emoji at once: the worker's peak and settled RSS."""
    from bench import servers

    port = servers.free_port()
    argv, env = servers.command("a", port, ROOT / "model")
    server = servers.spawn(argv, port, env)
    rows = []
    try:
        server.settle()
        for case in hostile():
            before = server.cpu_seconds()
            status = exchange(port, case.request, case.half_close)
            server.settle()
            seconds = server.cpu_seconds() - before
            rows.append({"row": case.row, "name": case.name, "bytes": len(case.request), "status": status,
                         "expected": list(case.expected), "cpu_seconds": round(seconds, 2),
                         "ok": status in case.expected and seconds <= BUDGET_SECONDS})
        start = rss_mib(server)
        bodies = [post(emoji(BODY_LIMIT - 1024, seed)) for seed in range(8)]
        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(lambda body: exchange(port, body), bodies))
        peak = server.peak_rss_mib()
        server.settle()
        after = rss_mib(server)
        flooded = flood(port)
    finally:
        server.stop()
    memory = {"statuses": statuses, "start_mib": round(start, 1), "peak_mib": round(peak, 1),
              "after_mib": round(after, 1),
              "ok": statuses == [200] * 8 and peak < PEAK_MIB and after <= start * (1 + SETTLE_GROWTH)}
    return {"requests": rows, "memory": memory, "flood": flooded}


def budget_markdown(result: dict, date: str) -> str:
    memory = result["memory"]
    out = [f"Last run: {date}, `python -m bench.soak --budget`: the function (one uvicorn worker on one "
           f"core, as deployed) on 127.0.0.1, each request sent alone as raw HTTP; CPU is the server's whole "
           f"process tree, from /proc, until it is idle again. Budget: {BUDGET_SECONDS:g} s of CPU.", "",
           "| row | request | bytes | status | expected | CPU s | |", "|---|---|---|---|---|---|---|"]
    out += [f"| {r['row']} | `{r['name']}` | {r['bytes']:,} | {r['status']} | "
            f"{' or '.join(map(str, r['expected']))} | {r['cpu_seconds']} | "
            f"{'ok' if r['ok'] else '**over**'} |"
            for r in result["requests"]]
    out += ["", f"Row 5, 8 bodies of 1 MiB of random emoji at once: statuses {memory['statuses']}; "
            f"worker RSS "
            f"{memory['start_mib']} MiB before, peak {memory['peak_mib']} MiB (limit {PEAK_MIB}), "
            f"{memory['after_mib']} MiB after (limit +{SETTLE_GROWTH:.0%}): "
            f"{'ok' if memory['ok'] else '**over**'}."]
    f = result["flood"]
    out += ["", f"Row 5, {FLOOD_CONNECTIONS:,} connections that send nothing, opened by two clients at once: "
            f"/healthz asked {f['asked']} times (every 50 ms for {FLOOD_SECONDS:g} s), {f['unanswered']} "
            f"unanswered, median {f['median_s']} s, slowest {f['worst_s']} s, {f['over_1s']} over 1 s: "
            f"{'ok' if f['ok'] else '**over**'}."]
    return "\n".join(out)


def run_tests(sizes: dict[str, int], figures: Path, junit: Path, minutes: float) -> int:
    env = {**os.environ, "RELIABILITY_FIGURES": str(figures),
           **{f"SOAK_{name}": str(value) for name, value in sizes.items()}}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={junit}", *TESTS]
    return subprocess.run(command, cwd=ROOT, env=env, timeout=minutes * 60).returncode


def outcomes(junit: Path) -> list[tuple[str, str, float]]:
    """(file::test, passed|failed|skipped, seconds) for each test case."""
    found = []
    for case in ElementTree.parse(junit).iter("testcase"):
        kinds = {child.tag for child in case}
        outcome = "failed" if kinds & {"failure", "error"} else "skipped" if "skipped" in kinds else "passed"
        name = f"{case.get('classname', '').rsplit('.', 1)[-1]}::{case.get('name')}"
        found.append((name, outcome, float(case.get("time", 0))))
    return found


def _by_test(figures: list[dict], test: str) -> list[dict]:
    return [f for f in figures if f["test"] == test]


def markdown(figures: list[dict], cases: list[tuple[str, str, float]], meta: dict) -> str:
    counts = Counter(outcome for _, outcome, _ in cases)
    out = [f"Last run: {meta['date']}, `{meta['command']}`, {meta['minutes']:.1f} minutes on "
           f"{meta['cpus']} cores (load average {meta['load']} at the start). "
           f"Tests: {counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped.", ""]
    for fuzz in _by_test(figures, "fuzz"):
        out += ["### Fuzzing", "",
                f"- Schemathesis {fuzz['examples_per_operation']} examples per operation, every check, "
                f"{fuzz['operations']} operations: **{fuzz['cases']:,} cases**, "
                f"{fuzz['requests']:,} requests served, **{fuzz['server_errors']} 5xx**, "
                f"{fuzz['client_errors']:,} clear 4xx refusals, "
                f"worker peak RSS {fuzz['peak_rss_mib']} MiB, {fuzz['seconds']} s."]
    for properties in _by_test(figures, "properties"):
        parts = ", ".join(f"{k} {v:,}" for k, v in properties.items()
                          if k not in ("test", "cases", "examples_per_property"))
        out += [f"- Hypothesis: **{properties['cases']:,} cases** ({parts}), no exception but the "
                "documented ones."]
    bombs = _by_test(figures, "bomb")
    if bombs:
        out += ["", "| MIME bomb (`message/rfc822`) | bytes | seconds | peak memory |", "|---|---|---|---|"]
        out += [f"| {b['name']} | {b['bytes']:,} | {b['seconds']} | "
                + ("not traced |" if b["peak_mib"] is None else f"{b['peak_mib']} MiB |") for b in bombs]
    texts = _by_test(figures, "pathological")
    if texts:
        out += ["", "| pathological text | characters | seconds to clean |", "|---|---|---|"]
        out += [f"| {t['name']} | {t['chars']:,} | {t['seconds']} |" for t in texts]
    for load in _by_test(figures, "load"):
        growth = (load["after_rss_mib"] / load["warm_rss_mib"] - 1) * 100
        out += ["", "### Load (wrk, mixed plain-text, single and batch requests)", "",
                "| concurrency | requests | wrong status | answer differs from alone | socket errors "
                "| requests/s | p50 ms | p99 ms | max ms |", "|---|---|---|---|---|---|---|---|---|"]
        out += [f"| {r['connections']} | {r['requests']:,} | {r['wrong_status']} | {r['mismatched']} | "
                f"{r['socket_errors']} | {r['per_second']:.0f} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | "
                f"{r['max_ms']:.1f} |" for r in load["runs"]]
        out += ["", f"Worker RSS after warm-up {load['warm_rss_mib']} MiB, after the runs "
                f"{load['after_rss_mib']} MiB ({growth:+.1f} %; the limit is +10 %)."]
    for cold in _by_test(figures, "cold"):
        out += [f"A cold instance hit by {cold['connections']} simultaneous connections: {cold['requests']} "
                f"requests, {cold['errors']} errors, the model loaded **{cold['loads']}** time(s)."]
    out += ["", "### Faults injected", "", "| test | outcome | seconds |", "|---|---|---|"]
    out += [f"| `{name}` | {outcome} | {seconds:.1f} |" for name, outcome, seconds in cases
            if name.split("::")[0] in ("test_faults", "test_lazy", "test_gcs")]
    for sigterm in _by_test(figures, "sigterm"):
        out += ["", f"SIGTERM with {sigterm['in_flight']} requests in flight: {sigterm['finished']} finished "
                f"with 200, then the server exited with code {sigterm['exit_code']} "
                f"{sigterm['seconds_to_exit']} s after the signal."]
    return "\n".join(out)


def write_section(section: str, begin: str = BEGIN, end: str = END) -> None:
    text = DOC.read_text() if DOC.exists() else f"# Reliability\n\n{begin}\n{end}\n"
    if begin not in text or end not in text:
        raise SystemExit(f"{DOC} lacks the markers {begin} and {end}")
    pattern = re.compile(re.escape(begin) + ".*?" + re.escape(end), re.DOTALL)
    DOC.write_text(pattern.sub(lambda _: f"{begin}\n{section}\n{end}", text))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="the test suite's short sizes")
    parser.add_argument("--max-minutes", type=float, default=45)
    parser.add_argument("--no-write", action="store_true", help=f"print the figures, leave {DOC.name}")
    parser.add_argument("--budget", action="store_true",
                        help="only the hostile requests' CPU and memory budget")
    args = parser.parse_args()
    budget = budget_check()
    date = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(budget_markdown(budget, date))
    if not args.no_write:
        write_section(budget_markdown(budget, date), BUDGET_BEGIN, BUDGET_END)
    within = all(r["ok"] for r in budget["requests"]) and budget["memory"]["ok"] and budget["flood"]["ok"]
    if args.budget:
        return 0 if within else 1
    sizes = {} if args.quick else SOAK
    started = time.perf_counter()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as folder:
        figures_path, junit = Path(folder) / "figures.jsonl", Path(folder) / "junit.xml"
        figures_path.touch()
        code = run_tests(sizes, figures_path, junit, args.max_minutes)
        figures = [json.loads(line) for line in figures_path.read_text().splitlines()]
        cases = outcomes(junit)
    meta = {"date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "cpus": os.cpu_count(),
            "load": f"{load:.1f}",
            "command": "python -m bench.soak" + (" --quick" if args.quick else ""),
            "minutes": (time.perf_counter() - started) / 60}
    section = markdown(figures, cases, meta)
    print(section)
    if not args.no_write:
        write_section(section)
    return code or (0 if within else 1)


if __name__ == "__main__":
    raise SystemExit(main())
