"""The cost and scaling model on paper, computed from the measured numbers (docs/cost.md explains it).

Prices are Google Cloud's public list prices for Cloud Run (request-based billing, Tier 1 regions),
which Cloud Functions gen2 (Cloud Run functions) is billed by, as known on the date in PRICES_AS_OF;
this machine cannot reach the price list to check them. `python -m bench.cost` re-renders the
tables from docs/bench.json without measuring again.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

from bench.docs import DOCS, inject
from bench.report import peak_rss
from scripts.sizes import read as read_sizes

PRICES_AS_OF = "2025 (as known; the list may have changed by 2026-11-25)"
VCPU_SECOND = 0.000024  # active, request-based billing
GIB_SECOND = 0.0000025
VCPU_SECOND_IDLE = 0.0000025  # an idle min instance (request-based billing)
PER_MILLION_REQUESTS = 0.40
ROUNDING = 0.1  # billable instance time is rounded up to 100 ms
UTILISATION = 0.6  # the autoscaler's CPU target: instances are added past about 60 %
SECONDS_PER_MONTH = 30 * 24 * 3600
RATES = (1, 10, 100, 1000)  # requests per second
KEEP_ALIVE_MINUTES = (10, 15, 20)  # "Serverless in the Wild": fixed keep-alive of 10-20 minutes
RATES_PER_HOUR = (1, 6, 60, 3600)
BURSTS = (8, 64)
BOOST_FACTOR = 2  # assumed: startup CPU boost doubles a 1 vCPU instance's CPU while it starts
BOOST_TAIL = 10.0  # seconds after the start during which the boost (and its billing) lasts
COLD_STARTS_PER_MONTH = (720, 8_640, 86_400)  # one an hour, one every 5 minutes, two a minute


def _gib(memory: str) -> float:
    """serving.env's MEMORY (512Mi, 1Gi, ...) in GiB."""
    return float(memory[:-2]) / (1024 if memory.endswith("Mi") else 1)


def platform(results: dict[str, dict]) -> list[str]:
    """What min instances and the startup CPU boost cost the container form per month, with the
    arithmetic shown, at serving.env's sizes and this run's cold starts."""
    sizes = read_sizes()
    cpu, gib = float(sizes["CPU"]), _gib(sizes["MEMORY"])
    idle = (cpu * VCPU_SECOND_IDLE + gib * GIB_SECOND) * SECONDS_PER_MONTH
    out = ["", "### Min instances and startup CPU boost (the container form)", "",
           f"At serving.env's sizes ({sizes['CPU']} vCPU, {sizes['MEMORY']}):", "",
           "- **min instances 1** keeps one instance idle all month: "
           f"({cpu:g} vCPU x ${VCPU_SECOND_IDLE:.7f} + {gib:g} GiB x ${GIB_SECOND:.7f}) per second "
           f"x {SECONDS_PER_MONTH:,} s = **${idle:.2f} a month**, and removes the cold start of the first "
           "request after a quiet spell (not those of scale-out).",
           "- **startup CPU boost** bills the extra CPU while an instance starts and "
           f"{BOOST_TAIL:g} s after: ({BOOST_FACTOR} - 1) x {cpu:g} vCPU x (cold start + {BOOST_TAIL:g} s) "
           f"x ${VCPU_SECOND:.6f} per cold start (the boost is assumed to double the CPU):", "",
           "| model | cold start of (b), one core / two | per cold start | "
           + " | ".join(f"{n:,} cold starts a month" for n in COLD_STARTS_PER_MONTH) + " |",
           "|---|---|---|" + "---|" * len(COLD_STARTS_PER_MONTH)]
    for name, result in results.items():
        startup = result.get("startup", {})
        one = startup.get("b@0", result["cold"]["b"])["median"]
        two = startup.get("b@0,1", {}).get("median")  # None: results from before the start-up options
        each = (BOOST_FACTOR - 1) * cpu * ((one if two is None else two) + BOOST_TAIL) * VCPU_SECOND
        shown = f"{one:.2f} s / " + ("not measured (one core's used)" if two is None else f"{two:.2f} s")
        out.append(f"| {name} | {shown} | ${each:.5f} | "
                   + " | ".join(f"${each * n:,.2f}" for n in COLD_STARTS_PER_MONTH) + " |")
    return out


def instance_memory_gib(peak_rss_mib: float) -> float:
    """The smallest of 256 MiB, 512 MiB, 1, 2, 4 GiB that holds the peak RSS with 25 % headroom."""
    return next(size for size in (0.25, 0.5, 1, 2, 4) if peak_rss_mib * 1.25 <= size * 1024)


def default_vcpu(memory_gib: float) -> float:
    """Cloud Functions' CPU for a memory size when none is set (a fraction needs concurrency 1)."""
    return {0.25: 0.167, 0.5: 0.333, 1: 0.583}.get(memory_gib, 1.0)


