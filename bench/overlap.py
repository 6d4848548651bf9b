"""The function with onnxruntime and tokenizers imported before gunicorn forks: serially ("early")
or in a thread while main.py imports ("overlap"), a start-up experiment of the bench.

`functions-framework --source bench/overlap.py --target predict` with BENCH_IMPORT=early|overlap.
Either way the worker inherits both modules, so its first request does not import them; the
difference between the two is what running the imports side by side gains. The thread is joined
before the module returns: gunicorn forks right after, and a fork in the middle of an import
would leave the child with the import's locks held.
"""

import importlib
import os
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # functions-framework adds bench/ only

LATER = ("onnxruntime", "tokenizers")  # what the function imports as its model loads


def _import() -> None:
    for name in LATER:
        importlib.import_module(name)


OVERLAP = os.environ.get("BENCH_IMPORT") == "overlap"
_thread = threading.Thread(target=_import, name="import-onnxruntime")
if OVERLAP:
    _thread.start()
else:
    _import()

from main import predict  # noqa: E402

if OVERLAP:
    _thread.join()

__all__ = ["predict"]
