"""The wheel Dataflow workers install (bulk.package): installable by pip, importable without the
repository, requiring the function's runtime pins, and the same bytes from the same sources."""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

from bulk.package import SERVER_ONLY
from tests.bulk.helpers import BULK_PYTHON, ROOT, build_wheel


def test_workers_get_bulk_and_the_function_code_from_one_wheel(tmp_path: Path):
    wheel = build_wheel(tmp_path / "a")
    assert wheel.read_bytes() == build_wheel(tmp_path / "b").read_bytes()
    with zipfile.ZipFile(wheel) as archive:
        metadata = archive.read("scam_bulk-0.1.0.dist-info/METADATA").decode()
    runtime = [line for line in (ROOT / "requirements.txt").read_text().splitlines()
               if line and not line.startswith(("#", *SERVER_ONLY))]
    assert [line.removeprefix("Requires-Dist: ") for line in metadata.splitlines()
            if line.startswith("Requires-Dist:")] == runtime

    site = tmp_path / "site"
    subprocess.run([str(BULK_PYTHON), "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site),
                    str(wheel)], check=True)
    check = ("import bulk.handler, function.model, function.mail; "
             "print(bulk.handler.__file__); print(function.model.__file__)")
    done = subprocess.run([str(BULK_PYTHON), "-c", check], cwd=tmp_path, env={"PYTHONPATH": str(site)},
                          capture_output=True, text=True, check=True)
    assert all(line.startswith(str(site)) for line in done.stdout.splitlines())
