"""`python -m export.adapt --mail DIR --out DIR`: fit a base artifact to one mailbox (docs/adapt.md).

DIR holds legit/ and scam/: one message per file (.eml, .txt or no suffix) or .mbox files. Writes to
OUT a complete artifact (serve it with `make run MODEL_DIR=OUT`, upload it with `./deploy.sh model
--model-dir=OUT`) whose threshold flags at most --max-false-alarms of the sample's legitimate mail,
and OUT/report.md: before and after on a held-out quarter of the sample, and on the challenge set.
Bad input: a one-line error and exit status 2, and nothing written to OUT.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score
from threadpoolctl import threadpool_limits

from export import evaluate, package
from export.adapt import base as base_artifact
from export.adapt import choose, report, sample, threshold, write
from export.adapt.errors import AdaptError
from function import artifact

ROOT = Path(__file__).resolve().parents[2]
HELD_OUT = 0.25  # of each label, for the report's before/after
SEED = 13
SWAPPED_AUC = 0.2  # the base ranks at least 80 % of scam/legit pairs the other way round


def _args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m export.adapt", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mail", type=Path, required=True, help="the sample: a folder with legit/ and scam/")
    parser.add_argument("--out", type=Path, required=True,
                        help="where the adapted artifact goes (new, empty, or an earlier adapted artifact)")
    parser.add_argument("--base", type=Path, default=ROOT / "model",
                        help="the base artifact (default: model/)")
    parser.add_argument("--max-false-alarms", default="1%",
                        help="the share of legitimate mail the threshold may flag: 1%% (default) or 0.01")
    parser.add_argument("--threshold-only", action="store_true",
                        help="keep the base's graph; choose only the threshold (the one choice for MiniLM)")
    parser.add_argument("--seed", type=int, default=SEED,
                        help="of the folds and the held-out quarter (the same seed, the same artifact)")
    return parser.parse_args(argv)


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _replaceable(out: Path) -> bool:
    """OUT may be replaced when it is new, empty, or an earlier adapted artifact (never a base)."""
    if not out.exists():
        return True
    if not out.is_dir():
        return False
    if not any(out.iterdir()):
        return True
    try:
        return "adapted_from" in json.loads((out / artifact.METADATA).read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError):
        return False


def check_paths(mail: Path, out: Path, base: Path) -> None:
    """OUT must not be, hold or sit inside the base or the sample, nor be anything but a new or empty
    folder or an earlier adapted artifact: publishing replaces OUT as a whole."""
    mail, out, base = mail.resolve(), out.resolve(), base.resolve()
    if _inside(out, base) or _inside(base, out):
        raise AdaptError(f"OUT {out} is the base artifact {base} or overlaps it: choose a new folder")
    if _inside(out, mail) or _inside(mail, out):
        raise AdaptError(f"OUT {out} overlaps the sample {mail}: choose a folder outside it")
    if not _replaceable(out):
        raise AdaptError(f"OUT {out} exists and is not an adapted artifact: choose a new or empty folder")


def _check_labels(labels: np.ndarray, base_scores: np.ndarray) -> float:
    auc = float(roc_auc_score(labels, base_scores))
    if auc <= SWAPPED_AUC:
        raise AdaptError(f"the labels look swapped: the base ranks {1 - auc:.0%} of scam/legit pairs "
                         "the other way round; check that legit/ and scam/ are not exchanged")
    return auc


def _held_out(data: choose.Data, base: base_artifact.Base, rate: float, seed: int,
              only_threshold: bool) -> dict:
    """The whole choice made again on 3/4 of the sample and judged on the quarter it did not see."""
    fit_rows, held_rows = choose.split_held_out(data.labels, HELD_OUT, seed)
    fitted_on, held = data.part(fit_rows), data.part(held_rows)
    choice = choose.choose(fitted_on, base, rate, seed, only_threshold)
    rows = {"base": threshold.Outcome.of(held.base_scores, held.labels, base.model.threshold),
            "adapted": threshold.Outcome.of(choice.fitted.score(held), held.labels, choice.threshold)}
    for measured in choice.measured:
        if measured.candidate.kind in ("threshold", "words") and measured is not choice.chosen:
            fitted = choose.train(measured.candidate, fitted_on, base)
            rows[measured.candidate.label] = threshold.Outcome.of(fitted.score(held), held.labels,
                                                                  measured.threshold)
    return {"adapted_with": choice.chosen.candidate.label, "rows": {k: v.to_json() for k, v in rows.items()}}


def _challenge(scores: evaluate.Scorer, cut: float) -> dict:
    found = evaluate.challenge(scores, cut)
    return {k: found[k] for k in ("accuracy", "legit_pass", "recall", "n", "by_kind")}


def adapt(args: argparse.Namespace) -> Path:
    started = time.monotonic()
    try:
        rate = threshold.parse_rate(args.max_false_alarms)
    except ValueError as error:
        raise AdaptError(str(error)) from None
    check_paths(args.mail, args.out, args.base)
    found = sample.read(args.mail)
    base = base_artifact.load(args.base)
    labels = np.asarray(found.labels)
    base_scores = base.model.scores(found.texts)
    base_auc = _check_labels(labels, base_scores)
    only_threshold = args.threshold_only or base.head is None
    features = None if only_threshold else choose.Features.of(base.features(found.texts))
    data = choose.Data(found.texts, labels, base_scores, features, np.arange(len(labels)))
    held = _held_out(data, base, rate, args.seed, only_threshold)
    choice = choose.choose(data, base, rate, args.seed, only_threshold)
    counts = found.counts()
    adaptation = {
        "method": choice.chosen.candidate.label, "threshold_only": choice.fitted.head is None,
        "max_false_alarms": rate,
        "sample": {"counts": counts, "read": found.read, "duplicates_dropped": found.duplicates,
                   "empty_dropped": found.empty, "unused_beyond_limit": found.unused, "sha256": found.sha256},
        "supported": counts["legit"] >= threshold.legit_needed(rate),
        "legit_needed": threshold.legit_needed(rate),
        "base_roc_auc_on_sample": round(base_auc, 4),
        "cross_validation": {"folds": choose.FOLDS, **choice.chosen.to_json(),
                             "candidates": [m.to_json() for m in choice.measured]},
        "held_out": held,
    }
    adaptation["command"] = " ".join([f"--max-false-alarms {args.max_false_alarms}",
                                      *(["--threshold-only"] if args.threshold_only else []),
                                      *([f"--seed {args.seed}"] if args.seed != SEED else [])])
    if base.head is None and not args.threshold_only:
        adaptation["note"] = "the base has no linear head (MiniLM): only its threshold was adapted"
    staged, model, meta = write.build(base, choice.fitted.head, choice.threshold, adaptation, args.out,
                                      (found.texts, choice.fitted.score(data)))
    try:
        meta["adaptation"]["challenge"] = {"base": _challenge(base.model.scores, base.model.threshold),
                                           "adapted": _challenge(model.scores, model.threshold)}
        meta["adaptation"]["seconds"] = round(time.monotonic() - started, 1)
        artifact.write_metadata(staged, meta)
        report.write(staged, meta)
    except BaseException:
        package.discard(staged)
        raise
    package.publish(staged, args.out)
    return args.out


def main(argv: list[str] | None = None) -> int:
    args = _args(argv)
    try:
        with threadpool_limits(1):  # for a few hundred rows, BLAS threads only spin (13x slower)
            out = adapt(args)
    except AdaptError as error:
        print(f"make adapt: {error}", file=sys.stderr)
        return 2
    print(report.summary(artifact.read(out).meta))
    return 0


if __name__ == "__main__":
    sys.exit(main())
