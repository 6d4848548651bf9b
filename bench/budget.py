"""`python -m bench.budget FORM MODEL_DIR`: one cold start of the function or the floor, itemised.

Run in a fresh interpreter on the server core, as a cold instance is, it does what the server's
cold start does, in the same order, under explicit timers, and prints the parts as JSON (seconds):
  interpreter   spawn -> this module's first line (BENCH_SPAWNED: the parent's time.time())
  framework     functions-framework's CLI, its ASGI form, gunicorn and the uvicorn worker
  libraries     numpy, onnxruntime, tokenizers (the function's code imports numpy and tokenizers,
                its model load onnxruntime: that one is timed after its code, before its request)
  code          FORM "function": import main (the function's modules, settings, logging set-up);
                "floor": import bench/floor.py
  then the first request, through the handler (main.predict or the floor's), which loads the model:
  metadata      model.json read and validated (the floor reads it for the two file names)
  sha256        every artifact file's checksum (the function only)
  session       onnxruntime.InferenceSession;  tokenizer: Tokenizer.from_file
  canaries      Model._check_canaries: the canary texts scored and compared (the function only)
  setup         the rest of Model() (the function only)
  request       the rest of the first request: routing, cleaning, the first inference, the answer
  warm_request  the second request, for comparison
The timers wrap the real calls for this process only; an inner part is taken out of the outer.
Garbage collection inside each part is summed apart ("gc"). The markers IMPORTS_BEGIN and
IMPORTS_END go to stderr around the import of the code: run with -X importtime (and then without
garbage collection, which would land in whichever module is importing when it runs), the parent
reads each module's own import time between them.
"""

from __future__ import annotations

import time

_STARTED = time.time()

import asyncio  # noqa: E402
import contextlib  # noqa: E402
import gc  # noqa: E402
import importlib  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402

FORMS = ("function", "floor")
IMPORTS_BEGIN, IMPORTS_END = "bench.budget: imports begin", "bench.budget: imports end"
FRAMEWORK = ("functions_framework._cli", "functions_framework.aio", "functions_framework._http.gunicorn",
             "uvicorn_worker")
LIBRARIES = ("numpy", "onnxruntime", "tokenizers")


