"""`python -m bench.startup FORM MODEL_DIR`: where a form's cold start goes, by explicit timers.

Run in a fresh interpreter (as a cold instance is), it times the form's imports and its model
load separately and prints them as JSON: {"imports": seconds, "model": seconds}.
  a, b   import main.py (functions-framework, Flask, the function's code); then the lazy load
         (onnxruntime import, artifact read with sha256 checks, tokenizer, ONNX session)
  c      import the bare hello function (functions-framework, Flask)
  d      import FastAPI and uvicorn; then import the seed app, which loads the model
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time


def phases(form: str) -> dict[str, float]:
    started = time.perf_counter()
    if form in ("a", "b"):
        main = importlib.import_module("main")
        imported = time.perf_counter()
        main.plane.load()
    elif form == "c":
        importlib.import_module("bench.hello")
        imported = time.perf_counter()
    elif form == "d":
        importlib.import_module("fastapi")
        importlib.import_module("uvicorn")
        imported = time.perf_counter()
        importlib.import_module("bench.naive_app")
    else:
        raise SystemExit(f"unknown form {form!r}")
    return {"imports": imported - started, "model": time.perf_counter() - imported}


def main(argv: list[str]) -> int:
    form, model = argv
    os.environ["MODEL_DIR"] = model
    print(json.dumps(phases(form)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
