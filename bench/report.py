"""Results -> markdown: the tables, and PASS/FAIL per target (a FAIL is a number to improve)."""

from __future__ import annotations

from dataclasses import dataclass

from bench import budget_report
from bench.servers import FORMS

MIB_FUNCTION = 256  # the smallest useful Cloud Functions memory tier
MIB_TRANSFORMER = 512


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 0.1 else f"{seconds * 1000:.0f} ms"


def floor(result: dict) -> float:
    """The physical floor of a warm request: the framework's own latency + tokenize + ONNX run."""
    return result["warm"]["c"]["latency"]["1"]["p50"] + result["in_process"]["predict"]["median"]


def peak_rss(warm: dict) -> float:
    """A form's peak RSS over all its load, the scaling runs included where it had them."""
    return max(warm["peak_rss_mib"], warm.get("peak_rss_mib_scaling", 0))


def is_transformer(result: dict) -> bool:
    return "minilm" in result["artifact"]


def single(result: dict, form: str) -> dict:
    """Single-text requests at concurrency 8: texts/s and CPU per text."""
    return result["warm"][form]["latency"]["8"]


@dataclass(frozen=True)
class Target:
    name: str
    value: str
    met: bool | None  # None: reported only (the transformer's share of the fast model's targets)
    bound: str  # what the measurements say limits it


def targets(result: dict, transformer: bool) -> list[Target]:
    """Issue 12's targets: (a) against the seed (d) and the bare framework (c) of the same form."""
    warm, cold, inner, phases = result["warm"], result["cold"], result["in_process"], result["phases"]
    rate = {(form, c): warm[form]["latency"][c]["per_second"] for form in ("a", "d") for c in ("1", "8")}
    a_p50, d_p50 = warm["a"]["latency"]["1"]["p50"], warm["d"]["latency"]["1"]["p50"]
    clean, predict = inner["clean"]["median"], inner["predict"]["median"]
    cpu = {form: single(result, form)["cpu_per_text"] for form in ("a", "c", "d")}
    cpu_floor = cpu["c"] + predict
    cold_ratio = cold["a"]["median"] / cold["c"]["median"]
    rss = peak_rss(warm["a"])
    rss_limit = MIB_TRANSFORMER if transformer else MIB_FUNCTION
    fast = None if transformer else True  # the fast model's targets; the transformer's are reported
    overhead = (f"CPU per request: (a) {ms(cpu['a'])}, (d) {ms(cpu['d'])}, bare framework (c) "
                f"{ms(cpu['c'])}, tokenize + ONNX in-process {ms(predict)}, "
                f"mail.clean {ms(clean)} (the seed skips it)")
    found = [Target(f"texts/s of (a) >= 1.3 x (d) at concurrency {c}",
                    f"{rate['a', c] / rate['d', c]:.2f} x ({rate['a', c]:.0f} vs {rate['d', c]:.0f})",
                    fast and rate["a", c] >= 1.3 * rate["d", c], overhead) for c in ("1", "8")]
    found += [
        Target("warm p50 of (a) <= (d)", f"{ms(a_p50)} vs {ms(d_p50)}", fast and a_p50 <= d_p50,
               f"of (a)'s p50, {ms(clean)} is mail.clean, which the seed does not run"),
        Target("CPU per request of (a) <= 1.2 x ((c) + tokenize and ONNX)",
               f"{cpu['a'] / cpu_floor:.2f} x ({ms(cpu['a'])} vs {ms(cpu_floor)})",
               fast and cpu["a"] <= 1.2 * cpu_floor,
               f"above the floor: {ms(cpu['a'] - cpu_floor)}, of which mail.clean {ms(clean)}"),
        Target(f"cold start of (a) <= {budget_report.FLOOR_TARGET} x the floor (same run)",
               f"{budget_report.ratio(result):.2f} x ({ms(cold['a']['median'])} vs "
               f"{ms(cold['floor']['median'])})",
               fast and budget_report.ratio(result) <= budget_report.FLOOR_TARGET,
               "the itemised budget above: what lies beyond the floor, part by part"),
        Target("warm (b) within 10 % of (a): p50 at 1, texts/s at 8 (measured in turns)",
               f"p50 {ms(result['paired']['b']['latency']['1']['p50'])} vs "
               f"{ms(result['paired']['a']['latency']['1']['p50'])}, texts/s "
               f"{result['paired']['b']['latency']['8']['per_second']:.0f} vs "
               f"{result['paired']['a']['latency']['8']['per_second']:.0f}",
               budget_report.pair_met(result),
               f"CPU per text (b) {ms(result['paired']['b']['latency']['8']['cpu_per_text'])}, "
               f"(a) {ms(result['paired']['a']['latency']['8']['cpu_per_text'])}"),
        Target("cold start of (a) <= 1.5 x (c)", f"{cold_ratio:.2f} x",
               fast and cold_ratio <= 1.5,
               f"(a) - (c) = {ms(cold['a']['median'] - cold['c']['median'])}: imports beyond (c)'s "
               f"{ms(phases['a']['imports']['median'] - phases['c']['imports']['median'])} (numpy, the "
               f"function's code), model load {ms(phases['a']['model']['median'])} (onnxruntime, "
               "artifact with sha256, tokenizer, session)"),
        Target(f"peak RSS of (a) <= {rss_limit} MiB", f"{rss:.0f} MiB", rss <= rss_limit,
               "after every load, up to 10,000 words and 64 at once"),
    ]
    if transformer:
        found.append(Target("texts/s of (a) >= (d) at concurrency 8, both pinned alike",
                            f"{rate['a', '8'] / rate['d', '8']:.2f} x", rate["a", "8"] >= rate["d", "8"],
                            "both with ONNX Runtime threads = the one pinned core"))
    return found


