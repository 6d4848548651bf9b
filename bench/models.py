"""`python -m bench.models`: the fast model and the int8 transformer, side by side, one run.

Each server is pinned to one core (`taskset -c 0`), as a 1 vCPU Cloud Functions instance
would be. Prints a markdown table and writes docs/roc.png (both models, random test split).
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import time
from pathlib import Path

from tqdm import tqdm

from bench.servers import ARTIFACTS, LONG, ONE_CORE, ROOT, TYPICAL, free_port, function_command, post, spawn
from bench.stats import percentile
from function import artifact
from function.model import Model


def session_seconds(folder: Path, runs: int) -> float:
    """Median time to create the tokenizer + ONNX Runtime session (in this process)."""
    art = artifact.read(folder)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        Model(art, threads=1)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _timed(connection: http.client.HTTPConnection, body: bytes, content_type: str, n: int) -> list[float]:
    times = []
    for _ in range(n):
        started = time.perf_counter()
        status, _ = post(connection, body, content_type)
        times.append(time.perf_counter() - started)
        if status != 200:
            raise RuntimeError(f"status {status}")
    return times


def measure(name: str, folder: Path, runs: int, requests: int) -> dict:
    env = {"MODEL_DIR": str(folder)}
    colds = []
    for _ in tqdm(range(runs), desc=f"{name}: cold start", file=sys.stderr):
        port = free_port()
        running = spawn(ONE_CORE + function_command(port), port, env)
        colds.append(running.cold_start)
        running.stop()
    port = free_port()
    running = spawn(ONE_CORE + function_command(port), port, env)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        _timed(connection, TYPICAL.encode(), "text/plain", 10)  # warm-up
        typical = _timed(connection, TYPICAL.encode(), "text/plain", requests)
        long = _timed(connection, LONG.encode(), "text/plain", max(20, requests // 5))
        batch = json.dumps({"texts": [TYPICAL] * 32}).encode()
        batches = _timed(connection, batch, "application/json", max(5, requests // 20))
        rss = running.peak_rss_mib()
    finally:
        connection.close()
        running.stop()
    meta = artifact.read(folder).meta
    return {
        "metrics": meta["metrics"],
        "size_mb": sum(f.stat().st_size for f in folder.iterdir()) / 1e6,
        "cold_ms": statistics.median(colds) * 1000,
        "session_ms": session_seconds(folder, 5) * 1000,
        "typical": (statistics.median(typical) * 1000, percentile(typical, 99) * 1000),
        "long": (statistics.median(long) * 1000, percentile(long, 99) * 1000),
        "batch32_per_s": 32 / statistics.median(batches),
        "rss_mib": rss,
        "runs": (runs, requests),
    }


def roc_chart(target: Path) -> None:
    """ROC curves of both artifacts on the random test split, scored by the serving code."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import roc_auc_score, roc_curve

    from export import corpus

    _, records = corpus.load("spamassassin", ROOT / ".cache" / "data")
    test = corpus.random_split(corpus.deduplicate(records)).test
    labels = [r.label for r in test]
    figure, (full, zoom) = plt.subplots(1, 2, figsize=(10, 4.5))
    for name, folder in ARTIFACTS.items():
        scores = Model(artifact.read(folder), threads=2).scores([r.text for r in test])
        fpr, tpr, _ = roc_curve(labels, scores)
        label = f"{name} (AUC {roc_auc_score(labels, scores):.4f})"
        full.plot(fpr, tpr, label=label)
        zoom.plot(fpr, tpr, label=label)
    full.plot([0, 1], [0, 1], color="grey", linestyle=":")
    zoom.set_xlim(0, 0.1)
    zoom.set_ylim(0.8, 1.0)
    for axis, title in ((full, "ROC, random test split"), (zoom, "zoom: false-positive rate <= 10%")):
        axis.set_xlabel("false-positive rate (ham flagged)")
        axis.set_ylabel("true-positive rate (scams caught)")
        axis.set_title(title)
        axis.legend(loc="lower right")
        axis.grid(alpha=0.3)
    figure.tight_layout()
    target.parent.mkdir(exist_ok=True)
    figure.savefig(target, dpi=110)


def table(results: dict[str, dict]) -> str:
    names = list(results)
    rows = []
    for split in ("random", "time"):
        for metric in ("accuracy", "precision", "recall", "f1", "roc_auc"):
            values = [results[n]["metrics"].get(split, {}).get("model", {}).get(metric) for n in names]
            rows.append((f"{metric} ({split} split)", [f"{v:.4f}" if v is not None else "-" for v in values]))
    rows += [
        ("artifact size", [f"{results[n]['size_mb']:.1f} MB" for n in names]),
        ("cold start: spawn -> first prediction", [f"{results[n]['cold_ms']:.0f} ms" for n in names]),
        ("session creation (tokenizer + ORT)", [f"{results[n]['session_ms']:.0f} ms" for n in names]),
        ("warm p50 / p99, typical e-mail (~300 words)",
         [f"{results[n]['typical'][0]:.1f} / {results[n]['typical'][1]:.1f} ms" for n in names]),
        ("warm p50 / p99, long e-mail (~3,000 words)",
         [f"{results[n]['long'][0]:.1f} / {results[n]['long'][1]:.1f} ms" for n in names]),
        ("texts/s at batch 32", [f"{results[n]['batch32_per_s']:.0f}" for n in names]),
        ("peak RSS of the server", [f"{results[n]['rss_mib']:.0f} MiB" for n in names]),
    ]
    lines = ["| | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    lines += [f"| {label} | " + " | ".join(values) + " |" for label, values in rows]
    runs, requests = next(iter(results.values()))["runs"]
    lines.append(f"\n{runs} cold starts and {requests} warm requests per model, one core (taskset -c 0).")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.models", description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    runs, requests = (2, 50) if args.quick else (7, 300)
    results = {name: measure(name, folder, runs, requests) for name, folder in ARTIFACTS.items()}
    roc_chart(ROOT / "docs" / "roc.png")
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
