"""Cloud Functions entry point: `functions-framework --target predict`.

The function is asynchronous, so functions-framework serves it in its ASGI form (uvicorn workers
under gunicorn): a slow or idle connection costs the server a socket, not a thread. Importing this
module loads no model: a cold instance pays for it on its first request, unless MODEL_PRELOAD is
set (the container form), which loads it as the worker starts.
"""

import functions_framework.aio

from function import lazy, logs, web
from function.settings import SettingsError, settings
from function.web import server


@functions_framework.aio.http
async def predict(request):
    return await web.handle(request)


try:
    settings()
except SettingsError as error:  # one clear line and one log line, not functions-framework's traceback
    logs.refuse_start(str(error))
server.configure()
for warning in settings().warnings:
    logs.log("WARNING", warning)
logs.log("INFO", "starting: the model loads " + ("now" if settings().preload else "on the first request"),
         model=settings().model_uri)
if settings().preload:
    lazy.preload()
