"""`python -m bench [--quick]`: cold start and warm latency of the function, measured here.

Prints a markdown table. Every figure is a median (and p90/p99) over repeated runs, with
the run count shown.
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import sys
import time

from tqdm import tqdm

from bench.servers import TYPICAL, free_port, function_command, post, spawn


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def cold_starts(runs: int) -> list[float]:
    times = []
    for _ in tqdm(range(runs), desc="cold start", file=sys.stderr):
        port = free_port()
        running = spawn(function_command(port), port)
        times.append(running.cold_start)
        running.stop()
    return times


def warm_latencies(requests: int, body: bytes) -> list[float]:
    port = free_port()
    running = spawn(function_command(port), port)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    times = []
    try:
        for _ in range(20):  # warm-up
            post(connection, body)
        for _ in tqdm(range(requests), desc="warm latency", file=sys.stderr):
            started = time.perf_counter()
            status, _ = post(connection, body)
            times.append(time.perf_counter() - started)
            assert status == 200
    finally:
        connection.close()
        running.stop()
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer runs, for a smoke check")
    args = parser.parse_args(argv)
    runs, requests = (3, 200) if args.quick else (10, 1000)

    cold = cold_starts(runs)
    warm = warm_latencies(requests, TYPICAL.encode())
    ms = 1000.0
    print("\n| measurement | runs | median | p90 | p99 |")
    print("|---|---|---|---|---|")
    print(f"| function cold start (spawn -> first prediction) | {runs} | "
          f"{statistics.median(cold) * ms:.0f} ms | {percentile(cold, 90) * ms:.0f} ms | - |")
    print(f"| function warm latency, typical e-mail (~300 words) | {requests} | "
          f"{statistics.median(warm) * ms:.2f} ms | {percentile(warm, 90) * ms:.2f} ms | "
          f"{percentile(warm, 99) * ms:.2f} ms |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
