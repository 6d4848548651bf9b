"""Schemathesis fuzzes the real server from its own /openapi.json, with every check on.

Every check: no 5xx, status codes, content types, headers and bodies as documented, schema-valid
requests accepted, schema-invalid ones refused, unsupported methods answered 405 (one exception,
explained in schemathesis.toml). Afterwards the server still answers, logged no error, and its
worker's peak memory stayed bounded.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.figures import record, size
from tests.load import peak_rss_mib, worker_pid
from tests.support import BIN, call

CONFIG = Path(__file__).with_name("schemathesis.toml")
PEAK_RSS_LIMIT_MIB = 512


def test_schemathesis_finds_no_failure(serve, tmp_path):
    server = serve()
    examples = size("FUZZ_EXAMPLES", 25)
    report = tmp_path / "schemathesis.json"
    command = [str(BIN / "schemathesis"), "--config-file", str(CONFIG), "run", server.url + "/openapi.json",
               "--max-examples", str(examples), "--workers", "1", "--request-timeout", "30",
               "--generation-database", "none", "--no-color",
               "--report", "json", "--report-json-path", str(report)]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True,
                            timeout=size("FUZZ_TIMEOUT", 240))
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-2000:]
    summary = json.loads(report.read_text())
    paths = call(server.url + "/openapi.json").json()["paths"]
    operations = sum(len(methods) for methods in paths.values()) - 1  # all but the document's own GET
    assert summary["operations"]["tested"] == summary["operations"]["total"] == operations
    assert summary["test_cases"]["generated"] >= operations * min(examples, 10)

    assert call(server.url + "/healthz").status == 200
    statuses = [r["httpRequest"]["status"] for r in server.log_records() if "httpRequest" in r]
    assert len(statuses) >= summary["test_cases"]["generated"]
    assert not [s for s in statuses if s >= 500]
    assert not [r for r in server.log_records() if r.get("severity") == "ERROR"]
    assert "Traceback" not in server.logs()
    peak = peak_rss_mib(worker_pid(server.process.pid))
    assert peak < PEAK_RSS_LIMIT_MIB
    record("fuzz", cases=summary["test_cases"]["generated"], requests=len(statuses),
           server_errors=sum(s >= 500 for s in statuses), client_errors=sum(400 <= s < 500 for s in statuses),
           operations=operations, examples_per_operation=examples, peak_rss_mib=round(peak, 1),
           seconds=round(summary["running_time"], 1), seed=summary["seed"])
