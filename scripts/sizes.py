"""Renders serving.env (name, region, sizes) into the Dockerfile and service.yaml; `--check` compares.

`python scripts/sizes.py` rewrites the marked blocks; `python scripts/sizes.py --check` exits 1
(naming the file) when one of them no longer says what serving.env says.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = ROOT / "serving.env"
# Where `./deploy.sh run` (gcloud run deploy --source) pushes the image; PROJECT_ID is for the reader.
IMAGE = "{REGION}-docker.pkg.dev/PROJECT_ID/cloud-run-source-deploy/{NAME}:latest"


def read(path: Path = SIZES) -> dict[str, str]:
    """serving.env as a dict: KEY=VALUE lines, comments and blank lines skipped."""
    pairs = (line.split("=", 1) for line in path.read_text().splitlines()
             if line.strip() and not line.lstrip().startswith("#"))
    return {key.strip(): value.strip() for key, value in pairs}


def _dockerfile(sizes: dict[str, str]) -> str:
    return f"ENV WORKERS={sizes['WORKERS']} \\\n    ORT_THREADS={sizes['ORT_THREADS']}\n"


def _service(sizes: dict[str, str]) -> str:
    return (f"metadata:\n"
            f"  name: {sizes['NAME']}\n"
            "spec:\n"
            "  template:\n"
            "    metadata:\n"
            "      annotations:\n"
            f"        autoscaling.knative.dev/minScale: \"{sizes['MIN_INSTANCES']}\"\n"
            f"        autoscaling.knative.dev/maxScale: \"{sizes['MAX_INSTANCES']}\"\n"
            "        run.googleapis.com/startup-cpu-boost: \"true\"  # Cloud Run: more CPU while the model"
            " loads\n"
            "    spec:\n"
            f"      containerConcurrency: {sizes['CONCURRENCY']}\n"
            f"      timeoutSeconds: {sizes['TIMEOUT']}\n"
            "      containers:\n"
            f"        - image: {IMAGE.format(**sizes)}\n"
            "          ports:\n"
            "            - containerPort: 8080\n"
            "          env:\n"
            "            - name: ORT_THREADS\n"
            f"              value: \"{sizes['ORT_THREADS']}\"\n"
            "          resources:\n"
            "            limits:\n"
            f"              cpu: \"{sizes['CPU']}\"\n"
            f"              memory: {sizes['MEMORY']}\n")


RENDERED = {ROOT / "Dockerfile": _dockerfile, ROOT / "service.yaml": _service}
BLOCK = re.compile(r"(# sizes:begin[^\n]*\n)(.*?)(\s*# sizes:end)", re.DOTALL)


def render(path: Path, sizes: dict[str, str]) -> str:
    text = path.read_text()
    if not BLOCK.search(text):
        raise SystemExit(f"{path.name} has no '# sizes:begin' ... '# sizes:end' block")
    return BLOCK.sub(lambda m: m.group(1) + RENDERED[path](sizes).rstrip("\n") + m.group(3), text, count=1)


def main(argv: list[str]) -> int:
    sizes = read()
    stale = []
    for path in RENDERED:
        text = render(path, sizes)
        if text != path.read_text():
            stale.append(path.name)
            if "--check" not in argv:
                path.write_text(text)
    if stale and "--check" in argv:
        print(f"{', '.join(stale)} disagree with serving.env: run python scripts/sizes.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