def _verdict(target: Target) -> str:
    return {True: "PASS", False: "FAIL", None: "(reported)"}[target.met]


def _cold_table(result: dict) -> list[str]:
    lines = ["| form | cold start median | p90 | runs | CPU time until then | imports | model load "
             "| the rest |",
             "|---|---|---|---|---|---|---|---|"]
    for form, cold in result["cold"].items():
        phase = result["phases"].get(form.removesuffix("-podman"))
        parts = ["-", "-", "-"]
        if phase and form != "b-podman":
            imports, model = phase["imports"]["median"], phase["model"]["median"]
            parts = [ms(imports), ms(model) if model > 1e-3 else "-", ms(cold["median"] - imports - model)]
        label = FORMS[form] + (f" (ready: {ms(cold['ready']['median'])})" if "ready" in cold else "")
        cpu = ms(cold["cpu"]["median"]) if "cpu" in cold else "-"
        lines.append(f"| {label} | {ms(cold['median'])} | {ms(cold['p90'])} | {cold['runs']} | {cpu} | "
                     + " | ".join(parts) + " |")
    source = result["source"]
    lines.append(f"| (a) with the model from Cloud Storage (emulator) | {ms(source['cold']['median'])} | "
                 f"{ms(source['cold']['p90'])} | {source['cold']['runs']} | - | - | of which download "
                 f"{ms(source['download']['median'])} ({source['size_mb']:.1f} MB) | - |")
    return lines


