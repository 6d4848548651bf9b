"""Texts -> padded token-id arrays, with the truncation rule every model shares.

Long e-mails keep their head and their tail (the greeting and the call to action, where
scams show themselves) and lose the middle. Training and serving both call `encode`.

A long text is not tokenized whole: its head and its tail are, cut at whitespace, in a window that
grows until each holds the tokens kept of it (`kept`), so the ids are exactly those of tokenizing
it all and truncating (`truncate`). Without the window, 1 MiB of emoji would be tokenized into
800,000 tokens only to keep 2,048 of them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from tokenizers import Tokenizer

from function.limits import CHARS_PER_TOKEN, ENCODE_CHARS, MIN_WINDOW_CHARS

_SPACES = " \n\t\r\f\v"  # where a cut leaves every pre-token whole (the tokenizers split on whitespace)


@dataclass(frozen=True)
class Encoding:
    max_tokens: int
    head_tokens: int  # the rest of max_tokens is taken from the tail
    pad_id: int

    @classmethod
    def from_metadata(cls, meta: dict) -> Encoding:
        return cls(int(meta["max_tokens"]), int(meta["head_tokens"]), int(meta["pad_id"]))

    def to_metadata(self) -> dict:
        return {"max_tokens": self.max_tokens, "head_tokens": self.head_tokens, "pad_id": self.pad_id,
                "truncation": "head+tail", "padding": "longest"}

    def truncate(self, ids: list[int]) -> list[int]:
        if len(ids) <= self.max_tokens:
            return ids
        tail = self.max_tokens - self.head_tokens
        return ids[: self.head_tokens] + (ids[-tail:] if tail else [])

    @property
    def window_chars(self) -> int:
        """Characters first tried: CHARS_PER_TOKEN per kept token, at least MIN_WINDOW_CHARS."""
        return max(self.max_tokens * CHARS_PER_TOKEN, MIN_WINDOW_CHARS)

    def _cut(self, text: str, chars: int) -> tuple[int, int]:
        """(end of the head, start of the tail) of a window of about `chars` characters, in the kept
        tokens' proportion, each moved to whitespace: no pre-token of the text is split by the cut."""
        head = chars * self.head_tokens // self.max_tokens
        tail = len(text) - (chars - head)
        ends = [text.rfind(c, 0, head + 1) for c in _SPACES]
        starts = [found for c in _SPACES if (found := text.find(c, tail)) >= 0]
        return max(max(ends), 0) or head, min(starts, default=tail)

    def kept(self, tokenizer: Tokenizer, text: str, offsets: bool = False) -> tuple[list[int], list]:
        """The token ids truncation keeps of `text` (and their character offsets into it), without
        tokenizing all of a long text: its head and its tail are tokenized, each cut at whitespace,
        and the window grows until each holds as many tokens as are kept of it. So the ids are those
        of tokenizing the whole text and truncating, whatever the text's characters per token."""
        run = tokenizer.encode_batch if offsets else tokenizer.encode_batch_fast
        tail_tokens = self.max_tokens - self.head_tokens
        special = tokenizer.num_special_tokens_to_add(False)
        chars = self.window_chars
        while chars < len(text):
            head, tail = self._cut(text, chars)
            if head < tail:
                (first, first_at), (last, last_at) = _read(run([text[:head], text[tail:]]), offsets)
                if len(first) - special >= self.head_tokens and len(last) - special >= tail_tokens:
                    keep = len(last) - tail_tokens
                    return (first[: self.head_tokens] + last[keep:],
                            first_at[: self.head_tokens] + [(s + tail, e + tail) for s, e in last_at[keep:]])
            chars *= 2
        ((ids, at),) = _read(run([text]), offsets)
        keep = self.truncate(list(range(len(ids))))
        return [ids[i] for i in keep], [at[i] for i in keep] if offsets else []

    def kept_all(self, tokenizer: Tokenizer, texts: list[str]) -> list[tuple[list[int], list]]:
        """`kept` with offsets, for each text."""
        return [self.kept(tokenizer, text, offsets=True) for text in texts]

    def encode(self, tokenizer: Tokenizer, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(input_ids, attention_mask), int64, padded to the longest text in the batch."""
        # Short texts are tokenized a group at a time; _fast: the same ids without character offsets,
        # which nothing reads (-10 % CPU per request). A long text is tokenized around its cut.
        window = self.window_chars
        short = [t for t in texts if len(t) <= window]
        found = iter([self.truncate(e.ids) for group in _groups(short)
                      for e in tokenizer.encode_batch_fast(group)])
        rows = [next(found) if len(t) <= window else self.kept(tokenizer, t)[0] for t in texts]
        width = max(1, max((len(r) for r in rows), default=1))
        ids = np.full((len(rows), width), self.pad_id, dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        for i, row in enumerate(rows):
            ids[i, : len(row)] = row
            mask[i, : len(row)] = 1
        return ids, mask


def _read(found: list, offsets: bool) -> list[tuple[list[int], list]]:
    """(ids, offsets or []) of each encoding, each read once (every read of .ids builds a new list)."""
    return [(e.ids, e.offsets if offsets else []) for e in found]


def _groups(texts: list[str]) -> Iterator[list[str]]:
    """Consecutive texts in groups of at most ENCODE_CHARS characters (a longer text alone)."""
    group: list[str] = []
    size = 0
    for text in texts:
        if group and size + len(text) > ENCODE_CHARS:
            yield group
            group, size = [], 0
        group.append(text)
        size += len(text)
    if group:
        yield group
