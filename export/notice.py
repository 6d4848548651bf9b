"""python -m export.notice MODEL_DIR: writes MODEL_DIR/NOTICE from MODEL_DIR/model.json.

The NOTICE travels with the artifact (the function's upload, `./deploy.sh model`), so whoever
holds only the artifact still learns what it was trained on, under which licences, and whom to
credit. It is generated from model.json's `data.corpora` (each corpus's origin, licence, use and
counts) and nothing else, so it cannot drift from the data the model was really built from: the
same model.json always gives the same bytes.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

NAME = "NOTICE"
# The licence texts of the licences that model.json names (a prefix of its `licence` string).
LICENCE_URLS = {
    "CC BY-NC 4.0": "https://creativecommons.org/licenses/by-nc/4.0/",
    "CC BY 4.0": "https://creativecommons.org/licenses/by/4.0/",
    "CC0 1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
    "ODC PDDL 1.0": "https://opendatacommons.org/licenses/pddl/1-0/",
    "MIT": "https://opensource.org/license/mit",
}


def _licence_links(licence: str) -> list[str]:
    return [url for name, url in LICENCE_URLS.items() if name in licence]


def _corpus(corpus: dict, trained: bool) -> list[str]:
    counts = [f"{n} {label}" for label, n in sorted(corpus.get("counts", {}).items()) if n]
    lines = [
        f"- {corpus['name']}",
        f"  Origin (attribution): {corpus.get('attribution') or corpus['origin']}",
        f"  Licence: {corpus['licence']}",
        *(f"  Licence text: {url}" for url in _licence_links(corpus["licence"])),
    ]
    if trained:  # an evaluation-only corpus states no licence: it grants nothing to pass on
        allowed = "yes" if corpus.get("commercial") else "no"
        lines.append(f"  Commercial use allowed by its licence: {allowed}")
    if counts:
        lines.append("  Messages used: " + ", ".join(counts))
    return lines


def render(meta: dict) -> str:
    """The NOTICE text of an artifact's model.json."""
    corpora = meta["data"]["corpora"]
    trained = [c for c in corpora if c.get("use", "train") == "train"]
    evaluated = [c for c in corpora if c.get("use", "train") != "train"]
    lines = [
        f"NOTICE for the model artifact {meta['name']}, version {meta['version']}",
        f"Model: {meta.get('family', meta['name'])}",
        f"Licence of this artifact: {meta.get('licence', 'not stated')}",
        "",
        "Generated from model.json by `python -m export.notice` (do not edit by hand).",
        "The model was trained on the corpora below. Their messages were deduplicated and",
        "normalised (function/mail.py) before training; the artifact holds model weights and a",
        "tokenizer, not the messages. Credit is due to each corpus's authors as its licence asks.",
        "",
        f"Training corpora ({len(trained)})",
        "",
    ]
    for corpus in trained:
        lines += [*_corpus(corpus, True), ""]
    if evaluated:
        lines += [f"Evaluation-only corpora ({len(evaluated)}): used to measure the model, never trained on",
                  ""]
        for corpus in evaluated:
            lines += [*_corpus(corpus, False), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def write(model_dir: Path) -> Path:
    """Writes model_dir/NOTICE from model_dir/model.json; returns its path."""
    meta = json.loads((model_dir / "model.json").read_text(encoding="utf-8"))
    path = model_dir / NAME
    path.write_text(render(meta), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m export.notice", description=__doc__.splitlines()[0])
    parser.add_argument("model_dirs", nargs="+", type=Path, metavar="MODEL_DIR")
    args = parser.parse_args(argv)
    for model_dir in args.model_dirs:
        try:
            print(write(model_dir))
        except (OSError, ValueError, KeyError) as error:
            print(f"python -m export.notice: {model_dir}: not a model artifact ({type(error).__name__}: "
                  f"{error})", file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