def plan(rate: float, cpu_seconds: float, latency: float, concurrency: int, min_instances: int,
         memory_gib: float, vcpu: float) -> dict:
    """Instances and dollars per million requests at a steady `rate` (requests/s).

    A request holds one of an instance's `concurrency` slots for its latency and its vCPU for
    `cpu_seconds` (both stretched by 1/vcpu on a fractional CPU); the autoscaler adds instances
    past UTILISATION of either (Little's law for the slots). Billed instance-seconds per second:
    each request opens at least ROUNDING of billable time while requests are sparse, at most every
    instance all the time; an idle min instance is billed at the idle CPU rate.
    """
    latency, cpu_seconds = latency / min(1.0, vcpu), cpu_seconds / vcpu
    busy = max(rate * latency / concurrency, rate * cpu_seconds)
    instances = max(min_instances, math.ceil(busy / UTILISATION))
    billed = min(instances, rate * max(ROUNDING, latency))
    idle = max(0.0, min_instances - billed)
    per_second = (billed * (vcpu * VCPU_SECOND + memory_gib * GIB_SECOND)
                  + idle * (vcpu * VCPU_SECOND_IDLE + memory_gib * GIB_SECOND))
    return {"instances": instances, "per_million": per_second / rate * 1e6 + PER_MILLION_REQUESTS,
            "per_month": (per_second + rate / 1e6 * PER_MILLION_REQUESTS) * SECONDS_PER_MONTH}


def cold_share(per_hour: float, keep_alive_minutes: float) -> float:
    """Share of requests that find no warm instance: Poisson arrivals, fixed keep-alive."""
    return math.exp(-per_hour / 60 * keep_alive_minutes)


def inputs(result: dict) -> dict:
    """What the model takes from one artifact's measurements."""
    warm = result["warm"]
    return {
        "cpu_seconds": warm["a"]["latency"]["8"]["cpu_per_text"],  # the server's CPU time per request
        "latency": warm["a"]["latency"]["1"]["p50"],
        "cold_a": result["cold"]["a"]["median"],
        "cold_b": result["cold"].get("b-podman", result["cold"]["b"])["median"],
        "memory_gib": instance_memory_gib(max(peak_rss(warm["a"]), peak_rss(warm["b"]))),
    }


# (label, concurrency, min instances, fractional CPU allowed): concurrency above 1 needs 1 vCPU.
DEPLOYMENTS = (("function gen2, concurrency 1", 1, 0, True), ("function gen2, concurrency 8", 8, 0, False),
               ("Cloud Run, min instances 0", 8, 0, False), ("Cloud Run, min instances 1", 8, 1, False))


def markdown(results: dict[str, dict]) -> str:
    out = []
    for name, result in results.items():
        given = inputs(result)
        out += ["", f"### {name} model", "",
                f"Measured: {given['cpu_seconds'] * 1000:.2f} ms of server CPU per request, "
                f"{given['latency'] * 1000:.1f} ms p50 latency, cold start {given['cold_a']:.2f} s "
                f"(function) / "
                f"{given['cold_b']:.2f} s (container); instance memory {given['memory_gib']:g} GiB "
                f"({default_vcpu(given['memory_gib']):g} vCPU at concurrency 1, else 1 vCPU).", "",
                "| requests/s | " + " | ".join(d[0] for d in DEPLOYMENTS) + " |",
                "|---|" + "---|" * len(DEPLOYMENTS)]
        for rate in RATES:
            cells = []
            for _, concurrency, minimum, fractional in DEPLOYMENTS:
                vcpu = default_vcpu(given["memory_gib"]) if fractional else 1.0
                p = plan(rate, given["cpu_seconds"], given["latency"], concurrency, minimum,
                         given["memory_gib"], vcpu)
                cells.append(f"{p['instances']} inst., ${p['per_million']:.2f}/M "
                             f"(${p['per_month']:,.0f}/month)")
            out.append(f"| {rate:,} | " + " | ".join(cells) + " |")
    out += ["", "### Cold starts under sparse traffic", "",
            "Share of requests that pay a cold start (Poisson arrivals, one instance, fixed keep-alive), "
            "and what it adds to the mean latency of the function (a):", "",
            "| requests/hour | " + " | ".join(f"keep-alive {k} min" for k in KEEP_ALIVE_MINUTES) + " | "
            + " | ".join(f"added mean latency, {n}" for n in results) + " |",
            "|---|" + "---|" * (len(KEEP_ALIVE_MINUTES) + len(results))]
    for per_hour in RATES_PER_HOUR:
        shares = [cold_share(per_hour, k) for k in KEEP_ALIVE_MINUTES]
        added = [f"{shares[1] * inputs(r)['cold_a'] * 1000:.0f} ms" for r in results.values()]
        out.append(f"| {per_hour:,} | " + " | ".join(f"{s:.1%}" for s in shares) + " | "
                   + " | ".join(added) + " |")
    out += ["", "### Bursts", "",
            "A burst of N requests at once reaching an idle service: the instances that cold-start (the "
            "autoscaler starts one per `concurrency` waiting requests) and when the slowest answer comes "
            "(its instance's cold start, then the requests queued on its CPU):", "",
            "| model | burst | cold starts at concurrency 1 / 8 / 8 with min instances 1 "
            "| slowest answer at concurrency 1 / 8 |", "|---|---|---|---|"]
    for name, result in results.items():
        given = inputs(result)
        vcpu = default_vcpu(given["memory_gib"])
        for burst in BURSTS:
            alone = given["cold_a"] + given["latency"] / vcpu
            shared = given["cold_a"] + min(burst, 8) * given["cpu_seconds"]
            started = math.ceil(burst / 8)
            out.append(f"| {name} | {burst} | {burst} / {started} / {started - 1} "
                       f"| {alone:.2f} s / {shared:.2f} s |")
    out += platform(results)
    return "\n".join(out).lstrip("\n")


def main() -> int:
    results = json.loads((DOCS / "bench.json").read_text())["results"]
    inject(Path(DOCS / "cost.md"), markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