class Clock:
    """Seconds and garbage-collection seconds per named part."""

    def __init__(self) -> None:
        self.parts: dict[str, float] = {}
        self.gc: dict[str, float] = {}
        self._part = ""
        self._gc_started = 0.0
        gc.callbacks.append(self._collecting)

    def _collecting(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._gc_started = time.perf_counter()
        elif self._part:
            self.gc[self._part] = self.gc.get(self._part, 0.0) + time.perf_counter() - self._gc_started

    @contextlib.contextmanager
    def part(self, name: str):
        outer, self._part = self._part, name
        started = time.perf_counter()
        try:
            yield
        finally:
            self.parts[name] = self.parts.get(name, 0.0) + time.perf_counter() - started
            self._part = outer

    def wrap(self, name: str, call):
        """`call`, timed into `name` (and taken out of the part that called it)."""
        def timed(*args, **kwargs):
            outer = self._part
            started = time.perf_counter()
            with self.part(name):
                result = call(*args, **kwargs)
            if outer:
                self.parts[outer] = self.parts.get(outer, 0.0) - (time.perf_counter() - started)
            return result
        return timed


def request(body: bytes):
    """A POST /predict of `body` as the ASGI server hands it to the function."""
    from starlette.requests import Request

    sent = False

    async def receive() -> dict:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    scope = {"type": "http", "method": "POST", "path": "/predict", "raw_path": b"/predict",
             "query_string": b"",
             "headers": [(b"content-type", b"text/plain"), (b"content-length", str(len(body)).encode())],
             "http_version": "1.1", "scheme": "http", "server": ("127.0.0.1", 8080),
             "client": ("127.0.0.1", 1), "root_path": ""}
    return Request(scope, receive)


def _tokenizer_timed(clock: Clock, real):
    class Tokenizer:  # all the servers call of it: from_file
        from_file = staticmethod(clock.wrap("tokenizer", real.from_file))

    return Tokenizer


def _timers(clock: Clock, form: str) -> list[tuple[object, str, object]]:
    """(owner, attribute, timed replacement) for the real calls of `form`'s model load."""
    import onnxruntime
    import tokenizers

    found = [(onnxruntime, "InferenceSession", clock.wrap("session", onnxruntime.InferenceSession)),
             (tokenizers, "Tokenizer", _tokenizer_timed(clock, tokenizers.Tokenizer))]
    if form == "floor":
        floor = sys.modules["bench.floor"]
        return [*found, (floor, "load", clock.wrap("metadata", floor.load)),
                (floor, "Tokenizer", _tokenizer_timed(clock, tokenizers.Tokenizer))]
    from function import artifact, model

    found += [(artifact, "read", clock.wrap("metadata", artifact.read)),
              (artifact, "sha256", clock.wrap("sha256", artifact.sha256)),
              (model.Model, "__init__", clock.wrap("setup", model.Model.__init__)),
              (model.Model, "_check_canaries", clock.wrap("canaries", model.Model._check_canaries))]
    if hasattr(model, "Tokenizer"):  # imported where the module starts rather than in Model()
        found.append((model, "Tokenizer", _tokenizer_timed(clock, tokenizers.Tokenizer)))
    return found


def cold_start(form: str) -> dict:
    """The parts of one cold start of `form` serving the artifact in MODEL_DIR, in seconds."""
    from bench.servers import TYPICAL

    if "importtime" in sys._xoptions:  # the module table: a collection would land in whichever module
        gc.disable()                    # happens to be importing; the budget counts collections apart
    clock = Clock()
    clock.parts["interpreter"] = _STARTED - float(os.environ.get("BENCH_SPAWNED", _STARTED))
    with clock.part("framework"):
        for name in FRAMEWORK:
            importlib.import_module(name)
    # In the order each form imports them: the floor all three at its start; the function numpy with
    # its code, onnxruntime and tokenizers as its model loads (Model() starts with those imports).
    first, later = (LIBRARIES, ()) if form == "floor" else (("numpy", "tokenizers"), ("onnxruntime",))
    with clock.part("libraries"):
        for name in first:
            importlib.import_module(name)
    sys.stderr.write(IMPORTS_BEGIN + "\n")
    with clock.part("code"):
        handler = importlib.import_module("main").predict if form == "function" else \
            importlib.import_module("bench.floor").floor
    sys.stderr.write(IMPORTS_END + "\n")
    with clock.part("libraries"):
        for name in later:
            importlib.import_module(name)
    loop = asyncio.new_event_loop()
    timers = _timers(clock, form)
    saved = [(owner, name, getattr(owner, name)) for owner, name, _ in timers]
    try:
        for owner, name, timed in timers:
            setattr(owner, name, timed)
        with clock.part("request"):  # the first request: the model loads in it
            first = loop.run_until_complete(handler(request(TYPICAL.encode())))
        with clock.part("warm_request"):
            loop.run_until_complete(handler(request(TYPICAL.encode())))
    finally:
        for owner, name, value in saved:
            setattr(owner, name, value)
        loop.close()
    status = getattr(first, "status_code", 200)
    if status != 200:
        raise RuntimeError(f"the first request got {status}")
    return {"parts": clock.parts, "gc": clock.gc}


def main(argv: list[str]) -> int:
    form, folder = argv
    if form not in FORMS:
        raise SystemExit(f"FORM is one of {', '.join(FORMS)}, not {form!r}")
    os.environ["MODEL_DIR"] = folder
    found = cold_start(form)
    sys.stdout.flush()
    print("BUDGET " + json.dumps(found))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
