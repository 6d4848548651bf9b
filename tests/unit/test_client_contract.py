"""The client (client/__init__.py) stays one standard-library file a user can copy anywhere, so it
cannot import function/contract.py: this holds its types to the contract instead."""

from __future__ import annotations

import inspect
from dataclasses import fields

import client
from function import contract


def test_the_clients_reason_is_the_contracts():
    ours = [(f.name, f.type) for f in fields(contract.Reason)]
    assert [(f.name, f.type) for f in fields(client.Reason)] == ours


def test_the_clients_signal_is_the_contracts_and_its_words():
    ours = [(f.name, f.type) for f in fields(contract.Signal)]
    assert [(f.name, f.type) for f in fields(client.Signal)] == [*ours, ("text", "str")]
    shown = contract.Signal("link_elsewhere", "a", "b").to_json()
    assert set(shown) == {f.name for f in fields(client.Signal)}


def test_the_client_reads_every_field_of_a_prediction():
    assert {f.name for f in fields(contract.Prediction)} <= {f.name for f in fields(client.Prediction)}


def test_the_clients_batch_is_the_functions():
    batch = inspect.signature(client.Client.predict_many).parameters["batch_size"].default
    assert batch == contract.DEFAULT_MAX_BATCH
