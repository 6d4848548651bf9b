"""The design document's seed service: FastAPI + uvicorn, the model loaded at import.

`uvicorn bench.naive_app:app`. Written the naive way on purpose, as the document shows it:
the model is created when the module is imported (so the server listens only once it is
loaded), with ONNX Runtime's default thread count, and the `async` handler runs inference
on the event loop. It serves the same artifact (MODEL_DIR, default model/) through the same
Model class, so the differences measured are the serving pattern's, not the model's.
"""

import os
from pathlib import Path

from fastapi import Body, FastAPI

from function import artifact
from function.model import Model

app = FastAPI()
model = Model(artifact.read(Path(os.environ.get("MODEL_DIR", "model"))), threads=0)  # 0: ORT's default


@app.post("/predict")
async def predict(text: str = Body()) -> bool:
    return model.predict([text])[0].prediction
