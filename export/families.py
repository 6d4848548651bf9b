"""The model families `python -m export --model NAME` can build, behind one small interface.

A family trains on a split (`fit`), turns the result into an fp32 ONNX graph (`graph`) and
may shrink it (`quantize`). The trained object has `.tokenizer`, `.encoding` and
`.predict(texts)`, the reference the ONNX graph must reproduce.
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from export import corpus


@dataclass(frozen=True)
class Family:
    name: str  # the artifact's name in model.json
    description: str
    default_out: str  # folder, relative to the project root
    fit: Callable[[corpus.Split, argparse.Namespace], Any]
    graph: Callable[[Any], bytes]
    quantize: Callable[[Any, bytes], bytes] | None = None
    extras: Callable[[Any], dict[str, bytes]] | None = None  # more artifact files, by file name


def _fit_fast(split: corpus.Split, args: argparse.Namespace):
    from export import fast

    config = fast.FastConfig(vocab=args.vocab) if args.vocab else fast.FastConfig()
    return fast.train([r.text for r in split.train], [r.label for r in split.train], config,
                      [r.source for r in split.train])


def _graph_fast(trained) -> bytes:
    from export import fast

    return fast.to_onnx(trained).SerializeToString(deterministic=True)


def _extras_fast(trained) -> dict[str, bytes]:
    from export import fast

    return {"explain.npz": fast.explanation(trained)}


def _fit_minilm(split: corpus.Split, args: argparse.Namespace):
    from export import minilm

    config = minilm.MiniLMConfig(encoder=args.encoder, max_steps=args.max_steps)
    if args.learning_rate:
        config = dataclasses.replace(config, learning_rate=args.learning_rate)
    return minilm.cached_train([r.text for r in split.train], [r.label for r in split.train],
                               [r.text for r in split.validation], [r.label for r in split.validation],
                               config, args.cache / "minilm")


def _fit_minilm_frozen(split: corpus.Split, args: argparse.Namespace):
    from export import minilm

    return minilm.fit_frozen(split, args)


def _graph_minilm(trained) -> bytes:
    from export import minilm

    return minilm.to_onnx(trained)


def _quantize_minilm(trained, fp32: bytes) -> bytes:
    from export import quantize

    config = trained.network.encoder.config
    optimized = quantize.optimize(fp32, config.num_attention_heads, config.hidden_size)
    return quantize.quantize(optimized)


FAMILIES = {
    "fast": Family("scam-classifier-fast",
                   "BPE words (punctuation dropped) + logistic regression over sublinear, length-normalised "
                   "TF-IDF of hashed token 1-3-grams",
                   "model", _fit_fast, _graph_fast, extras=_extras_fast),
    "minilm": Family("scam-classifier-minilm-int8",
                     "all-MiniLM-L6-v2 frozen at 128 tokens, mean pooling + logistic-regression head, "
                     "int8 dynamic quantization",
                     "model-minilm", _fit_minilm_frozen, _graph_minilm, _quantize_minilm),
    # Fine-tuning the encoder as well: better on one corpus, but ~30 min a training here, so the
    # leave-one-source-out checks cost hours. Built on request, not committed.
    "minilm-tuned": Family("scam-classifier-minilm-tuned-int8",
                           "all-MiniLM-L6-v2 fine-tuned, mean pooling + linear head, "
                           "int8 dynamic quantization", "model-minilm-tuned",
                           _fit_minilm, _graph_minilm, _quantize_minilm),
}
