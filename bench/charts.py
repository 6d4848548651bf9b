"""Results -> the PNG charts under docs/ that the README shows."""

from __future__ import annotations

from pathlib import Path

from bench.report import floor
from bench.servers import FORMS


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _budget_phases(result: dict, form: str) -> dict | None:
    """The floor's imports and model load, from its budget, shaped as bench.startup's phases."""
    if form != "floor" or "budget" not in result:
        return None
    parts = {part: value["median"] for part, value in result["budget"]["floor"]["parts"].items()}
    imports = sum(parts.get(p, 0.0) for p in ("framework", "libraries", "code"))
    model = sum(parts.get(p, 0.0) for p in ("metadata", "session", "tokenizer"))
    return {"imports": {"median": imports}, "model": {"median": model}}


def cold_start(results: dict[str, dict], target: Path) -> None:
    """Per model: each form's median cold start, split into imports / model load / the rest, p90 whisker."""
    plt = _pyplot()
    figure, axes = plt.subplots(1, len(results), figsize=(6.5 * len(results), 4.4), squeeze=False)
    for axis, (name, result) in zip(axes[0], results.items(), strict=True):
        forms = list(result["cold"])
        for row, form in enumerate(forms):
            cold = result["cold"][form]
            phase = result["phases"].get(form) or _budget_phases(result, form)
            if phase:  # imports, model load and the rest, stacked
                parts = [phase["imports"]["median"], phase["model"]["median"]]
                parts.append(cold["median"] - sum(parts))
                segments = zip(parts, ("tab:blue", "tab:orange", "tab:grey"),
                               ("imports", "model load", "the rest"), strict=True)
            else:  # the container and the Flask hello: their start is not split
                segments = iter([(cold["median"], "silver", "total, not split")])
            left = 0.0
            for part, colour, label in segments:
                axis.barh(row, part * 1000, left=left * 1000, color=colour, label=label)
                left += part
            axis.errorbar(cold["median"] * 1000, row, xerr=[[0], [(cold["p90"] - cold["median"]) * 1000]],
                          color="black", capsize=3)
            axis.text(cold["p90"] * 1000 + 15, row, f"{cold['median'] * 1000:.0f} ms", va="center",
                      fontsize=8)
        axis.set_yticks(range(len(forms)), [FORMS[f] for f in forms])
        axis.invert_yaxis()
        axis.set_xlabel("spawn -> first prediction (ms); median, whisker to p90")
        axis.set_title(f"cold start, {name} model")
        handles, labels = axis.get_legend_handles_labels()
        unique = dict(zip(labels, handles, strict=True))
        axis.legend(unique.values(), unique.keys(), loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=2,
                    fontsize=8)
        axis.set_xlim(right=max(c["p90"] for c in result["cold"].values()) * 1000 * 1.2)
        axis.grid(axis="x", alpha=0.3)
    _save(figure, target)


def warm(results: dict[str, dict], target: Path) -> None:
    """Per model: p50 (bar) and p99 (whisker) at concurrency 1, with the floor; texts/s single vs batched."""
    plt = _pyplot()
    figure, axes = plt.subplots(2, len(results), figsize=(6 * len(results), 7), squeeze=False)
    for column, (name, result) in enumerate(results.items()):
        latency, rate = axes[0][column], axes[1][column]
        forms = list(result["warm"])
        for i, form in enumerate(forms):
            one = result["warm"][form]["latency"]["1"]
            latency.bar(i, one["p50"] * 1000, color="tab:blue")
            latency.errorbar(i, one["p50"] * 1000, yerr=[[0], [(one["p99"] - one["p50"]) * 1000]],
                             color="black", capsize=3)
        latency.axhline(floor(result) * 1000, color="tab:red", linestyle="--",
                        label="floor: (c) + tokenize + ONNX")
        latency.set_xticks(range(len(forms)), [FORMS[f].split(")")[0] + ")" for f in forms])
        latency.set_yscale("log")
        latency.set_ylabel("ms at concurrency 1 (p50, whisker to p99)")
        latency.set_title(f"warm latency, typical e-mail, {name} model")
        latency.legend(fontsize=8)
        bars = {"(d) single": result["warm"]["d"]["latency"]["8"]["per_second"],
                "(a) single": result["warm"]["a"]["latency"]["8"]["per_second"]}
        bars |= {f"(a) batch {b}": v["texts_per_second"] for b, v in result["warm"]["a"]["batches"].items()}
        rate.bar(range(len(bars)), list(bars.values()), color="tab:green")
        rate.set_xticks(range(len(bars)), list(bars))
        rate.set_ylabel("texts/s, one core (single: 8 at once)")
        rate.set_title(f"throughput, {name} model")
        for axis in (latency, rate):
            axis.grid(axis="y", alpha=0.3)
    _save(figure, target)


def scaling(results: dict[str, dict], target: Path) -> None:
    """Latency and texts/s against text length (a) and against concurrency (a and d), both models."""
    plt = _pyplot()
    figure, axes = plt.subplots(2, 2, figsize=(11, 8))
    for name, result in results.items():
        length = result["warm"]["a"]["scaling"]["length"]
        sizes = [int(n) for n in length]
        axes[0][0].plot(sizes, [v["p50"] * 1000 for v in length.values()], marker="o", label=f"(a) {name}")
        axes[0][1].plot(sizes, [v["per_second"] for v in length.values()], marker="o", label=f"(a) {name}")
        for form, style in (("a", "-"), ("d", "--")):
            by_c = result["warm"][form]["scaling"]["concurrency"]
            levels = [int(c) for c in by_c]
            label = f"{FORMS[form].split(',')[0]} {name}"
            axes[1][0].plot(levels, [v["p50"] * 1000 for v in by_c.values()], style, marker="o", label=label)
            axes[1][1].plot(levels, [v["per_second"] for v in by_c.values()], style, marker="o", label=label)
    titles = (("p50 latency at concurrency 1 (ms)", "texts/s at concurrency 8"),
              ("p50 latency, typical e-mail (ms)", "texts/s, typical e-mail"))
    for row, (left, right) in enumerate(titles):
        for axis, title in ((axes[row][0], left), (axes[row][1], right)):
            axis.set_xscale("log", base=10 if row == 0 else 2)
            axis.set_yscale("log")
            axis.set_xlabel("words per e-mail" if row == 0 else "concurrent requests")
            axis.set_title(title)
            axis.grid(alpha=0.3, which="both")
            axis.legend(fontsize=8)
    _save(figure, target)


def _save(figure, target: Path) -> None:
    figure.tight_layout()
    target.parent.mkdir(exist_ok=True)
    figure.savefig(target, dpi=100)
