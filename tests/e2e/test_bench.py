"""The bench's own parts, on real servers: the forms it compares, wrk, the timers, the cost model.

`python -m bench --quick` runs them all together (minutes); these check each part in seconds.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from bench import cost, docs, gcs, load
from bench.servers import ROOT, TYPICAL, start
from tests.support import HAM, MODEL, SCAM, call

needs_wrk = pytest.mark.skipif(shutil.which("wrk") is None,
                               reason="wrk is not installed (apt-get install wrk)")


@pytest.mark.parametrize("form", ["c", "d"])
def test_the_floor_and_the_seed_answer_the_design_documents_exchange(form):
    running = start(form, MODEL)
    try:
        url = f"http://127.0.0.1:{running.port}/predict"
        replies = [call(url, "POST", text.encode(), {"Content-Type": "text/plain"}) for text in (SCAM, HAM)]
    finally:
        running.stop()
    assert running.cold_start > 0
    assert [r.status for r in replies] == [200, 200]
    if form == "d":  # the seed serves the same model: scam -> true, ham -> false (as JSON booleans)
        assert [r.json() for r in replies] == [True, False]
    else:  # the bare function answers without any model
        assert [r.body for r in replies] == [b"false", b"false"]


@needs_wrk
def test_wrk_measures_the_function_and_its_cpu_and_refuses_failed_answers():
    running = start("a", MODEL)
    try:
        cpu = running.cpu_seconds()
        result = load.run(running.port, TYPICAL.encode(), "text/plain", 2, 1)
        running.settle()
        used = running.cpu_seconds() - cpu
        with pytest.raises(RuntimeError, match="failed requests"):
            load.run(running.port, b"<x/>", "application/xml", 1, 1)  # 415: not a measurement
        rss = running.peak_rss_mib()
    finally:
        running.stop()
    assert result.requests > 10
    assert 0 < result.p50 <= result.p90 <= result.p99
    assert result.per_second == pytest.approx(result.requests, rel=0.2)  # one second of load
    assert used > 0
    assert 30 < rss < 1024


def test_startup_timers_split_imports_from_the_model_load():
    done = subprocess.run([sys.executable, "-m", "bench.startup", "a", str(MODEL)], cwd=ROOT,
                          capture_output=True, text=True, check=True)
    phases = json.loads(done.stdout.strip().splitlines()[-1])
    assert phases["imports"] > 0.01
    assert phases["model"] > 0.005
    assert "Dear" not in done.stdout  # the lazy load logs, never e-mail text


def test_the_model_downloads_from_the_storage_emulator_and_serves(tmp_path):
    with gcs.emulator() as url:
        uri = gcs.upload(url, MODEL, "bench-test")
        seconds = gcs.download_seconds(url, uri, tmp_path / "cache")
        env = {"MODEL_URI": uri, "STORAGE_EMULATOR_HOST": url, "MODEL_CACHE_DIR": str(tmp_path / "serve")}
        running = start("a", MODEL, env=env)
        running.stop()
    assert seconds > 0
    assert sorted(p.name for p in (tmp_path / "serve").iterdir())  # the server filled its own cache
    assert running.cold_start > 0


def test_cost_model_grows_with_traffic_and_bills_an_idle_minimum():
    def plan(rate: float, min_instances: int = 0) -> dict:
        return cost.plan(rate, cpu_seconds=0.001, latency=0.002, concurrency=8, min_instances=min_instances,
                         memory_gib=0.5, vcpu=1)

    one, busy, kept = plan(1), plan(1000), plan(1, min_instances=1)
    assert one["instances"] == 1 and busy["instances"] == 2  # 1 CPU-second per second at 60 % each
    assert one["per_million"] > busy["per_million"]  # sparse requests each pay a 100 ms minimum
    assert kept["per_month"] > one["per_month"]
    assert cost.cold_share(1, 15) > cost.cold_share(60, 15) > cost.cold_share(3600, 15)
    assert cost.instance_memory_gib(200) == 0.25 and cost.instance_memory_gib(300) == 0.5


def test_generated_tables_replace_only_their_own_block(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(f"# Title\n\nprose\n\n{docs.BEGIN}\nold\n{docs.END}\n\nmore prose\n")
    docs.inject(page, "new table")
    assert page.read_text() == f"# Title\n\nprose\n\n{docs.BEGIN}\nnew table\n{docs.END}\n\nmore prose\n"
