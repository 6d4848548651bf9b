"""Load with wrk on the real server: no errors, every answer as when asked alone, no leak, one load.

The short version of bench/soak.py (which sets SOAK_LOAD_REQUESTS and SOAK_LOAD_WARMUP).
"""

from __future__ import annotations

import random
from dataclasses import asdict

import pytest

from tests import load
from tests.figures import record, size

REQUESTS = size("LOAD_REQUESTS", 1200)  # at each concurrency
WARMUP = size("LOAD_WARMUP", 640)
LEAK_TOLERANCE = 0.10


@pytest.fixture(scope="module")
def mix() -> list[load.Request]:
    return load.mix()


def loads(server) -> int:
    return sum(r.get("message") == "model loaded" for r in server.log_records())


def test_concurrency_1_8_64_without_errors_leaks_or_wrong_answers(serve, mix):
    server = serve()
    answers = load.answers_alone(server.url, mix)
    worker = load.worker_pid(server.process.pid)
    warmup = load.run(server.url, mix, answers, 64, WARMUP)
    assert warmup.errors == 0
    warm_rss = load.rss_mib(worker)
    results = [load.run(server.url, mix, answers, c, REQUESTS) for c in (1, 8, 64)]
    after_rss = load.rss_mib(worker)
    record("load", warm_rss_mib=round(warm_rss, 1), after_rss_mib=round(after_rss, 1),
           runs=[{**asdict(r), "per_second": round(r.per_second, 1)} for r in results])
    for result in results:
        assert result.requests >= REQUESTS, result
        assert (result.wrong_status, result.mismatched, result.socket_errors) == (0, 0, 0), result
    assert after_rss <= warm_rss * (1 + LEAK_TOLERANCE), f"RSS {warm_rss:.1f} -> {after_rss:.1f} MiB"
    assert loads(server) == 1
    logs = server.logs()  # thousands of requests logged, none of their texts
    assert not [text for text in load.texts(2 * len(mix)) if text[:40] in logs]


def test_a_wrong_answer_is_caught(serve, mix):
    """The comparison can fail: answers shuffled between requests are counted as mismatches."""
    server = serve()
    answers = load.answers_alone(server.url, mix)
    shuffled = answers[1:] + answers[:1]
    result = load.run(server.url, mix, shuffled, 8, 2 * len(mix))
    assert result.wrong_status == 0 and result.mismatched > result.requests // 2, result


def test_64_simultaneous_first_requests_load_the_model_once(serve, mix):
    reference = serve()
    answers = load.answers_alone(reference.url, mix)
    cold = serve()
    assert loads(cold) == 0
    order = random.Random(64).sample(range(len(mix)), len(mix))
    result = load.run(cold.url, [mix[i] for i in order], [answers[i] for i in order], 64, 64 * 4)
    assert (result.requests, result.errors) == (64 * 4, 0), result
    assert loads(cold) == 1
    record("cold", connections=64, requests=result.requests, errors=result.errors, loads=loads(cold),
           p50_ms=result.p50_ms, max_ms=result.max_ms)
