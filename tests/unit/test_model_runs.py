"""The committed model scores a batch in slices, one graph run at a time: the same scores as alone."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
from tokenizers import Tokenizer

from function import artifact, model
from function.tokens import Encoding
from tests.support import HAM, MODEL, SCAM


def texts(n: int) -> list[str]:
    """Different lengths, so slices pad to different widths."""
    return [(SCAM if i % 2 else HAM) + " extra words" * (i % 7) * 40 for i in range(n)]


def test_a_batch_in_slices_scores_as_each_text_alone():
    art = artifact.read(MODEL)
    scorer = model.Model(art, threads=1)
    batch = texts(64)
    tokenizer = Tokenizer.from_file(str(art.tokenizer))
    ids, _ = Encoding.from_metadata(art.meta["tokenizer"]).encode(tokenizer, batch)
    assert ids.shape[0] > model.RUN_TOKENS // ids.shape[1]  # more rows than one run takes
    alone = np.array([scorer.scores([text])[0] for text in batch])
    np.testing.assert_allclose(scorer.scores(batch), alone, atol=1e-6)
    assert scorer.scores([]).shape == (0,)


def test_requests_at_once_take_turns_and_keep_their_own_scores():
    scorer = model.Model(artifact.read(MODEL), threads=1)
    batches = [texts(9)[i:] for i in range(8)]
    expected = [scorer.scores(b) for b in batches]
    with ThreadPoolExecutor(8) as pool:
        found = list(pool.map(scorer.scores, batches * 4))
    for got, want in zip(found, expected * 4, strict=True):
        np.testing.assert_allclose(got, want, atol=1e-9)


def test_a_large_text_scores_as_its_window():
    scorer = model.Model(artifact.read(MODEL), threads=1)
    text = (SCAM + "\n" + HAM + "\n") * (model.TRIM_CHARS // len(SCAM + HAM) + 1)
    assert len(text) > model.TRIM_CHARS
    head, tail = scorer.encoding._cut(text, scorer.encoding.window_chars)
    window = text[:head] + text[tail:]  # the tail starts at whitespace: no word is joined
    np.testing.assert_allclose(scorer.scores([text]), scorer.scores([window]), atol=1e-9)


def test_a_model_loaded_before_a_fork_reads_long_texts_in_the_child():
    """gunicorn's preload: a model loaded in the master, used in a forked worker. Its tokenizing
    thread (long texts) does not survive the fork; the child must not wait on it forever."""
    import os
    import signal

    loaded = model.Model(artifact.read(MODEL), threads=1)
    loaded.scores(["word " * 1000])  # long: tokenized on the thread, started here
    child = os.fork()
    if child == 0:  # the worker: killed by the alarm if it hangs
        signal.alarm(20)
        code = 1
        try:
            code = 0 if len(loaded.scores(["other " * 1000])) == 1 else 1
        finally:
            os._exit(code)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
