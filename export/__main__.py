"""`python -m export`: load -> train -> export -> verify -> package, with progress bars.

    python -m export                          # fast model, SpamAssassin from npm -> model/
    python -m export --model minilm           # fine-tuned MiniLM, int8 -> model-minilm/
    python -m export --data mail.csv          # your own CSV (text, label columns)
    python -m export --data folder/           # your own folder/<label>/*.eml
"""

from __future__ import annotations

import argparse
import datetime
import sys
import time
from pathlib import Path

import numpy as np
from tqdm import tqdm

from export import corpus, evaluate, package, verify
from export.families import FAMILIES, Family
from function import artifact
from function.model import Model

ROOT = Path(__file__).resolve().parent.parent


def _args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m export", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", choices=sorted(FAMILIES), default="fast")
    parser.add_argument("--data", default="spamassassin",
                        help="'spamassassin', a .csv file or a folder of <label>/*.eml")
    parser.add_argument("--out", type=Path, help="default: model/ (fast) or model-minilm/ (minilm)")
    parser.add_argument("--cache", type=Path, default=ROOT / ".cache")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--vocab", type=int, help="fast: BPE vocabulary size")
    parser.add_argument("--encoder", type=Path, help="minilm: a BERT folder (default: the packaged MiniLM)")
    parser.add_argument("--max-steps", type=int, help="minilm: stop fine-tuning after this many steps")
    parser.add_argument("--learning-rate", type=float, help="minilm: the encoder's peak learning rate")
    return parser.parse_args(argv)


def _texts(records: list[corpus.Record]) -> list[str]:
    return [r.text for r in records]


def _labels(records: list[corpus.Record]) -> list[int]:
    return [r.label for r in records]


def _scores(graph: bytes, trained, meta: dict, parent: Path, texts: list[str]) -> tuple[Path, np.ndarray]:
    """Stages an artifact with `graph` and scores `texts` through the serving code itself
    (which runs the graph in bounded slices, so thousands of texts fit in memory)."""
    staged = package.stage(graph, trained.tokenizer, meta, parent)
    try:
        return staged, Model(artifact.read(staged), threads=2).scores(texts)
    except Exception:
        package.discard(staged)
        raise


def _build(family: Family, split: corpus.Split, args, meta: dict, parent: Path,
           gates: dict | None) -> tuple[Path, dict]:
    """Trains on a split and exports; returns the staged artifact and its test report.

    With `gates` (the split whose artifact ships), the ONNX graph must reproduce the
    trained model (parity) and the int8 graph the fp32 one; the results go into `gates`.
    """
    started = time.perf_counter()
    trained = family.fit(split, args)
    train_seconds = time.perf_counter() - started
    test_texts, test_labels = _texts(split.test), _labels(split.test)
    meta = dict(meta, tokenizer=trained.encoding.to_metadata())
    fp32 = family.graph(trained)
    staged, scores = None, None
    if gates is not None:
        staged, scores = _scores(fp32, trained, meta, parent, test_texts)
        gates["parity_max_abs"] = verify.parity(trained.predict(test_texts), scores)
    if family.quantize is not None:
        fp32_scores = scores
        if staged is not None:
            package.discard(staged)
        staged, scores = _scores(family.quantize(trained, fp32), trained, meta, parent, test_texts)
        if gates is not None:
            try:
                gates["int8"] = verify.int8_gate(test_labels, fp32_scores, scores, meta["threshold"])
            except verify.GateError:
                package.discard(staged)
                raise
    elif staged is None:
        staged, scores = _scores(fp32, trained, meta, parent, test_texts)
    baseline = evaluate.char_baseline(_texts(split.train), _labels(split.train), test_texts)
    return staged, {
        "sizes": split.sizes(),
        "model": evaluate.metrics(test_labels, scores, meta["threshold"]),
        "char_baseline": evaluate.metrics(test_labels, baseline, 0.5),
        "train_seconds": round(train_seconds, 1),
    }


def _print_report(reports: dict[str, dict]) -> None:
    columns = ("accuracy", "precision", "recall", "f1", "roc_auc")
    print("\n| split | model | " + " | ".join(columns) + " |")
    print("|---|---|" + "---|" * len(columns))
    for split, report in reports.items():
        for who in ("model", "char_baseline"):
            row = " | ".join(f"{report[who][c]:.4f}" for c in columns)
            print(f"| {split} ({report['sizes']['test']} test) | {who} | {row} |")


def main(argv: list[str] | None = None) -> int:
    args = _args(argv)
    family = FAMILIES[args.model]
    out = (args.out or ROOT / family.default_out).resolve()
    steps = tqdm(total=3, desc=f"export {args.model}", unit="stage", file=sys.stderr)

    steps.set_postfix_str("load")
    data_id, records = corpus.load(args.data, args.cache / "data")
    unique = corpus.deduplicate(records)
    split = corpus.random_split(unique, args.seed)
    meta = {
        "name": family.name,
        "family": family.description,
        "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "labels": ["ham", "scam"],
        "positive_label": "scam",
        "threshold": evaluate.THRESHOLD,
        "inputs": {"input_ids": "input_ids", "attention_mask": "attention_mask"},
        "output": "probabilities",
        "data": {"id": data_id, "messages": len(records), "unique": len(unique),
                 "split_sizes": split.sizes(), "seed": args.seed},
    }
    steps.update()

    steps.set_postfix_str("random split: train, export, verify")
    gates: dict = {}
    staged, report = _build(family, split, args, meta, out.parent, gates)
    reports = {"random": report}
    steps.update()

    steps.set_postfix_str("time split: train, export")
    if {r.group for r in unique} >= set(corpus.TIME_TRAIN):
        other, reports["time"] = _build(family, corpus.time_split(unique, args.seed), args, meta,
                                        out.parent, None)
        package.discard(other)
    steps.update()
    steps.close()

    final = artifact.read(staged).meta
    package.restage(staged, dict(final, metrics=reports, gates=gates))
    package.publish(staged, out)
    _print_report(reports)
    print(f"\ngates: {gates}")
    print(f"artifact: {out} ({sum(f.stat().st_size for f in out.iterdir()) / 1e6:.1f} MB), "
          f"version {artifact.read(out).version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
