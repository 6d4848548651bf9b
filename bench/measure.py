"""Every measurement of issue 5 for one artifact, as a JSON-ready dict (seconds, MiB, per second)."""

from __future__ import annotations

import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from tqdm import tqdm

from bench import budget, gcs, load
from bench.servers import ONE_CORE, ROOT, SERVER_CORE, TYPICAL, Running, start, words
from bench.stats import summary

WARM_FORMS = ("a", "b", "d")  # warm latency, throughput and memory (c is the floor's part)
BATCHES = (8, 32, 64)
LENGTHS = (100, 300, 1000, 3000, 10000)  # words
CONCURRENCY = (1, 2, 4, 8, 16, 32, 64)
LONGEST = 10  # seconds, for one wrk run


@dataclass(frozen=True)
class Plan:
    cold_runs: int
    phase_runs: int
    seconds: int  # per wrk run
    source_runs: int
    pair_rounds: int  # (a) and (b) measured in turns, this many times each
    option_runs: int  # cold starts of each start-up option

    @classmethod
    def quick(cls) -> Plan:
        return cls(cold_runs=3, phase_runs=2, seconds=1, source_runs=2, pair_rounds=2, option_runs=2)

    @classmethod
    def full(cls) -> Plan:
        return cls(cold_runs=10, phase_runs=7, seconds=3, source_runs=5, pair_rounds=6, option_runs=5)


def _progress(total: int, what: str) -> tqdm:
    return tqdm(total=total, desc=what, file=sys.stderr, leave=False)


def cold_starts(folder: Path, forms: list[str], runs: int, image: str) -> dict:
    """Spawn -> first prediction for each form, the forms taking turns so drift hits all alike; and
    the CPU time the server used until then ("cpu": what the machine's other work inflates least;
    not taken for the container, whose processes are podman's)."""
    times: dict[str, list[float]] = {form: [] for form in forms}
    cpu: dict[str, list[float]] = {form: [] for form in forms if form != "b-podman"}
    ready: dict[str, list[float]] = {form: [] for form in forms if form.startswith("b")}
    with _progress(runs * len(forms), "cold starts") as bar:
        for _ in range(runs):
            for form in forms:
                running = start(form, folder, image)
                times[form].append(running.cold_start)
                if form in cpu:
                    cpu[form].append(running.cpu_seconds())
                if form in ready:
                    ready[form].append(running.ready)
                running.stop()
                bar.update()
    return {form: {**summary(values), **({"ready": summary(ready[form])} if form in ready else {}),
                   **({"cpu": summary(cpu[form])} if form in cpu else {})}
            for form, values in times.items()}


def phases(folder: Path, runs: int) -> dict:
    """Imports and model load of forms a/b, c and d, each in a fresh interpreter on the server core."""
    found: dict[str, dict] = {}
    for form in ("a", "c", "d"):
        samples = []
        for _ in range(runs):
            done = subprocess.run([*ONE_CORE, sys.executable, "-m", "bench.startup", form, str(folder)],
                                  cwd=ROOT, capture_output=True, text=True, check=True)
            samples.append(json.loads(done.stdout.strip().splitlines()[-1]))
        found[form] = {part: summary([s[part] for s in samples]) for part in ("imports", "model")}
    found["b"] = found["a"]  # the same code: only the moment of the load differs
    return found


def _budget_run(form: str, folder: Path, importtime: bool = False) -> subprocess.CompletedProcess:
    flags = ["-X", "importtime"] if importtime else []
    return subprocess.run([*ONE_CORE, sys.executable, *flags, "-m", "bench.budget", form, str(folder)],
                          cwd=ROOT, capture_output=True, text=True, check=True,
                          env={**os.environ, "BENCH_SPAWNED": repr(time.time())})


def module_times(stderr: str) -> dict[str, float]:
    """Each module's own import time (seconds) between budget's markers in -X importtime's output."""
    inside, found = False, {}
    for line in stderr.splitlines():
        if line == budget.IMPORTS_BEGIN:
            inside = True
        elif line == budget.IMPORTS_END:
            break
        elif inside and line.startswith("import time:") and "|" in line:
            own, _, name = line.removeprefix("import time:").split("|")
            found[name.strip()] = int(own) / 1e6
    return found


def cold_budget(folder: Path, runs: int) -> dict:
    """The cold start of the function and of the floor, itemised (bench.budget), each in a fresh
    interpreter on the server core, taking turns; and the function's imports by module."""
    samples: dict[str, list[dict]] = {form: [] for form in budget.FORMS}
    modules: dict[str, list[float]] = {}
    with _progress(runs * (len(budget.FORMS) + 1), "cold-start budget") as bar:
        for _ in range(runs):
            for form in budget.FORMS:
                done = _budget_run(form, folder)
                line = next(x for x in done.stdout.splitlines() if x.startswith("BUDGET "))
                samples[form].append(json.loads(line.removeprefix("BUDGET ")))
                bar.update()
            timed = _budget_run("function", folder, importtime=True)
            for name, seconds in module_times(timed.stderr).items():
                modules.setdefault(name, []).append(seconds)
            bar.update()
    found: dict = {}
    for form, runs_of in samples.items():
        parts = sorted({part for run in runs_of for part in run["parts"]})
        found[form] = {"parts": {p: summary([run["parts"].get(p, 0.0) for run in runs_of]) for p in parts},
                       "gc": summary([sum(run["gc"].values()) for run in runs_of])}
    found["modules"] = {name: statistics.median(values + [0.0] * (runs - len(values)))
                        for name, values in modules.items()}
    return found


