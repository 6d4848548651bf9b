"""The cold-start budget, (a) and (b) in turns, and memory per process, as markdown tables."""

from __future__ import annotations

from bench.servers import FORMS

FLOOR_TARGET = 1.15  # the function's cold start at most this many times the floor's
PAIR_TOLERANCE = 0.10  # (b) within this share of (a), warm

# Each part of a cold start: what it is, and why the function needs it where the floor does not.
PARTS = {
    "interpreter": ("interpreter start (python, site, .pth files)", ""),
    "framework": ("functions-framework, Flask, Starlette, gunicorn, uvicorn imported", ""),
    "libraries": ("numpy, onnxruntime, tokenizers imported", ""),
    "code": ("our code imported: main.py and function/ (floor: bench/floor.py)",
             "the HTTP contract (routes, errors, limits, /v2, the page, OpenAPI), cleaning as trained, "
             "settings and logging set-up; by module below"),
    "metadata": ("model.json read and validated",
                 "model.json is the contract with export: input names, labels, threshold and token limits"),
    "sha256": ("sha256 of every artifact file",
               "a corrupted or half-copied artifact is refused, not served (a gs:// copy is verified "
               "before it is renamed into place)"),
    "session": ("ONNX Runtime session created", ""),
    "tokenizer": ("tokenizer loaded", ""),
    "canaries": ("canary texts scored and compared",
                 "swapped labels, another tokenizer or a runtime that scores differently fail the load "
                 "instead of every answer; the first inference happens here, not in the request"),
    "setup": ("the rest of Model()", "graph inputs and outputs checked against model.json"),
    "request": ("the first request's own work (model loaded): routing, cleaning, inference, answer",
                "validation, mail.clean, the log line"),
    "server": ("the server: gunicorn's master and fork, uvicorn's loop, HTTP, 5 ms polling "
               "(the cold start minus the parts above)",
               "the master imports main.py before it forks: the worker's fork copies a larger process"),
}
# What the largest imports of our code are for (third-party modules grouped by package).
MODULES = {
    "function.mail": "cleaning as trained: every request",
    "function.web.page": "the browser page (GET /)",
    "function.web.openapi": "GET /openapi.json",
    "function.web.v2": "the V2 protocol (/v2/...)",
    "function.web.v2codec": "the V2 protocol (/v2/...)",
    "function.explain": "reasons (requests with explain only)",
    "function.web.server": "the hardened HTTP protocol (in the master, before the fork)",
    "email": "RFC 822 messages (message/rfc822 requests), for function.mail",
    "html": "HTML in e-mails, for function.mail",
    "_markupbase": "html.parser's base, for function.mail",
    "h11": "the hardened HTTP protocol (uvicorn would import it in the worker anyway)",
    "uvicorn": "the hardened HTTP protocol (uvicorn would import it in the worker anyway)",
    "main": "the entry point: settings, logging set-up, the protocol configured",
}
SHOWN_MODULE_SECONDS = 0.0005
SHORT = {"b": "(b)", "b-podman": "(b) in podman"}
MEMORY_KEYS = ("peak_rss", "rss", "unique", "shared", "pss")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if abs(seconds) < 0.1 else f"{seconds * 1000:.0f} ms"


def parts(result: dict, form: str) -> dict[str, float]:
    """Median seconds of each part of `form`'s cold start ("function" or "floor"), the server's
    share being the measured cold start minus the rest."""
    found = {part: value["median"] for part, value in result["budget"][form]["parts"].items()
             if part != "warm_request"}
    cold = result["cold"]["a" if form == "function" else "floor"]["median"]
    return {**found, "server": cold - sum(found.values())}


def ratio(result: dict) -> float:
    return result["cold"]["a"]["median"] / result["cold"]["floor"]["median"]


def cpu_ratio(result: dict) -> float:
    """The same ratio in CPU time spent until the first answer, which a busy machine inflates less."""
    return result["cold"]["a"]["cpu"]["median"] / result["cold"]["floor"]["cpu"]["median"]


