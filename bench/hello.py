"""Bare functions-framework functions that answer `false`: the framework's own floor.

`functions-framework --source bench/hello.py --target hello` serves `hello`, an asynchronous
function, on the ASGI form the function uses (uvicorn workers); `--target hello_flask` serves the
same answer on the Flask/gthread form. No model, no routing, no parsing: what any function on
that form pays. Side by side they are the measurement behind the choice of server form.
"""

import functions_framework
import functions_framework.aio


@functions_framework.aio.http
async def hello(request):
    return "false"


@functions_framework.http
def hello_flask(request):
    return "false"
