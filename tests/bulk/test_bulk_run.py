"""python -m bulk on DirectRunner over the fixture archive (an mbox, an .eml folder, a CSV, a JSONL):
every message scored or dead-lettered once, counts that add up, and the function's own scores."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from tests.bulk.helpers import DEAD, FIXTURES, READ, Run, read_run, requests, run
from tests.support import call

PREFIX = "tests/fixtures/bulk"  # how the runs below name the fixture folder


def test_counts_add_up_and_are_written_beside_the_output(local_run: Run):
    counts = local_run.counts
    dead = sum(DEAD.values())
    assert counts["read"] == READ == counts["scored"] + counts["dead_lettered"]
    assert counts["dead_by_reason"] == DEAD and counts["adds_up"] is True
    assert (counts["scored"], counts["dead_lettered"]) == (len(local_run.scores), len(local_run.dead))
    assert counts["model_loads"] == 1 and counts["workers"] == 1 and counts["files"] == 7
    assert f"read {READ}, scored {READ - dead}, dead-lettered {dead}" in local_run.stderr


def test_every_message_is_scored_or_dead_lettered_exactly_once(local_run: Run):
    ids = [row["id"] for row in local_run.scores] + [letter["id"] for letter in local_run.dead]
    assert len(ids) == len(set(ids)) == READ
    assert set(requests(PREFIX)) <= set(ids)
    assert not any(".hidden" in i for i in ids)  # a folder's hidden files are not messages


def test_dead_letters_say_where_and_why_without_the_text(local_run: Run):
    reasons = {letter["id"]: (letter["reason"], letter["detail"]) for letter in local_run.dead}
    assert reasons[f"{PREFIX}/eml/empty.eml"][0] == "empty"
    assert reasons[f"{PREFIX}/archive.mbox#3"][0] == "empty"  # headers, no subject, no body
    assert reasons["c4"][0] == "empty"  # a blank CSV text
    reason, detail = reasons[f"{PREFIX}/rows.jsonl#1"]
    assert reason == "invalid_json" and detail.startswith("line 2 is not JSON")
    assert reasons["j3"] == ("invalid_text", "'text' must be a string, not int")
    assert reasons["j4"][0] == "no_text"
    assert reasons[f"{PREFIX}/rows.jsonl#4"] == ("invalid_json", "line 5 is a list, not an object")
    assert "unterminated" not in str(local_run.dead)


def test_scores_equal_the_functions_over_http(local_run: Run, serve):
    server = serve()
    expected = requests(PREFIX)
    assert len(local_run.scores) == READ - sum(DEAD.values())
    for row in local_run.scores:
        content_type, body = expected[row["id"]]
        reply = call(server.url + "/predict", "POST", body, {"Content-Type": content_type})
        assert reply.status == 200, (row["id"], reply.body)
        answer = reply.json()
        assert abs(answer["score"] - row["score"]) <= 1e-6, row["id"]
        assert (answer["label"], answer["prediction"]) == (row["label"], row["prediction"]), row["id"]
        assert answer["model"] == {"name": row["model"], "version": row["version"]}
    assert {row["label"] for row in local_run.scores} == {"ham", "scam"}


def test_two_worker_processes_load_the_model_once_each_and_agree(local_run: Run, tmp_path: Path):
    done = run(tmp_path / "scores.csv", PREFIX, "--direct_num_workers", "2")
    two = read_run(done, tmp_path)
    assert two.code == 0, two.stderr
    assert two.counts["model_loads"] == 2 and two.counts["workers"] == 2
    assert (two.counts["read"], two.counts["dead_by_reason"]) == (READ, DEAD)
    assert (tmp_path / "scores.csv").read_text().startswith("id,score,label,prediction,model,version\n")
    one = {row["id"]: row for row in local_run.scores}
    assert len(two.scores) == len(one)
    for row in two.scores:
        assert abs(row["score"] - one[row["id"]]["score"]) <= 1e-6
        assert (row["label"], row["prediction"]) == (one[row["id"]]["label"], one[row["id"]]["prediction"])


def test_compressed_and_cut_off_files(local_run: Run, tmp_path: Path):
    """A gzip'd mbox reads as the plain one; a gzip cut off half-way keeps what came before it and
    dead-letters the rest. The output goes to a folder that does not exist yet."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "archive.mbox.gz").write_bytes(gzip.compress((FIXTURES / "archive.mbox").read_bytes()))
    whole = gzip.compress((FIXTURES / "rows.jsonl").read_bytes() * 50)
    (folder / "cut.jsonl.gz").write_bytes(whole[: len(whole) // 2])
    done = run(tmp_path / "out" / "scores.jsonl", str(folder))
    result = read_run(done, tmp_path / "out")
    assert result.code == 0, result.stderr
    plain = {row["id"].rpartition("#")[2]: row["score"] for row in local_run.scores
             if row["id"].startswith(f"{PREFIX}/archive.mbox#")}
    packed = {row["id"].rpartition("#")[2]: row["score"] for row in result.scores
              if row["id"].startswith(f"{folder}/archive.mbox.gz#")}
    assert packed.keys() == plain.keys() and all(abs(packed[k] - plain[k]) <= 1e-6 for k in plain)
    unreadable = [letter for letter in result.dead if letter["reason"] == "unreadable"]
    assert len(unreadable) == 1 and unreadable[0]["id"].startswith(f"{folder}/cut.jsonl.gz")
    assert any(row["id"] == "j1" for row in result.scores)  # what came before the cut is kept
    assert result.counts["adds_up"]


@pytest.mark.parametrize(("args", "message"), [
    (["tests/fixtures/bulk/nothing-here"], "nothing-here: no such file or folder"),
    (["tests/fixtures/bulk", "--model", "tests/fixtures/bulk"], "no model.json"),
    (["tests/fixtures/bulk", "--runner=DataflowRunner"], "cannot read local paths"),
    (["tests/fixtures/bulk", "--batch-size", "0"], "must be at least 1"),
])
def test_bad_arguments_are_clear_errors(local_run: Run, tmp_path: Path, args: list[str], message: str):
    done = run(tmp_path / "scores.jsonl", *args)
    assert done.returncode == 2 and message in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "scores.jsonl").exists()
