"""The export report: model.json's figures as Markdown tables, each beside the baseline's.

`python -m export.report docs/report-fast.json ...` renders each report again from the figures an
export wrote beside it, so a change to the tables needs no retraining."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np


def _f(value, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "–"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_f(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


UNSEEN = "unseen legitimate mail: "  # a fold of one legitimate source, never trained on


def loso_mean(folds: dict, who: str, key: str = "roc_auc", unseen: bool = False) -> float:
    """The mean of one figure over the leave-one-source-out folds (not the time split), or over
    the folds of one unseen legitimate source each."""
    values = [f[who].get(key) for name, f in folds.items()
              if not name.startswith("time") and name.startswith(UNSEEN) == unseen]
    values = [v for v in values if v is not None]
    return round(float(np.mean(values)), 4) if values else float("nan")


def unseen_pooled(folds: dict, who: str) -> float:
    """The share of all texts of the unseen legitimate sources flagged, each at its own fold's
    threshold: beside the mean of sources, where one message of a 26-text source weighs 4 %."""
    cells = [(f[who]["n"], f[who]["legit_flagged"]) for name, f in folds.items() if name.startswith(UNSEEN)]
    total = sum(n for n, _ in cells)
    return round(sum(n * flagged for n, flagged in cells) / total, 4) if total else float("nan")


def headline(meta: dict) -> list[list]:
    """The figures the issue names, for the model and the baseline."""
    m = meta["metrics"]

    def held(part: str, key: str):  # a figure of the sources never trained on (None: not measured)
        return lambda who: m[who].get(part, {}).get(key)

    rows = []
    for label, pick in (
        ("leave-one-source-out mean scam recall at 1 % legit flagged",
         lambda who: loso_mean(m["folds"], who, "recall_at_1pct")),
        ("leave-one-source-out mean scam recall at 0.1 % legit flagged",
         lambda who: loso_mean(m["folds"], who, "recall_at_0_1pct")),
        ("leave-one-source-out mean legit flagged at the served threshold",
         lambda who: loso_mean(m["folds"], who, "legit_flagged")),
        ("leave-one-source-out mean ROC AUC", lambda who: loso_mean(m["folds"], who)),
        ("legitimate mail of a source never trained on: mean flagged at the served threshold",
         lambda who: loso_mean(m["folds"], who, "legit_flagged", unseen=True)),
        ("legitimate mail of a source never trained on: all its texts pooled, flagged",
         lambda who: unseen_pooled(m["folds"], who)),
        ("challenge set accuracy", lambda who: m[who]["challenge"]["accuracy"]),
        ("challenge set scam recall", lambda who: m[who]["challenge"]["recall"]),
        ("challenge set legitimate pass rate", lambda who: m[who]["challenge"]["legit_pass"]),
        ("random split: scam recall at 1 % legit flagged",
         lambda who: m[who]["random"].get("recall_at_1pct")),
        ("random split: legit flagged at the served threshold",
         lambda who: m[who]["random"].get("legit_flagged")),
        ("challenge set ROC AUC", lambda who: m[who]["challenge"]["roc_auc"]),
        ("SpamAssassin random-split F1",
         lambda who: m[who]["random_by_source"].get("spamassassin", {}).get("f1")),
        ("random split (all sources) F1", lambda who: m[who]["random"]["f1"]),
        ("random split ROC AUC", lambda who: m[who]["random"]["roc_auc"]),
        ("random split Brier score", lambda who: m[who]["random"]["brier"]),
        ("evaluation-only sources accuracy", held("evaluation_only_sources", "accuracy")),
        ("evaluation-only sources: legitimate mail flagged at the served threshold",
         held("evaluation_only_sources", "legit_flagged")),
        ("evaluation-only sources: scam recall at the served threshold",
         held("evaluation_only_sources", "recall")),
        ("evaluation-only sources: legitimate mail in the \"scam\" band (above the uncertain one)",
         held("evaluation_only_sources_scam_band", "legit_flagged")),
        ("evaluation-only sources: scams in the \"scam\" band",
         held("evaluation_only_sources_scam_band", "recall")),
        ("score change, text repeated 5x (mean / max)",
         lambda who: _mean_max(m[who]["invariance"]["repeat_5"])),
    ):
        rows.append([label, pick("model"), pick("baseline")])
    return rows


# The figures the default is held to (issue 19): headline row, target, whether higher is better.
# The unseen sets' "at most 3 % of legitimate mail flagged and at least 75 % of scams caught" is
# judged here on its nearest proxies: the legitimate sources left out in turn, and the sources
# never trained on at all (real A2P e-mail, real smishing).
TARGETS = (
    ("leave-one-source-out mean scam recall at 1 % legit flagged", 0.80, True),
    ("challenge set legitimate pass rate", 0.97, True),
    ("challenge set scam recall", 0.85, True),
    ("SpamAssassin random-split F1", 0.96, True),
    ("legitimate mail of a source never trained on: mean flagged at the served threshold", 0.03, False),
    ("evaluation-only sources: legitimate mail flagged at the served threshold", 0.03, False),
    ("evaluation-only sources: scam recall at the served threshold", 0.75, True),
)


def targets(meta: dict) -> list[list]:
    """[figure, target, model, baseline, verdict] for each of TARGETS."""
    figures = {row[0]: row[1:] for row in headline(meta)}
    rows = []
    for label, goal, higher in TARGETS:
        model, baseline = figures[label]
        if model is None or model != model:
            verdict = "not measured"
        else:
            gap = goal - model if higher else model - goal
            verdict = "met" if gap <= 0 else f"missed by {gap:.3f}"
        rows.append([label, f"{'≥' if higher else '≤'} {goal:.2f}", model, baseline, verdict])
    return rows


def markdown(meta: dict, plot: str) -> str:
    m = meta["metrics"]
    data = meta["data"]
    base_sources, base_notes = m["baseline"]["random_by_source"], m["baseline"]["plain_notes"]
    parts = [f"# Export report: {meta['name']} (version {meta['version']})", "",
             f"Generated by `python -m export` at {meta['created']}. Baseline: TF-IDF word 1-2-grams + "
             "logistic regression trained on the same split. Thresholds chosen on validation by the "
             "rule in export/evaluate.py (at most 1 % of the validation part's legitimate texts "
             f"flagged, overall and in each source): model {m['thresholds']['model']}, "
             f"baseline {m['thresholds']['baseline']}. Licence: {meta['licence']}.", "",
             "## Headline", "", table(["figure", "model", "baseline"], headline(meta)), "",
             "## Targets", "",
             "The figures the default is held to. What bounds each miss, measured: "
             "[docs/bounds.md](bounds.md).", "",
             table(["figure", "target", "model", "baseline", "verdict"], targets(meta)), "",
             "## Data", "",
             table(["source", "licence", "use", "legit", "scam", "sha256"],
                    [[c["name"], c["licence"], c["use"], c["counts"]["legit"], c["counts"]["scam"],
                      c["sha256"][:12]] for c in data["corpora"]]), "",
             f"{data['messages']} messages; {data['exact_duplicates_dropped']} exact and "
             f"{data['near_duplicates_dropped']} near duplicates dropped; {data['trainable']} trainable, "
             f"{data['evaluation_only']} evaluation-only. Split (train/validation/test): "
             f"{data['split_sizes']}.", "",
             "## Random split, test part, by source", "",
             table(["source", "n", "model F1", "model AUC", "model recall", "model legit flagged",
                     "baseline F1", "baseline AUC", "baseline legit flagged"],
                    [[s, r["n"], r["f1"], r["roc_auc"], r["recall"], r.get("legit_flagged"),
                      base_sources[s]["f1"], base_sources[s]["roc_auc"], base_sources[s].get("legit_flagged")]
                     for s, r in m["model"]["random_by_source"].items()]), "",
             "## Trained without a source, tested on it (and the time split)", "",
             "Each at the threshold its own validation part chooses by the same rule. Recall at 1 % "
             "and 0.1 %: the share of the left-out scams caught at the threshold that flags that "
             "share of the left-out legitimate texts.", "",
             table(["test", "n", "model recall @1%", "model recall @0.1%", "model legit flagged",
                    "model AUC", "baseline recall @1%", "baseline recall @0.1%", "baseline legit flagged",
                    "baseline AUC"],
                   [[name, f["model"]["n"], *(f[who].get(k) for who in ("model", "baseline") for k in (
                       "recall_at_1pct", "recall_at_0_1pct", "legit_flagged", "roc_auc"))]
                    for name, f in m["folds"].items()]), "",
             "## Challenge set (export/challenge.jsonl, never trained on): share right by kind", "",
             table(["kind", "model", "baseline"],
                    [[k, v, m["baseline"]["challenge"]["by_kind"][k]]
                     for k, v in m["model"]["challenge"]["by_kind"].items()]), "",
             "## Invariance (score change on the test split)", "",
             table(["perturbation", "model", "baseline"], _invariance_rows(m)), "",
             "## Short plain notes (must stay legitimate)", "",
             table(["text", "model", "baseline"],
                    [[f"`{t}`", s, base_notes[t]] for t, s in m["model"]["plain_notes"].items()]),
             "", "## Calibration", "", f"![Reliability on the test split]({plot})", ""]
    return "\n".join(parts)


def _mean_max(moved: dict) -> str:
    return f"{moved['mean']:.3f} / {moved['max']:.3f}"


def _invariance_rows(m: dict) -> list[list]:
    rows = []
    for key in ("repeat_5", "zero_width", "reformatted"):
        rows.append([f"{key} (mean / max)"] + [_mean_max(m[who]["invariance"][key])
                                               for who in ("model", "baseline")])
    padded = {who: m[who]["invariance"]["scam_plus_legit_mail"] for who in ("model", "baseline")}
    rows.append(["scam + legitimate mail appended: mean drop"] + [padded[w]["mean_drop"] for w in padded])
    rows.append(["  scams flagged before → after"] + [
        f"{padded[w]['flagged_before']:.3f} → {padded[w]['flagged_after']:.3f}" for w in padded])
    rows.append(["  if the halves were scored too: scams flagged after"]
                + [padded[w]["flagged_after_by_halves"] for w in padded])
    rows.append(["  legitimate pass rate, whole text → by halves"] + [
        f"{padded[w]['legit_pass']:.3f} → {padded[w]['legit_pass_by_halves']:.3f}" for w in padded])
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m export.report", description=__doc__)
    parser.add_argument("figures", type=Path, nargs="+", help="a report's .json, as an export wrote it")
    for path in parser.parse_args(argv).figures:
        out = path.with_suffix(".md")
        out.write_text(markdown(json.loads(path.read_text()), path.with_suffix(".png").name))
        print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