def _timed(call, seconds: float = 2.0, most: int = 300) -> dict:
    for _ in range(3):
        call()
    times: list[float] = []
    deadline = time.perf_counter() + seconds
    while len(times) < most and (len(times) < 10 or time.perf_counter() < deadline):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return summary(times)


def in_process(folder: Path) -> dict:
    """The typical e-mail's cleaning, tokenization and whole prediction (tokenize + ONNX run),
    in this process with one thread on the server core: what no server can go below."""
    from tokenizers import Tokenizer

    from function import artifact, mail
    from function.model import Model
    from function.tokens import Encoding

    art = artifact.read(folder)
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {int(SERVER_CORE)})
    try:
        model = Model(art, threads=1)
        tokenizer = Tokenizer.from_file(str(art.tokenizer))
        encoding = Encoding.from_metadata(art.meta["tokenizer"])
        text = mail.clean(TYPICAL)
        return {"clean": _timed(lambda: mail.clean(TYPICAL)),
                "tokenize": _timed(lambda: encoding.encode(tokenizer, [text])),
                "predict": _timed(lambda: model.predict([text]))}
    finally:
        os.sched_setaffinity(0, before)


def _run(running: Running, body: bytes, content_type: str, connections: int, seconds: int,
         texts: int = 1) -> dict:
    """One wrk run from an idle server, with the server's CPU time per text over it."""
    running.settle()
    cpu = running.cpu_seconds()
    result = load.run(running.port, body, content_type, connections, seconds)
    used = running.cpu_seconds() - cpu
    return {**asdict(result), "texts_per_second": result.per_second * texts,
            "cpu_per_text": used / (result.requests * texts)}


def _long_enough(seconds: int, per_request: float, in_flight: int) -> int:
    """wrk's duration: at least `seconds`, and long enough for every connection to finish a few
    requests when each takes `per_request` alone (a transformer at 64 connections), up to LONGEST."""
    return max(seconds, min(LONGEST, math.ceil(3 * in_flight * per_request)))


def _latencies(running: Running, seconds: int) -> dict:
    body = TYPICAL.encode()
    load.run(running.port, body, "text/plain", 8, 1)  # warm-up
    one = _run(running, body, "text/plain", 1, seconds)
    return {"1": one, "8": _run(running, body, "text/plain", 8, _long_enough(seconds, one["p50"], 8))}


def _batches(running: Running, seconds: int, per_text: float) -> dict:
    """Batches one at a time (a core is busy with one already): texts/s and CPU per text."""
    return {str(size): _run(running, json.dumps({"texts": [TYPICAL] * size}).encode(), "application/json", 1,
                            _long_enough(seconds, per_text * size, 1), size) for size in BATCHES}


def _scaling(running: Running, seconds: int, per_text: float, lengths: bool) -> dict:
    found: dict = {"concurrency": {}, "length": {}}
    for c in CONCURRENCY:
        found["concurrency"][str(c)] = _run(running, TYPICAL.encode(), "text/plain", c,
                                            _long_enough(seconds, per_text, c))
    for n in LENGTHS if lengths else ():
        body = words(n).encode()
        alone = _run(running, body, "text/plain", 1, seconds)
        loaded = _run(running, body, "text/plain", 8, _long_enough(seconds, alone["p50"], 8))
        found["length"][str(n)] = {"p50": alone["p50"], "p99": alone["p99"],
                                   "per_second": loaded["per_second"]}
    return found


def _median_run(runs: list[dict]) -> dict:
    keys = ("p50", "p99", "per_second", "cpu_per_text")
    return {**{key: statistics.median(r[key] for r in runs) for key in keys}, "runs": len(runs)}


def paired(folder: Path, plan: Plan, image: str = "") -> dict:
    """The function (a) and the container's start command (b) (and, with `image`, the container
    itself), all serving on the server core at once and measured in turns (wrk at concurrency 1,
    then 8; the order rotated every round; every server idle before each run), so that whatever
    else the machine does hits them alike: medians of p50, texts/s and CPU per text."""
    forms = ("a", "b", *(("b-podman",) if image else ()))
    servers: dict[str, Running] = {}
    try:
        for form in forms:
            servers[form] = start(form, folder, image)
        body = TYPICAL.encode()
        for running in servers.values():
            load.run(running.port, body, "text/plain", 8, 1)  # warm-up
        runs: dict[str, dict[str, list]] = {form: {"1": [], "8": []} for form in forms}
        with _progress(plan.pair_rounds * 2 * len(forms), "(a) and (b) in turns") as bar:
            for round_ in range(plan.pair_rounds):
                # Each form takes each place in the order equally often, so none is always measured
                # right after the same other one (whose tail of work, its logs, might still run).
                turn = round_ % len(forms)
                for connections in ("1", "8"):
                    for form in forms[turn:] + forms[:turn]:
                        for running in servers.values():
                            running.settle()
                        runs[form][connections].append(
                            _run(servers[form], body, "text/plain", int(connections), plan.seconds))
                        bar.update()
        return {form: {"latency": {c: _median_run(r) for c, r in runs[form].items()}} for form in forms}
    finally:
        for running in servers.values():
            running.stop()


