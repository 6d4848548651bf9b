"""Fixtures shared by all tests: real servers, started and stopped per test or per session."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import Server, start_server


@pytest.fixture
def serve(tmp_path: Path) -> Iterator:
    """A factory: serve(env) starts a fresh server; all are stopped after the test."""
    servers: list[Server] = []

    def factory(env: dict | None = None, ready_path: str = "/healthz") -> Server:
        server = start_server(tmp_path / "logs", env, ready_path)
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
