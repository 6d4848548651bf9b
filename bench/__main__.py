"""`python -m bench [--quick]`: FaaS (lazy) vs CaaS (eager) vs the naive seed-style service.

For each artifact (the fast model and the int8 transformer) it measures, on this machine in
one run: cold starts (spawn -> first prediction) of (a) the function, (b) the container's start
command as a plain process and as the real podman container, (c) a bare functions-framework
function and (d) the seed's FastAPI app, with their imports and model load timed apart; warm
latency at concurrency 1 and 8 beside the physical floor; throughput of single and batched
requests; peak RSS; the model from the Cloud Storage emulator; scaling with text length and
concurrency. It prints markdown with PASS/FAIL per target (a FAIL is a number to improve, not
an error) and writes docs/bench.json, the tables in docs/bench.md and docs/cost.md, and
docs/bench-*.png. --quick makes fewer, shorter runs and writes under .cache/bench-quick/.
"""

from __future__ import annotations

import argparse
import compileall
import datetime
import json
import os
import platform
import sys
import time
from pathlib import Path

from bench import charts, container, cost, load, report
from bench.docs import BEGIN, DOCS, inject
from bench.measure import Plan, measure
from bench.servers import ARTIFACTS, CLIENT_CORE, ROOT


def _artifacts(overrides: list[str]) -> dict[str, Path]:
    chosen = dict(ARTIFACTS)
    if overrides:
        chosen = {name: Path(folder).resolve() for name, _, folder in (o.partition("=") for o in overrides)}
    missing = [f"{name}: {folder}" for name, folder in chosen.items()
               if not (folder / "model.json").is_file()]
    if missing:
        raise SystemExit("no artifact at " + ", ".join(missing) + " (pass --artifact NAME=FOLDER)")
    return chosen


def _shown(folder: Path) -> str:
    return f"{folder.relative_to(ROOT)}/" if folder.is_relative_to(ROOT) else str(folder)


def _machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


def _compile() -> None:
    """Bytecode for the code the servers import, as the image has it (the Dockerfile compiles it):
    where writing it is off (PYTHONDONTWRITEBYTECODE), every cold start would compile the function
    from source, and the floor's one small file."""
    for path in (ROOT / "main.py", ROOT / "function", ROOT / "bench"):
        compile_ = compileall.compile_file if path.is_file() else compileall.compile_dir
        if not compile_(path, quiet=1):
            raise SystemExit(f"cannot compile {path}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer, shorter runs; writes under .cache/")
    parser.add_argument("--artifact", action="append", default=[], metavar="NAME=FOLDER",
                        help="measure these artifacts instead of fast=model and minilm-int8=model-minilm")
    parser.add_argument("--no-container", action="store_true", help="leave out the podman form")
    args = parser.parse_args(argv)
    if os.cpu_count() < 2:
        raise SystemExit("the bench pins servers and load to different cores: it needs 2")
    why = load.wrk_missing()
    if why:
        raise SystemExit(why)
    artifacts = _artifacts(args.artifact)
    plan = Plan.quick() if args.quick else Plan.full()
    docs = ROOT / ".cache" / "bench-quick" if args.quick else DOCS
    os.sched_setaffinity(0, {int(CLIENT_CORE)})  # this process and its helpers stay off the server core
    _compile()

    started = time.monotonic()
    load_before = os.getloadavg()[0]
    image, skipped = ("", "--no-container") if args.no_container else container.prepare()
    results = {}
    for name, folder in artifacts.items():
        print(f"measuring {name} ({folder})", file=sys.stderr)
        results[name] = measure(folder, plan, image)
    meta = {"date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"), "machine": _machine(),
            "quick": args.quick, "seconds": time.monotonic() - started, "wrk_seconds": plan.seconds,
            "artifacts": {name: _shown(folder) for name, folder in artifacts.items()},
            "load_average_before": load_before, "load_average_after": os.getloadavg()[0],
            "container_skipped": skipped}
    text = report.markdown(results, meta)
    docs.mkdir(parents=True, exist_ok=True)
    (docs / "bench.json").write_text(json.dumps({"meta": meta, "results": results}, indent=1) + "\n")
    inject(docs / "bench.md", text)
    inject(docs / "cost.md", cost.markdown(results))
    readme = ROOT / "README.md"
    if not args.quick and BEGIN in readme.read_text():  # the README's figures come from the last full run
        inject(readme, report.summary(results, meta))
    charts.cold_start(results, docs / "bench-cold-start.png")
    charts.warm(results, docs / "bench-warm.png")
    charts.scaling(results, docs / "bench-scaling.png")
    print(text)
    print(f"\nwritten: {docs}/bench.json, bench.md, cost.md, bench-*.png", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
