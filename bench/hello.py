"""A bare functions-framework function that answers `false`: the framework's own floor.

`functions-framework --source bench/hello.py --target hello`: no model, no routing, no
parsing, so its cold start and latency are what any function on this framework pays.
"""

import functions_framework


@functions_framework.http
def hello(request):
    return "false"