def budget_table(result: dict) -> list[str]:
    function, floor = parts(result, "function"), parts(result, "floor")
    lines = ["| part | floor | function | beyond the floor | why the function needs it |",
             "|---|---|---|---|---|"]
    for part, (what, why) in PARTS.items():
        a, f = function.get(part, 0.0), floor.get(part, 0.0)
        lines.append(f"| {what} | {ms(f) if part in floor else '-'} | {ms(a) if part in function else '-'} | "
                     f"{ms(a - f)} | {why if a - f > 0.001 else ''} |")
    lines.append(f"| **cold start** (spawn -> first answer, median of {result['cold']['a']['runs']}) | "
                 f"**{ms(result['cold']['floor']['median'])}** | **{ms(result['cold']['a']['median'])}** | "
                 f"**{ms(result['cold']['a']['median'] - result['cold']['floor']['median'])}** "
                 f"({ratio(result):.2f} x the floor; in CPU time until the first answer "
                 f"{cpu_ratio(result):.2f} x) | |")
    gc = {form: result["budget"][form]["gc"]["median"] for form in ("floor", "function")}
    lines.append(f"\nOf these, garbage collection: floor {ms(gc['floor'])}, function {ms(gc['function'])}. "
                 f"Budget parts: medians of {result['budget']['function']['gc']['runs']} fresh interpreters "
                 "each (`python -m bench.budget function|floor MODEL_DIR`), the two taking turns.")
    return lines


def _grouped(modules: dict[str, float]) -> dict[str, float]:
    """Our modules one by one, third-party ones summed by top-level package."""
    found: dict[str, float] = {}
    for name, seconds in modules.items():
        key = name if name == "main" or name.startswith("function") else name.split(".")[0]
        found[key] = found.get(key, 0.0) + seconds
    return found


def modules_table(result: dict) -> list[str]:
    grouped = sorted(_grouped(result["budget"]["modules"]).items(), key=lambda item: -item[1])
    shown = [(name, s) for name, s in grouped if s >= SHOWN_MODULE_SECONDS]
    rest = sum(s for _, s in grouped if s < SHOWN_MODULE_SECONDS)
    lines = ["| module (own import time, -X importtime; third-party by package) | ms | what for |",
             "|---|---|---|"]
    lines += [f"| `{name}` | {ms(s)} | {MODULES.get(name, '')} |" for name, s in shown]
    lines.append(f"| {len(grouped) - len(shown)} others | {ms(rest)} | |")
    lines.append(f"| **all of `import main`** | **{ms(sum(s for _, s in grouped))}** | |")
    return lines


def paired_table(result: dict) -> list[str]:
    pair = result["paired"]
    lines = ["| form | p50 at 1 | texts/s at 1 | p50 at 8 | texts/s at 8 | CPU per text at 8 | runs |",
             "|---|---|---|---|---|---|---|"]
    for form, entry in pair.items():
        one, eight = entry["latency"]["1"], entry["latency"]["8"]
        lines.append(f"| {FORMS[form]} | {ms(one['p50'])} | {one['per_second']:.0f} | {ms(eight['p50'])} | "
                     f"{eight['per_second']:.0f} | {ms(eight['cpu_per_text'])} | {one['runs']} |")
    a = pair["a"]["latency"]
    cells = (("1", "p50"), ("1", "per_second"), ("8", "p50"), ("8", "per_second"), ("8", "cpu_per_text"))
    for form in [f for f in pair if f != "a"]:
        b = pair[form]["latency"]
        ratios = " | ".join(f"{b[c][key] / a[c][key]:.2f}" for c, key in cells)
        lines.append(f"| {SHORT[form]} / (a) | {ratios} | |")
    return lines


def memory_table(result: dict) -> list[str]:
    """(a) and (b) per process, each measured alone after the same warm load (latency, batches):
    served side by side, each would share the other's library pages and look smaller in PSS."""
    lines = ["| form | process | peak RSS | RSS now | unique | shared | PSS |",
             "|---|---|---|---|---|---|---|"]
    for form in ("a", "b"):
        lines += _process_rows(FORMS[form], result["warm"][form]["memory"],
                               "all (PSS: shared pages counted once)")
    return lines


