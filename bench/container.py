"""The container form, for real: the project's image built and run with podman.

scripts/podman-env.sh sets podman up (installing it where it can) and scripts/container-test.sh
builds the image from the Dockerfile; the bench only runs it (bench.servers, form "b-podman").
"""

from __future__ import annotations

import os
import shlex
import subprocess

from bench.servers import ROOT

SKIPPED = 77  # podman-env.sh: podman is missing and cannot be installed here


def prepare() -> tuple[str, str]:
    """(image, "") once podman's environment is in os.environ and the image is built, or ("", why not)."""
    found = subprocess.run([str(ROOT / "scripts" / "podman-env.sh")], capture_output=True, text=True)
    if found.returncode == SKIPPED:
        return "", found.stderr.strip() or "podman cannot be installed here"
    if found.returncode:
        raise RuntimeError(f"scripts/podman-env.sh failed:\n{found.stderr}")
    for line in found.stdout.splitlines():
        name, _, value = line.removeprefix("export ").partition("=")
        os.environ[name] = shlex.split(value)[0]
    built = subprocess.run([str(ROOT / "scripts" / "container-test.sh"), "build"],
                           capture_output=True, text=True)
    if built.returncode or not built.stdout.strip():
        raise RuntimeError(f"scripts/container-test.sh build failed:\n{built.stderr}")
    return built.stdout.strip().splitlines()[-1], ""
