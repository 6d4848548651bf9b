"""OUT/report.md and its one plot, OUT/report.png: what adapting did, from model.json's `adaptation`."""

from __future__ import annotations

from pathlib import Path

REPORT, PLOT = "report.md", "report.png"
FORGETTING = 0.05  # challenge-set accuracy given up beyond which the report and the command warn


def _pct(value: float) -> str:
    return f"{100 * value:.1f} %"


def _share(row: dict, hits: str, total: str) -> str:
    low, high = row[f"{hits}_95"]
    return f"{row[hits]} / {row[total]} ({_pct(row[f'{hits}_rate'])}, 95 % {_pct(low)}-{_pct(high)})"


def _row(name: str, row: dict) -> str:
    return (f"| {name} | {_share(row, 'legit_flagged', 'legit')} | "
            f"{_share(row, 'scams_caught', 'scams')} |")


def support_note(a: dict) -> str:
    legit, needed = a["sample"]["counts"]["legit"], a["legit_needed"]
    if a["supported"]:
        return ""
    return (f"The sample has {legit} legitimate messages: too few to support a rate of "
            f"{_pct(a['max_false_alarms'])} (at least {needed} are needed, {needed - legit} more). The "
            "threshold sits above the legitimate scores seen; expect more false alarms on new mail than "
            "the stated rate.")


def forgetting_note(a: dict) -> str:
    base, adapted = a["challenge"]["base"]["accuracy"], a["challenge"]["adapted"]["accuracy"]
    if base - adapted <= FORGETTING:
        return ""
    return (f"Warning: the challenge set's accuracy fell from {base:.3f} to {adapted:.3f}: this artifact "
            "forgets what the base knew of mail unlike this sample; a higher --max-false-alarms or more "
            "legitimate messages keep more of it.")


def summary(meta: dict) -> str:
    """What `python -m export.adapt` prints: a few lines."""
    a, cv = meta["adaptation"], meta["adaptation"]["cross_validation"]
    lines = [f"adapted {meta['adapted_from']['name']} {meta['adapted_from']['version']} -> "
             f"{meta['name']} {meta['version']} ({a['method']}), threshold {meta['threshold']:g}",
             f"cross-validated at most {_pct(a['max_false_alarms'])} legit flagged: "
             f"{_share(cv, 'scams_caught', 'scams')} scams caught",
             f"challenge set accuracy: base {a['challenge']['base']['accuracy']:.3f}, "
             f"adapted {a['challenge']['adapted']['accuracy']:.3f}",
             support_note(a), forgetting_note(a),
             f"report: {REPORT} beside the artifact ({a['seconds']:g} s)"]
    return "\n".join(line for line in lines if line)


def _plot(a: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = a["held_out"]["rows"]
    names = list(rows)
    figure, (left, right) = plt.subplots(1, 2, figsize=(9, 3.4), gridspec_kw={"width_ratios": [3, 1.2]})
    width = 0.38
    positions = range(len(names))
    left.bar([p - width / 2 for p in positions], [100 * rows[n]["legit_flagged_rate"] for n in names],
             width, label="legit flagged", color="#c0392b")
    left.bar([p + width / 2 for p in positions], [100 * rows[n]["scams_caught_rate"] for n in names],
             width, label="scams caught", color="#2874a6")
    ticks = [n.replace(" (", "\n(").replace(" refitted", "\nrefitted") for n in names]
    left.set_xticks(list(positions), ticks, fontsize=7)
    left.set_ylim(0, 122)
    left.set_yticks(range(0, 101, 20))
    left.set_ylabel("% of the held-out quarter")
    left.legend(fontsize=8, loc="upper center", ncol=2, frameon=False)
    left.set_title("held-out part of the sample", fontsize=9)
    challenge = a["challenge"]
    right.bar(["base", "adapted"], [100 * challenge[k]["accuracy"] for k in ("base", "adapted")],
              color=["#7f8c8d", "#27ae60"])
    right.set_ylim(0, 105)
    right.set_title("challenge set accuracy %", fontsize=9)
    figure.tight_layout()
    figure.savefig(path, dpi=110, metadata={"Software": None})
    plt.close(figure)


def _unused(s: dict) -> str:
    if not s["unused_beyond_limit"]:
        return ""
    return f"; {s['unused_beyond_limit']} more left out: at most {sum(s['counts'].values())} are used"


def markdown(meta: dict) -> str:
    a, cv = meta["adaptation"], meta["adaptation"]["cross_validation"]
    s, held, ch = a["sample"], a["held_out"]["rows"], a["challenge"]
    given_up = ch["base"]["accuracy"] - ch["adapted"]["accuracy"]
    verdict = (f"Given up: {100 * given_up:.1f} accuracy points" if given_up > 0
               else f"Nothing given up ({100 * -given_up:.1f} accuracy points gained)")
    lines = [
        f"# {meta['name']} {meta['version']}, adapted from {meta['adapted_from']['name']} "
        f"{meta['adapted_from']['version']}", "",
        f"- Sample: {s['counts']['legit']} legitimate and {s['counts']['scam']} scam messages used "
        f"({s['duplicates_dropped']} exact duplicates and {s['empty_dropped']} without text dropped"
        f"{_unused(s)}), "
        f"sha256 `{s['sha256'][:16]}`.",
        f"- Method: **{a['method']}**, chosen by {cv['folds']}-fold cross-validation among "
        f"{len(cv['candidates'])} candidates (the last table).",
        f"- Threshold **{meta['threshold']:g}**: at most {_pct(a['max_false_alarms'])} of legitimate mail "
        f"flagged. Cross-validated there: {_share(cv, 'legit_flagged', 'legit')} "
        f"legitimate flagged, {_share(cv, 'scams_caught', 'scams')} scams caught, "
        f"so {cv['scams'] - cv['scams_caught']} missed.",
    ]
    if a.get("note"):
        lines.append(f"- {a['note']}.")
    note = support_note(a)
    if note:
        lines += ["", f"**{note}**"]
    lines += ["", "## Before and after, on a held-out quarter of the sample", "",
              "The whole choice was made again on the other three quarters "
              f"({a['held_out']['adapted_with']}) and judged on this quarter, which it did not see; "
              "the artifact itself is fitted on all of it.",
              "", "| | legit flagged | scams caught |", "|---|---|---|",
              *(_row(name, row) for name, row in held.items()), "", f"![before and after]({PLOT})", "",
              "## What the base knew: the challenge set (export/challenge.jsonl)", "",
              "| | accuracy | legit passed | scams caught |", "|---|---|---|---|",
              *(f"| {k} | {ch[k]['accuracy']:.3f} | {ch[k]['legit_pass']:.3f} | {ch[k]['recall']:.3f} |"
                for k in ("base", "adapted")), "",
              f"{verdict} on its {ch['base']['n']} messages. {forgetting_note(a)}".rstrip(),
              "", "## Candidates, cross-validated on the whole sample", "",
              "| candidate | ROC AUC | threshold | legit flagged | scams caught |", "|---|---|---|---|---|",
              *(f"| {c['candidate']} | {c['roc_auc']:.3f} | {c['threshold']:.4g} | "
                f"{c['legit_flagged']} / {c['legit']} | {c['scams_caught']} / {c['scams']} |"
                for c in cv["candidates"]), "",
              f"Made in {a['seconds']:g} s by `python -m export.adapt {a['command']}` (`make adapt`)."]
    return "\n".join(lines) + "\n"


def write(folder: Path, meta: dict) -> None:
    _plot(meta["adaptation"], folder / PLOT)
    (folder / REPORT).write_text(markdown(meta), encoding="utf-8")