def _warm_table(result: dict) -> list[str]:
    lines = ["| form | p50 / p99 at 1 | p50 / p99 at 8 | texts/s at 1 | texts/s at 8 | CPU per request "
             "| batch 8 | batch 32 | batch 64 | peak RSS |", "|---|---|---|---|---|---|---|---|---|---|"]
    for form, warm in result["warm"].items():
        one, eight = warm["latency"]["1"], warm["latency"]["8"]
        batches = [f"{warm['batches'][b]['texts_per_second']:.0f}" if "batches" in warm else "-"
                   for b in ("8", "32", "64")]
        lines.append(f"| {FORMS[form]} | {ms(one['p50'])} / {ms(one['p99'])} | {ms(eight['p50'])} / "
                     f"{ms(eight['p99'])} | {one['per_second']:.0f} | {eight['per_second']:.0f} | "
                     f"{ms(eight['cpu_per_text'])} | "
                     + " | ".join(batches)
                     + f" | {warm['peak_rss_mib']:.0f} MiB |")
    inner = result["in_process"]
    lines.append(f"| floor: (c) p50 + tokenize and ONNX in-process ({ms(inner['predict']['median'])}; "
                 f"tokenize alone {ms(inner['tokenize']['median'])}, "
                 f"mail.clean {ms(inner['clean']['median'])}) "
                 f"| {ms(floor(result))} | | | | | | | | |")
    return lines


def _scaling_table(result: dict) -> list[str]:
    scaling = result["warm"]["a"]["scaling"]
    lines = ["| words | p50 / p99 at 1 | texts/s at 8 |", "|---|---|---|"]
    lines += [f"| {n} | {ms(v['p50'])} / {ms(v['p99'])} | {v['per_second']:.0f} |"
              for n, v in scaling["length"].items()]
    lines += ["", "| concurrency | (a) p50 / p99 | (a) texts/s | (d) p50 / p99 | (d) texts/s |",
              "|---|---|---|---|---|"]
    naive = result["warm"]["d"]["scaling"]["concurrency"]
    for c, v in scaling["concurrency"].items():
        d = naive[c]
        lines.append(f"| {c} | {ms(v['p50'])} / {ms(v['p99'])} | {v['per_second']:.0f} | "
                     f"{ms(d['p50'])} / {ms(d['p99'])} | {d['per_second']:.0f} |")
    return lines