def _process_rows(lead: str, processes: list[dict], all_of_them: str) -> list[str]:
    """A row per process (its sizes in MEMORY_KEYS order), then one with their PSS summed."""
    rows = [f"| {lead} | {p['process']} | " + " | ".join(f"{p[key]:.0f} MiB" for key in MEMORY_KEYS) + " |"
            for p in processes]
    return [*rows, f"| {lead} | {all_of_them} | | | | | {sum(p['pss'] for p in processes):.0f} MiB |"]


def pair_met(result: dict) -> bool:
    a, b = result["paired"]["a"]["latency"], result["paired"]["b"]["latency"]
    return (b["1"]["p50"] <= (1 + PAIR_TOLERANCE) * a["1"]["p50"]
            and b["8"]["per_second"] >= (1 - PAIR_TOLERANCE) * a["8"]["per_second"])


def startup_table(result: dict) -> list[str]:
    """Cold starts on one core and on two (the startup CPU boost), and the import experiments."""
    found = result["startup"]
    cores = sorted({key.split("@")[1] for key in found}, key=len)
    lines = ["| form | " + " | ".join("one core" if c == "0" else f"cores {c} (boost)" for c in cores)
             + " | two cores / one |",
             "|---|" + "---|" * (len(cores) + 1)]
    for form in dict.fromkeys(key.split("@")[0] for key in found):
        cells = [found[f"{form}@{c}"]["median"] for c in cores]
        shown = " | ".join(ms(c) for c in cells)
        lines.append(f"| {FORMS[form]} | {shown} | {cells[-1] / cells[0]:.2f} |")
    runs = next(iter(found.values()))["runs"]
    lines.append(f"\nMedians of {runs} cold starts each, taking turns; on two cores the bench's poller "
                 "shares the second core.")
    return lines


def sharing_table(result: dict) -> list[str]:
    lines = ["| form | workers | process | peak RSS | RSS now | unique | shared | PSS |",
             "|---|---|---|---|---|---|---|---|"]
    for key, processes in result["sharing"].items():
        form, workers = key.split("@")
        lines += _process_rows(f"{FORMS[form]} | {workers}", processes, "all (PSS)")
    return lines


def cold_sections(result: dict) -> list[str]:
    """What follows the cold-start table: the budget against the floor, the imports by module, and
    the start-up options."""
    return [
        "The function's cold start against the floor, itemised (medians; \"beyond the floor\" is the "
        "function's part minus the floor's):", "", *budget_table(result), "",
        "The function's own imports (`import main` after the framework, numpy and tokenizers), by module "
        "(-X importtime, garbage collection off: it is counted in the budget):", "",
        *modules_table(result), "",
        "Start-up options: one core as deployed, two as Cloud Run's startup CPU boost gives a 1 vCPU "
        "instance while it starts; onnxruntime and tokenizers imported in the master before the fork, "
        "serially (early) or in a thread beside main.py's imports (overlap):", "", *startup_table(result), "",
    ]


def warm_sections(result: dict) -> list[str]:
    """What follows the warm table: (a) and (b) in turns, memory per process, the model shared."""
    return [
        "Warm, (a) and (b) serving at once on the server core and measured in turns (wrk, the order "
        "swapped every round), so that the machine's other work hits both alike; medians:", "",
        *paired_table(result), "",
        "Memory of (a) and (b) per process, each alone after the same load (the warm runs at concurrency "
        "1 and 8 and the batches; unique: its own pages; shared: with the other process of the server or "
        "other programs' mappings of the same files; PSS counts a page shared by n processes as 1/n in "
        "each):", "",
        *memory_table(result), "",
        "The container form's model loaded in each worker (MODEL_PRELOAD) or once in the master before "
        "the fork (gunicorn's preload applied to the model, bench/shared.py), memory per process after "
        "the same load:", "", *sharing_table(result), "",
    ]
