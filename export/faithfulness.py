"""`python -m export.faithfulness`: are the reasons the function gives the real reasons?

On the test split's scams (export's own random split of the same data), deleting the top-3 reason
spans must lower the score more than deleting 3 random spans of the same lengths, on at least 90 %
of them. Prints the share and both mean drops (in log-odds).

    python -m export.faithfulness --corpus ../data/corpora            # model/ (the default)
    python -m export.faithfulness --model model-minilm --corpus ...   # occlusion reasons
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

import numpy as np
from tqdm import tqdm

from export import corpus
from function import artifact
from function.explain import deletion_drops
from function.model import Model

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m export.faithfulness", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=ROOT / "model")
    parser.add_argument("--corpus", type=Path, action="append", default=[])
    parser.add_argument("--corpus-only", action="store_true", help="as python -m export --corpus-only")
    parser.add_argument("--cache", type=Path, default=ROOT / ".cache")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--limit", type=int, default=400, help="scams at most")
    args = parser.parse_args(argv)
    model = Model(artifact.read(args.model), threads=1)
    collection = corpus.load_all(args.corpus, None if args.corpus_only else args.cache / "data")
    test = corpus.random_split(corpus.prepare(collection).trainable, args.seed).test
    scams = [r.text for r in test if r.label == 1][: args.limit]
    rng = random.Random(args.seed)
    top, other = np.array([deletion_drops(model, text, rng) for text in tqdm(scams, unit="scam")]).T
    print(f"{model.name} {model.version} ({'exact shares' if model.explains_exactly else 'occlusion'}): "
          f"{len(scams)} test-split scams; deleting the top-3 reasons lowers the score more than 3 random "
          f"spans of the same length on {np.mean(top > other):.1%}; mean drop {top.mean():.2f} vs "
          f"{other.mean():.2f} (log-odds)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