BOOST_CORES = "0,1"  # a start with twice the CPU, as Cloud Run's startup CPU boost gives a 1 vCPU instance
STARTUP_FORMS = ("floor", "a", "b", "a-early", "a-overlap", "a-gc")


def startup_options(folder: Path, runs: int) -> dict:
    """Cold starts (spawn -> first answer) of the floor, (a), (b), (a) with onnxruntime and
    tokenizers imported in the master first, serially or in a thread beside main.py ("a-early",
    "a-overlap"), and (a) with garbage collection off while main.py imports ("a-gc"), each on one
    core and on two (the boost); taking turns. Keys: "FORM@CORES"."""
    cases = [(form, cores) for cores in (SERVER_CORE, BOOST_CORES) for form in STARTUP_FORMS]
    times: dict[str, list[float]] = {f"{form}@{cores}": [] for form, cores in cases}
    with _progress(runs * len(cases), "start-up options") as bar:
        for _ in range(runs):
            for form, cores in cases:
                running = start(form, folder, cores=cores)
                times[f"{form}@{cores}"].append(running.cold_start)
                running.stop()
                bar.update()
    return {key: summary(values) for key, values in times.items()}


def sharing(folder: Path, seconds: int) -> dict:
    """Memory per process of the container form with one and two workers, each worker loading its
    own model (b, MODEL_PRELOAD) or the model loaded in the master before the fork (b-shared),
    after the same load (wrk, 8 connections)."""
    found = {}
    for workers in ("1", "2"):
        for form in ("b", "b-shared"):
            running = start(form, folder, env={"WORKERS": workers})
            try:
                load.run(running.port, TYPICAL.encode(), "text/plain", 8, seconds)
                running.settle()
                found[f"{form}@{workers}"] = running.memory()
            finally:
                running.stop()
    return found


def warm(folder: Path, plan: Plan) -> dict:
    """Latency at concurrency 1 and 8, throughput (single and batched), scaling, peak RSS."""
    found: dict = {}
    for form in ("c", "c-flask", *WARM_FORMS):
        running = start(form, folder)
        try:
            entry = {"latency": _latencies(running, plan.seconds)}
            per_text = entry["latency"]["1"]["p50"]
            if form in ("a", "b"):
                entry["batches"] = _batches(running, plan.seconds, per_text)
            entry["peak_rss_mib"] = running.peak_rss_mib()
            if form in ("a", "b"):  # per process, alone on the machine's libraries, after the same load
                entry["memory"] = running.memory()
            if form in ("a", "d"):
                entry["scaling"] = _scaling(running, max(1, plan.seconds - 1), per_text, lengths=form == "a")
                entry["peak_rss_mib_scaling"] = running.peak_rss_mib()  # after up to 10,000 words, 64 at once
        finally:
            running.stop()
        found[form] = entry
    return found


def model_source(folder: Path, runs: int) -> dict:
    """(a)'s cold start with the artifact from the Cloud Storage emulator, and the download alone."""
    colds, downloads = [], []
    with gcs.emulator() as url, tempfile.TemporaryDirectory(prefix="bench-cache-") as scratch:
        uri = gcs.upload(url, folder, folder.name)
        for i in range(runs):
            downloads.append(gcs.download_seconds(url, uri, Path(scratch) / f"download-{i}"))
            env = {"MODEL_URI": uri, "STORAGE_EMULATOR_HOST": url, "MODEL_CACHE_DIR": f"{scratch}/serve-{i}"}
            running = start("a", folder, env=env)
            colds.append(running.cold_start)
            running.stop()
    return {"cold": summary(colds), "download": summary(downloads),
            "size_mb": sum(f.stat().st_size for f in folder.iterdir() if f.is_file()) / 1e6}


def measure(folder: Path, plan: Plan, image: str) -> dict:
    forms = ["floor", "a", "b", *(["b-podman"] if image else []), "c", "c-flask", "d"]
    return {
        "artifact": json.loads((folder / "model.json").read_text())["name"],
        "cold": cold_starts(folder, forms, plan.cold_runs, image),
        "budget": cold_budget(folder, plan.phase_runs),
        "phases": phases(folder, plan.phase_runs),
        "paired": paired(folder, plan, image),
        "startup": startup_options(folder, plan.option_runs),
        "sharing": sharing(folder, plan.seconds),
        "in_process": in_process(folder),
        "warm": warm(folder, plan),
        "source": model_source(folder, plan.source_runs),
    }
