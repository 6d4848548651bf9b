"""What a run writes: the scores (JSONL or CSV), the dead letters (JSONL) and the counts (JSON),
side by side: scores.jsonl -> scores.dead.jsonl, scores.counts.json."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

COLUMNS = ("id", "score", "label", "prediction", "model", "version")


@dataclass(frozen=True)
class Paths:
    scores: str
    dead: str
    counts: str

    @property
    def csv(self) -> bool:
        return self.scores.lower().endswith(".csv")


def paths(output: str) -> Paths:
    """The three files for --output (local or gs://); the scores' format follows its extension."""
    folder, _, name = output.rpartition("/")
    stem = name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name
    base = f"{folder}/{stem}" if folder else stem
    return Paths(output, f"{base}.dead.jsonl", f"{base}.counts.json")


def row(id_: str, result: dict) -> dict:
    return {"id": id_, **{key: result[key] for key in COLUMNS[1:]}}


def json_line(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False)


def csv_line(record: dict) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow([record[key] for key in COLUMNS])
    return buffer.getvalue()


def csv_header() -> str:
    return ",".join(COLUMNS)


def counts(read: int, scored: int, dead: dict[str, int]) -> dict:
    """The run's counts; `adds_up` says whether every message read was scored or dead-lettered."""
    dead_total = sum(dead.values())
    return {"read": read, "scored": scored, "dead_lettered": dead_total,
            "dead_by_reason": dict(sorted(dead.items())), "adds_up": read == scored + dead_total}
