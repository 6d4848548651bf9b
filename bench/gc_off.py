"""The function with garbage collection off while main.py imports, then frozen: a start-up
experiment of the bench, measuring what main.py would gain from starting with `gc.disable()` and
ending with `gc.freeze(); gc.enable()`.

`functions-framework --source bench/gc_off.py --target predict`. A start runs about 130
collections, one of them over every object; with collection off they do not run, and once
frozen, what start-up created is never walked by a collection again.
"""

import gc
import sys
from pathlib import Path

gc.disable()
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # functions-framework adds bench/ only

from main import predict  # noqa: E402

gc.freeze()
gc.enable()

__all__ = ["predict"]
