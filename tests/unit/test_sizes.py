"""Serving sizes live in serving.env alone: the Dockerfile and service.yaml say the same, and the
bench serves with them."""

from __future__ import annotations

import subprocess
import sys

from bench import servers
from tests.support import ROOT


def test_rendered_files_agree_with_serving_env():
    done = subprocess.run([sys.executable, "scripts/sizes.py", "--check"], cwd=ROOT, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr


def test_the_bench_serves_with_the_same_sizes():
    text = (ROOT / "serving.env").read_text()
    for name, value in servers.DEPLOYED.items():
        assert f"\n{name}={value}\n" in text
    assert set(servers.DEPLOYED) == {"WORKERS", "ORT_THREADS"}
