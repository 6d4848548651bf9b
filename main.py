"""Cloud Functions entry point: `functions-framework --target predict`.

Importing this module loads no model: a cold instance pays for it on its first request,
unless MODEL_PRELOAD is set (the container form), which loads it as the server starts.
"""

import functions_framework
from werkzeug.exceptions import HTTPException

from function import http, lazy
from function.settings import settings


@functions_framework.http
def predict(request):
    return http.handle(request)


# Requests the framework refuses itself (its /favicon.ico, a path with a newline) get JSON too.
functions_framework.errorhandler(HTTPException)(http.framework_error)

if settings().preload:
    lazy.preload()
