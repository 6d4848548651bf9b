"""The code Dataflow workers need, as one wheel: the `bulk` and `function` packages, requiring the
function's runtime pins (onnxruntime, tokenizers, numpy, google-cloud-storage).

`python -m bulk ... --runner=DataflowRunner` stages it with --extra_package; every worker pip-installs
it (and its requirements from PyPI) before it runs a bundle. The model is not in it: workers fetch
--model gs://... themselves, once per process (bulk.handler). Written byte for byte the same from the
same sources (sorted entries, fixed timestamps), with nothing but the standard library.
"""

from __future__ import annotations

import base64
import hashlib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAME, VERSION = "scam_bulk", "0.1.0"
PACKAGES = ("bulk", "function")
SERVER_ONLY = ("functions-framework", "uvloop")  # the HTTP server and its loop: workers do not serve
EPOCH = (1980, 1, 1, 0, 0, 0)


def requirements(path: Path = ROOT / "requirements.txt") -> list[str]:
    """The function's pinned runtime requirements, less what only its HTTP server needs."""
    lines = (line.split("#")[0].strip() for line in path.read_text().splitlines())
    return [line for line in lines if line and not line.startswith(SERVER_ONLY)]


def _digest(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def _files() -> dict[str, bytes]:
    info = f"{NAME}-{VERSION}.dist-info"
    files = {
        path.relative_to(ROOT).as_posix(): path.read_bytes()
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if "__pycache__" not in path.parts
    }
    metadata = ["Metadata-Version: 2.1", f"Name: {NAME}", f"Version: {VERSION}",
                "Summary: scam e-mail scoring on Apache Beam (bulk) with the function's model code",
                *(f"Requires-Dist: {r}" for r in requirements())]
    files[f"{info}/METADATA"] = ("\n".join(metadata) + "\n").encode()
    wheel_info = ["Wheel-Version: 1.0", "Generator: bulk.package", "Root-Is-Purelib: true",
                  "Tag: py3-none-any"]
    files[f"{info}/WHEEL"] = ("\n".join(wheel_info) + "\n").encode()
    files[f"{info}/top_level.txt"] = ("\n".join(PACKAGES) + "\n").encode()
    record = [f"{name},{_digest(data)},{len(data)}" for name, data in files.items()]
    files[f"{info}/RECORD"] = ("\n".join([*record, f"{info}/RECORD,,"]) + "\n").encode()
    return files


def wheel(folder: Path) -> Path:
    """Writes the wheel into `folder`; returns its path."""
    path = folder / f"{NAME}-{VERSION}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in _files().items():
            entry = zipfile.ZipInfo(name, EPOCH)
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, data, zipfile.ZIP_DEFLATED)
    return path
