import random

import pytest
from tokenizers import Tokenizer, models, pre_tokenizers

from function import artifact, limits
from function.tokens import Encoding
from tests.support import HAM, MODEL, ROOT, SCAM

MODEL_MINILM = ROOT / "model-minilm"


def word_tokenizer() -> Tokenizer:
    vocab = {"[PAD]": 0, **{f"w{i}": i + 1 for i in range(100)}}
    tokenizer = Tokenizer(models.WordLevel(vocab, unk_token="[PAD]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    return tokenizer


def test_head_and_tail_are_kept():
    encoding = Encoding(max_tokens=5, head_tokens=3, pad_id=0)
    assert encoding.truncate(list(range(10))) == [0, 1, 2, 8, 9]
    assert encoding.truncate([1, 2]) == [1, 2]
    assert Encoding(4, 4, 0).truncate(list(range(10))) == [0, 1, 2, 3]


def test_batches_are_padded_to_the_longest_text():
    encoding = Encoding(max_tokens=50, head_tokens=40, pad_id=0)
    ids, mask = encoding.encode(word_tokenizer(), ["w1 w2 w3", "w4"])
    assert ids.tolist() == [[2, 3, 4], [5, 0, 0]]
    assert mask.tolist() == [[1, 1, 1], [1, 0, 0]]


def test_empty_text_gives_one_padded_position():
    ids, mask = Encoding(8, 4, 0).encode(word_tokenizer(), [""])
    assert ids.shape == (1, 1) and mask.tolist() == [[0]]


# The cut in characters before tokenizing (function/limits.py) keeps the same tokens as the cut in tokens.

SENTENCES = [SCAM, HAM, "Meeting moved to 3 pm, room 4.12 (bring the Q3 numbers: $1,250.00).",
             "Ihre Zahlung über 49,99 € ist fällig – bitte bestätigen Sie bis 12.03.",
             "Re: build failed on x86_64 -- see line 42 of spec/rpm.spec; patch attached?",
             "Votre colis n'a pas pu être livré. Réglez les frais de 1,99 EUR aujourd'hui."]


def normal_text(chars: int, seed: int) -> str:
    rng = random.Random(seed)
    parts: list[str] = []
    while sum(map(len, parts)) < chars:
        parts.append(rng.choice(SENTENCES) + rng.choice([" ", "\n", "\n\n"]))
    return "".join(parts)[:chars]


def full(encoding: Encoding, tokenizer: Tokenizer, texts: list[str]) -> list[list[int]]:
    """Tokens kept when the whole text is tokenized."""
    return [encoding.truncate(e.ids) for e in tokenizer.encode_batch(texts)]


@pytest.mark.parametrize("model", [MODEL, MODEL_MINILM], ids=["fast", "minilm"])
def test_the_window_keeps_the_same_tokens_for_normal_text(model):
    encoding = Encoding.from_metadata(artifact.read(model, verify=False).meta["tokenizer"])
    tokenizer = Tokenizer.from_file(str(model / "tokenizer.json"))
    edge = max(encoding.max_tokens * limits.CHARS_PER_TOKEN, limits.MIN_WINDOW_CHARS)
    sizes = [100, edge - 1, edge, edge + 1, 3 * edge, 200_000]
    texts = [normal_text(n, seed) for seed, n in enumerate(sizes)] + ["\U0001f4b0 \U0001f381 " * 50_000]
    assert any(len(t) > encoding.window_chars for t in texts)
    ids, mask = encoding.encode(tokenizer, texts)
    kept = [row[m == 1].tolist() for row, m in zip(ids, mask, strict=True)]
    assert kept == full(encoding, tokenizer, texts)


class Recorded:
    """A tokenizer that records the texts it is given."""

    def __init__(self, tokenizer: Tokenizer) -> None:
        self.tokenizer, self.texts = tokenizer, []

    def encode_batch_fast(self, texts: list[str]) -> list:
        self.texts += texts
        return self.tokenizer.encode_batch_fast(texts)

    def num_special_tokens_to_add(self, pair: bool) -> int:
        return self.tokenizer.num_special_tokens_to_add(pair)


@pytest.mark.parametrize(("encoding", "tail"), [(Encoding(2048, 1536, 0), True),
                                                (Encoding(64, 64, 0), False)])
def test_the_tokenizer_sees_at_most_the_window_of_normal_text(encoding, tail):
    text = "".join(f"w{i % 100} " for i in range(100_000))
    recorded = Recorded(word_tokenizer())
    ids, mask = encoding.encode(recorded, [text])
    assert sum(map(len, recorded.texts)) <= encoding.window_chars
    assert recorded.texts[0].startswith(text[:1000])
    assert recorded.texts[-1].endswith(text[-1000:]) == tail  # no tail when every token kept is the head's
    assert ids[0][mask[0] == 1].tolist() == full(encoding, word_tokenizer(), [text])[0]


def test_a_batch_is_tokenized_in_groups_with_the_same_result():
    encoding = Encoding(max_tokens=50, head_tokens=40, pad_id=0)
    texts = [" ".join(f"w{(i + j) % 100}" for j in range(i * 300)) for i in range(40)]
    assert sum(map(len, texts)) > 3 * limits.ENCODE_CHARS
    ids, _ = encoding.encode(word_tokenizer(), texts)
    alone = [encoding.encode(word_tokenizer(), [t])[0][0] for t in texts]
    assert all((row[: len(one)] == one).all() for row, one in zip(ids, alone, strict=True))
