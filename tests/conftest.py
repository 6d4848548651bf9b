"""Fixtures shared by all tests: real servers, started and stopped per test or per session."""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from tests.support import Server, start_server

# `make test` and `make test-fast` run the property tests derandomized (HYPOTHESIS_PROFILE=derandomized):
# a push never fails on luck. `make soak` keeps the random search (the default profile).
settings.register_profile("derandomized", derandomize=True, database=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

@pytest.fixture
def serve(tmp_path: Path) -> Iterator:
    """A factory: serve(env) starts a fresh server; all are stopped after the test."""
    servers: list[Server] = []

    def factory(env: dict | None = None, ready_path: str = "/healthz") -> Server:
        # Failed loads are retried at once unless a test sets the back-off it checks.
        server = start_server(tmp_path / "logs", {"MODEL_RETRY_SECONDS": "0", **(env or {})}, ready_path)
        servers.append(server)
        return server

    yield factory
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The server under contract test: CONTRACT_BASE_URL (e.g. the container), or a fresh one."""
    external = os.environ.get("CONTRACT_BASE_URL")
    if external:
        yield external.rstrip("/")
        return
    server = start_server(tmp_path_factory.mktemp("contract"))
    yield server.url
    server.stop()


SCAM_WORDS = ["winner", "prize", "claim", "urgent", "bank", "account", "transfer", "million",
              "dollars", "wire", "fee", "lottery"]
HAM_WORDS = ["meeting", "patch", "kernel", "build", "review", "lunch", "schedule", "notes",
             "release", "branch", "thanks"]


def fake_mail(rng: random.Random, words: list[str], i: int) -> bytes:
    body = " ".join(rng.choice(words) for _ in range(rng.randint(20, 60)))
    subject = " ".join(rng.choice(words) for _ in range(3))
    if i % 3 == 0:  # some HTML-only and some quoted-printable messages, as in real mail
        return (f"Subject: {subject}\r\nContent-Type: text/html\r\n\r\n<p>{body}</p><p>#{i}</p>").encode()
    return f"Subject: {subject}\r\nFrom: x{i}@example.com\r\n\r\n{body}\r\nmessage {i}\r\n".encode()


@pytest.fixture(scope="session")
def eml_corpus(tmp_path_factory):
    """A small labelled corpus, <label>/*.eml, made here (no network), with one exact copy."""
    root = tmp_path_factory.mktemp("corpus")
    rng = random.Random(7)
    for label, words in (("ham", HAM_WORDS), ("scam", SCAM_WORDS)):
        (root / label).mkdir()
        for i in range(60):
            (root / label / f"{i:03}.eml").write_bytes(fake_mail(rng, words, i))
    (root / "ham" / "dup.eml").write_bytes((root / "ham" / "001.eml").read_bytes())
    return root
