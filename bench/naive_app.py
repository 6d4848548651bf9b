"""The design document's seed service: FastAPI + uvicorn, the model loaded at import.

`uvicorn bench.naive_app:app`. Written the naive way on purpose, as the document shows it:
the model is created when the module is imported (so the server listens only once it is
loaded) and the `async` handler runs inference on the event loop. Its ONNX Runtime threads are
the CPUs the process may use, as the function's are: with ONNX Runtime's own default (one
thread per physical core, each pinned by ONNX Runtime itself) it escaped the bench's one-core
pin and measured two cores against the function's one. It serves the same artifact (MODEL_DIR,
default model/) through the same Model class, so the differences measured are the serving
pattern's, not the model's.
"""

import os
from pathlib import Path

from fastapi import Body, FastAPI

from function import artifact
from function.model import Model
from function.settings import available_cpus

app = FastAPI()
model = Model(artifact.read(Path(os.environ.get("MODEL_DIR", "model"))), threads=available_cpus())


@app.post("/predict")
async def predict(text: str = Body()) -> bool:
    return model.predict([text])[0].prediction
