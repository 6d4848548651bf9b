"""Cloud Functions entry point: `functions-framework --target predict`.

The function is asynchronous, so functions-framework serves it in its ASGI form (uvicorn workers
under gunicorn): a slow or idle connection costs the server a socket, not a thread. Importing this
module loads no model: the model plane is created here, once, and loads the model on the first
request that needs it, unless MODEL_PRELOAD is set (the container form), which loads it as the
worker starts.
"""

import contextlib
import gc
import os
import threading

import functions_framework.aio

from function import logs
from function.contract import ApiError
from function.model import Plane
from function.settings import SettingsError, settings
from function.web import server
from function.web.app import App

try:
    settings()
except SettingsError as error:  # one clear line and one log line, not functions-framework's traceback
    logs.refuse_start(str(error))

plane = Plane(settings())
app = App(plane)


@functions_framework.aio.http
async def predict(request):
    return await app.handle(request)


def _load_in_background() -> None:
    """functions-framework imports main.py in gunicorn's master and then forks the worker. ONNX
    Runtime's thread pool does not survive a fork, so the load starts right after it, in the
    worker; /readyz answers 200 only once it is done. A failure is logged by the plane; /readyz
    reports it and a later request retries."""

    def run() -> None:
        with contextlib.suppress(ApiError):
            plane.load()

    threading.Thread(target=run, name="model-preload", daemon=True).start()


server.configure()
for warning in settings().warnings:
    logs.log("WARNING", warning)
logs.log("INFO", "starting: the model loads " + ("now" if settings().preload else "on the first request"),
         model=settings().model_uri)
if settings().preload:
    os.register_at_fork(after_in_child=_load_in_background)
# What the imports made lives as long as the process: leave it out of every later collection, so
# the collections during the model's load and under traffic walk only what is new (bench/: ~25 ms
# of a cold start went to collections walking the framework's objects).
gc.freeze()