def markdown(results: dict[str, dict], meta: dict) -> str:
    """All tables, one section per model, then the targets side by side."""
    command = "python -m bench" + (" --quick" if meta["quick"] else "")
    out = [f"Run of {meta['date']} on {meta['machine']}, `{command}` "
           f"({meta['seconds']:.0f} s; load average {meta['load_average_before']:.2f} before it, "
           f"{meta['load_average_after']:.2f} after, the bench's own share up to 2). Servers "
           f"pinned to one core, load (wrk) on the other; warm figures from at least {meta['wrk_seconds']} s "
           "of wrk per cell. Artifacts: "
           + ", ".join(f"{name} from `{folder}`" for name, folder in meta["artifacts"].items()) + "."]
    if meta.get("container_skipped"):
        out.append(f"\nThe podman form was skipped: {meta['container_skipped']}")
    out += ["", "### In this run", "", *highlights(results)]
    for name, result in results.items():
        out += ["", f"### {name} ({result['artifact']})", "",
                "Cold start: spawn -> first successful prediction.",
                "", *_cold_table(result), "",
                *budget_report.cold_sections(result),
                "Warm: a typical e-mail (~300 words), at concurrency 1 and 8, each form alone.",
                "", *_warm_table(result), "",
                *budget_report.warm_sections(result),
                "Scaling of (a) with text length, and of (a) and (d) with "
                "concurrency (typical e-mail).", "", *_scaling_table(result)]
    names = list(results)
    out += ["", "### Targets", "", "| target | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    rows: dict[str, list[str]] = {}
    bounds = []
    for i, name in enumerate(names):
        for target in targets(results[name], transformer=is_transformer(results[name])):
            rows.setdefault(target.name, ["-"] * len(names))[i] = f"{target.value} {_verdict(target)}"
            bounds.append(f"- {name}, {target.name}: {target.bound}")
    out += [f"| {label} | " + " | ".join(cells) + " |" for label, cells in rows.items()]
    out += ["", "What bounds each, measured in the same run:", "", *bounds]
    return "\n".join(out)


def summary(results: dict[str, dict], meta: dict) -> str:
    """The few numbers the README shows: each form side by side, per model."""
    forms = ("floor", "a", "b", "c", "d")
    lines = ["| | " + " | ".join(FORMS[f] for f in forms) + " |", "|---|" + "---|" * len(forms)]
    for name, result in results.items():
        cold, warm, pair = result["cold"], result["warm"], result["paired"]
        latency = {f: (pair.get(f) or warm.get(f, {})).get("latency") for f in forms}  # (a), (b): in turns
        podman = f" ({ms(cold['b-podman']['median'])} in podman)" if "b-podman" in cold else ""
        ratio = f" ({budget_report.ratio(result):.2f} x the floor)"
        rows = {
            "cold start": [ms(cold[f]["median"]) + (podman if f == "b" else ratio if f == "a" else "")
                           for f in forms],
            "warm p50, one at a time": [ms(latency[f]["1"]["p50"]) if latency[f] else "-" for f in forms],
            "texts/s on one core": [f"{latency[f]['8']['per_second']:.0f}" if latency[f] else "-"
                                    for f in forms],
            "peak RSS after the same load (largest process)": [
                f"{warm[f]['peak_rss_mib']:.0f} MiB" if f in warm else "-" for f in forms],
        }
        lines += [f"| {name}: {label} | " + " | ".join(cells) + " |" for label, cells in rows.items()]
    lines.append(f"\nMedians of {next(iter(results.values()))['cold']['a']['runs']} cold starts; (a) and (b) "
                 "warm: both serving at once, measured in turns; "
                 f"`make bench` of {meta['date']}; every table in [docs/bench.md](docs/bench.md).")
    return "\n".join(lines)


def highlights(results: dict[str, dict]) -> list[str]:
    """The comparisons "Which form should I choose?" rests on, in this run's numbers."""
    out = []
    for name, r in results.items():
        cold, warm = r["cold"], r["warm"]
        colds = {f: ms(cold[f]["median"]) for f in cold}
        p50 = {f: ms(warm[f]["latency"]["1"]["p50"]) for f in warm}
        cpu = {f: ms(single(r, f)["cpu_per_text"]) for f in ("a", "d")}
        rate = {f: f"{single(r, f)['texts_per_second']:.0f}" for f in ("a", "d")}
        podman = f"; `podman run` of it {colds['b-podman']}" if "b-podman" in colds else ""
        out += [
            f"- {name}: cold start (a) {colds['a']}, {budget_report.ratio(r):.2f} x its floor "
            f"{colds['floor']} "
            f"(ASGI hello + numpy, onnxruntime, tokenizers; session, tokenizer and one inference).",
            f"- {name}: warm in turns, (a) vs (b): p50 {ms(r['paired']['a']['latency']['1']['p50'])} vs "
            f"{ms(r['paired']['b']['latency']['1']['p50'])}, texts/s "
            f"{r['paired']['a']['latency']['8']['per_second']:.0f} vs "
            f"{r['paired']['b']['latency']['8']['per_second']:.0f}.",
            f"- {name}: cold start (a) {colds['a']} vs (b) {colds['b']}{podman}; the bare framework (c) "
            f"{colds['c']}; the seed (d) {colds['d']}.",
            f"- {name}: warm p50 (a) {p50['a']}, (b) {p50['b']}, (d) {p50['d']}; CPU per request "
            f"(a) {cpu['a']}, (d) {cpu['d']}; texts/s on one core (a) {rate['a']}, (d) {rate['d']}; "
            f"peak RSS (a) {peak_rss(warm['a']):.0f} MiB.",
            f"- {name}: from Cloud Storage (a) starts in {ms(r['source']['cold']['median'])} instead of "
            f"{colds['a']}, of which the download {ms(r['source']['download']['median'])}.",
        ]
    return out
