"""python -m tests.gcloud_offline --function-uri=URL -- COMMAND...: runs COMMAND (a `gcloud
functions call`, or `./deploy.sh call`) with a real gcloud pointed at tests/gcloud_recorder.py,
the offline stand-in of Google's APIs that the tests use, in which every function is deployed at
URL (such as `make run`'s http://localhost:8080/). No Google account, nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.gcloud_recorder import Recorder


class EveryFunction(dict):
    """The stand-in's functions: whatever the name, a gen2 function serving at `uri`."""

    def __init__(self, project: str, uri: str) -> None:
        super().__init__()
        self.project, self.uri = project, uri

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str)

    def __getitem__(self, name: str) -> dict:
        return {"name": f"projects/{self.project}/locations/us-central1/functions/{name}",
                "environment": "GEN_2", "state": "ACTIVE", "serviceConfig": {"uri": self.uri}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.gcloud_offline",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--function-uri", required=True,
                        help="where every function serves, e.g. http://localhost:8080/")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- then the command to run")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to run after --, e.g. -- gcloud functions call scam-check --data=...")
    # The user's own gcloud settings stay out of it.
    own = {k: v for k, v in os.environ.items() if not k.startswith("CLOUDSDK_")}
    with tempfile.TemporaryDirectory(prefix="gcloud-offline-") as scratch, Recorder() as recorder:
        recorder.functions = EveryFunction(recorder.project, args.function_uri)
        # gcloud calls the function's URI itself: no proxy between it and the function.
        stand_in = {k: v for k, v in recorder.env(Path(scratch)).items()
                    if not k.startswith("CLOUDSDK_PROXY")}
        return subprocess.run(command, env={**own, **stand_in}).returncode


if __name__ == "__main__":
    sys.exit(main())
