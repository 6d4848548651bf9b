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

The budget check (issue 11) sends each hostile request below, at the largest size under the body
limit, to a real server and reads the CPU time its process tree used from /proc: none may cost
more than BUDGET_SECONDS, and each must get its expected status. Then 8 maximum-size bodies of
emoji at once: the worker's peak RSS must stay under PEAK_MIB and its RSS return to within 10 %
of where it started.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from collections import Counter
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


def write_section(section: str) -> None:
    text = DOC.read_text() if DOC.exists() else f"# Reliability\n\n{BEGIN}\n{END}\n"
    if BEGIN not in text or END not in text:
        raise SystemExit(f"{DOC} lacks the markers {BEGIN} and {END}")
    pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.DOTALL)
    DOC.write_text(pattern.sub(lambda _: f"{BEGIN}\n{section}\n{END}", text))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="the test suite's short sizes")
    parser.add_argument("--max-minutes", type=float, default=45)
    parser.add_argument("--no-write", action="store_true", help=f"print the figures, leave {DOC.name}")
    args = parser.parse_args()
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
    return code


if __name__ == "__main__":
    raise SystemExit(main())
