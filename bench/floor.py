"""The floor of the function's cold start on its own runtime: what any model function must pay.

`functions-framework --source bench/floor.py --target floor` serves an asynchronous function on
the ASGI form the function uses. It imports numpy, onnxruntime and tokenizers as it starts; its
first request creates the ONNX Runtime session for the artifact in MODEL_DIR (one intra-op
thread, as deployed) and the tokenizer, then every request runs one inference on its body. No
checks, no settings, no routing, no cleaning: the function's cold start minus this one is the
price of what the design adds.
"""

import json
import os
from pathlib import Path

import functions_framework.aio
import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

MAX_TOKENS = 512

_loaded: tuple[ort.InferenceSession, Tokenizer] | None = None


def load(folder: Path) -> tuple[ort.InferenceSession, Tokenizer]:
    """The session and the tokenizer of the artifact in `folder` (model.json names the files)."""
    files = json.loads((folder / "model.json").read_text())["files"]
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(str(folder / files["graph"]), options, providers=["CPUExecutionProvider"])
    return session, Tokenizer.from_file(str(folder / files["tokenizer"]))


def score(session: ort.InferenceSession, tokenizer: Tokenizer, text: str) -> float:
    """The last column of the graph's first output for `text` (its first MAX_TOKENS tokens)."""
    ids = np.array([tokenizer.encode(text).ids[:MAX_TOKENS] or [0]], dtype=np.int64)
    features = {"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": np.zeros_like(ids)}
    feed = {i.name: features[i.name] for i in session.get_inputs()}
    return float(session.run(None, feed)[0][0, -1])


@functions_framework.aio.http
async def floor(request):
    global _loaded
    if _loaded is None:
        _loaded = load(Path(os.environ["MODEL_DIR"]))
    return json.dumps(score(*_loaded, (await request.body()).decode("utf-8", "replace")))
