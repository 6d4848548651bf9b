"""Serving sizes live in serving.env alone: the Dockerfile and service.yaml say the same (the bench
reads serving.env itself: bench/servers.py)."""

from __future__ import annotations

import subprocess
import sys

from tests.support import ROOT


def test_rendered_files_agree_with_serving_env():
    done = subprocess.run([sys.executable, "scripts/sizes.py", "--check"], cwd=ROOT, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
