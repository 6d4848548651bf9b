"""Cloud Functions entry point: `functions-framework --target predict`.

The function is asynchronous, so functions-framework serves it in its ASGI form (uvicorn workers
under gunicorn): a slow or idle connection costs the server a socket, not a thread. Importing this
module loads no model: a cold instance pays for it on its first request, unless MODEL_PRELOAD is
set (the container form), which loads it as the worker starts.
"""

import functions_framework.aio

from function import lazy, logs, web
from function.settings import settings
from function.web import server


@functions_framework.aio.http
async def predict(request):
    return await web.handle(request)


server.configure()
for warning in settings().warnings:
    logs.log("WARNING", warning)
if settings().preload:
    lazy.preload()
