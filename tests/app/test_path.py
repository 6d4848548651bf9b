"""The path a request takes through the project's modules (issue 21): calls traced in process with
sys.setprofile through functions-framework's ASGI app (tests/asgi.py), warm (the model loaded).

A module is "entered" when a call lands in one of the checkout's files other than the one the last
such call landed in; it is "re-entered" when it had been entered before in the same request."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests import asgi
from tests.support import ROOT, SCAM

TESTS = ROOT / "tests"
FRAMEWORK = asgi.framework_app  # functions-framework's create_asgi_app, as the issue measured


def path_of(send) -> list[str]:
    """The project modules a request's calls land in, in order, consecutive repeats folded."""
    modules: list[str] = []

    def profile(frame, event, arg) -> None:
        if event != "call":
            return
        file = frame.f_code.co_filename
        if not file.startswith(str(ROOT)) or file.startswith(str(TESTS)) or "/.venv/" in file:
            return
        name = str(Path(file).relative_to(ROOT).with_suffix(""))
        if not modules or modules[-1] != name:
            modules.append(name)

    sys.setprofile(profile)
    try:
        reply = send()
    finally:
        sys.setprofile(None)
    assert reply.status == 200, reply.body
    return modules


def counts(modules: list[str]) -> tuple[int, int]:
    """(modules entered, re-entries)."""
    return len(set(modules)), len(modules) - len(set(modules))


V2 = {"inputs": [{"name": "text", "datatype": "BYTES", "shape": [2], "data": [SCAM, "Lunch at noon?"]}]}
REQUESTS = {
    "text/plain": (lambda: asgi.post("/predict", SCAM.encode(), through=FRAMEWORK), 8, 4),
    "json batch with explain": (lambda: asgi.post_json("/predict", {"texts": [SCAM, "Lunch at noon?"],
                                                                    "explain": True}, FRAMEWORK), 10, 6),
    "v2 infer": (lambda: asgi.post_json("/v2/models/scam/infer", V2, FRAMEWORK), 10, 6),
}


@pytest.mark.parametrize("name", REQUESTS)
def test_a_warm_request_takes_a_short_straight_path(name):
    send, most_modules, most_reentries = REQUESTS[name]
    send()  # warm: the model loaded, the explanation tables read
    modules = path_of(send)
    entered, reentered = counts(modules)
    print(f"{name}: {entered} modules, {reentered} re-entries: {' -> '.join(modules)}")
    assert modules[0] == "main"
    assert entered <= most_modules and reentered <= most_reentries, " -> ".join(modules)
