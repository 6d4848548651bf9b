"""The bench's own parts, on real servers: the forms it compares, wrk, the timers, the cost model.

`python -m bench --quick` runs them all together (minutes); these check each part in seconds.
"""

from __future__ import annotations

import http.client
import json
import shutil
import statistics
import subprocess
import sys

import pytest

from bench import cost, docs, gcs, load, measure
from bench.servers import ROOT, TYPICAL, post, start
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


def test_the_floor_loads_on_its_first_request_and_scores_each_text():
    running = start("floor", MODEL)
    try:
        url = f"http://127.0.0.1:{running.port}/predict"
        scores = [call(url, "POST", text.encode(), {"Content-Type": "text/plain"}).json()
                  for text in (SCAM, HAM)]
    finally:
        running.stop()
    assert running.cold_start > 0
    assert all(0 <= score <= 1 for score in scores)
    assert scores[0] > scores[1]  # the same model as the function's: the scam scores higher


@pytest.mark.parametrize("form", ["function", "floor"])
def test_the_budget_itemises_one_cold_start_of_the_function_and_of_the_floor(form):
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "bench.budget", form, str(MODEL)],
                          cwd=ROOT, capture_output=True, text=True, check=True)
    found = json.loads(next(line for line in done.stdout.splitlines() if line.startswith("BUDGET "))[7:])
    parts = found["parts"]
    loaded = {"session", "tokenizer", "metadata"}
    if form == "function":
        loaded |= {"sha256", "canaries", "setup"}
    assert {"interpreter", "framework", "libraries", "code", "request", "warm_request"} | loaded <= set(parts)
    assert all(parts[part] > 0 for part in loaded)
    assert parts["session"] > parts["warm_request"]  # the load was timed apart from the request's own work
    modules = measure.module_times(done.stderr)
    assert ("function.mail" in modules) == (form == "function")
    assert "Dear" not in done.stdout  # the function logs, never e-mail text


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


def _requests(running, count: int) -> None:
    """`count` POSTs of the typical e-mail on one new keep-alive connection (the server closes an
    idle one after gunicorn's keep-alive of 2 s)."""
    connection = http.client.HTTPConnection("127.0.0.1", running.port, timeout=30)
    try:
        for _ in range(count):
            assert post(connection, TYPICAL.encode())[0] == 200
    finally:
        connection.close()


def test_the_function_and_the_containers_start_command_cost_the_same_cpu_per_request():
    """(a) `functions-framework` as deployed and (b) the same with the image's MODEL_PRELOAD=true
    serve at once on the server core; the same requests, sent to each in turns (so the machine's
    other work hits both alike), cost each the same server CPU (user + system time from /proc,
    not wall time) within 10 %."""
    servers = {}
    ratios = []
    try:
        for form in ("a", "b"):
            servers[form] = start(form, MODEL)
        for running in servers.values():
            _requests(running, 50)  # warm: the first requests measure the model, then run on the event loop
        for turn in range(16):
            used = {}
            for form in ("a", "b") if turn % 2 else ("b", "a"):
                before = servers[form].thread_cpu_seconds()
                _requests(servers[form], 100)
                used[form] = servers[form].thread_cpu_seconds() - before
            ratios.append(used["b"] / used["a"])
    finally:
        for running in servers.values():
            running.stop()
    # Each turn's pair ran within a fraction of a second: the median of their ratios leaves out the
    # turns where the machine's other work hit one of the two.
    assert 0.9 <= statistics.median(ratios) <= 1.1, sorted(round(r, 3) for r in ratios)
