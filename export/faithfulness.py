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
from function import artifact, explain
from function.model import Model

ROOT = Path(__file__).resolve().parent.parent



def deletion_drops(model, cleaned: str, rng) -> tuple[float, float]:
    """Faithfulness of one cleaned text's reasons: (drop of its logit when its top 3 reason spans
    are deleted, drop when 3 random spans of the same lengths are). Logits, not probabilities: a
    score of 0.9999 has no room left to show a drop."""
    score = float(model.scores([cleaned])[0])
    strongest = sorted(model.reasons(cleaned, score, False), key=lambda s: -s.weight)[:3]
    # as shown: each span widened to whole words
    top = [explain.Span(*explain.whole_words(cleaned, s.start, s.end), s.weight) for s in strongest]
    lengths = [s.end - s.start for s in top]
    picked = [(start, start + n) for n in lengths for start in [rng.randrange(max(1, len(cleaned) - n + 1))]]
    drops = []
    for spans in (top, [explain.Span(s, e, 0.0) for s, e in picked]):
        kept, last = [], 0
        for span in sorted(spans, key=lambda s: s.start):
            kept.append(cleaned[last:max(last, span.start)])
            last = max(last, span.end)
        without = " ".join([*kept, cleaned[last:]])
        drops.append(explain.logit(score) - explain.logit(float(model.scores([without])[0])))
    return drops[0], drops[1]

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
