"""bulk's readers and parsing, without Beam: the edge cases of real archives, one by one."""

from __future__ import annotations

import gzip
import io
import mailbox

import pytest

from bulk import output, parse, sources
from bulk.sources import DeadLetter, Message
from tests.bulk.helpers import FIXTURES


def read(name: str, data: bytes, **columns: str) -> list:
    return list(sources.read(name, io.BytesIO(data), sources.Columns(**columns)))


def test_mbox_splits_as_pythons_mailbox_does():
    items = read("a.mbox", (FIXTURES / "archive.mbox").read_bytes())
    box = mailbox.mbox(FIXTURES / "archive.mbox", create=False)
    assert [m.id for m in items] == [f"a.mbox#{i}" for i in range(len(box))]
    for item, key in zip(items, box.keys(), strict=True):
        assert item.raw.rstrip(b"\n") == box.get_bytes(key).rstrip(b"\n")


def test_a_message_too_large_is_a_dead_letter_and_the_next_one_is_kept(monkeypatch):
    monkeypatch.setattr(sources, "MAX_MESSAGE_BYTES", 100)
    data = b"From a\nSubject: big\n\n" + b"x" * 200 + b"\nFrom b\nSubject: small\n\nhello\n"
    big, small = read("m.mbox", data)
    assert isinstance(big, DeadLetter) and big.reason == "too_large" and big.id == "m.mbox#0"
    assert small == Message("m.mbox#1", raw=b"Subject: small\n\nhello\n")
    (single,) = read("one.eml", b"y" * 101)
    assert isinstance(single, DeadLetter) and single.reason == "too_large"


def test_csv_rows_ids_and_bad_values():
    data = b"id,text\nr1,hello\n,no id here\nr3,caf\xe9 latin-1\n" + b'r4,"' + b"long " * 40_000 + b'"\n'
    r1, second, r3, r4 = read("t.csv", data)
    assert r1 == Message("r1", text="hello") and second.id == "t.csv#1"
    assert isinstance(r3, DeadLetter) and (r3.id, r3.reason) == ("r3", "not_utf8")
    assert isinstance(r4, Message) and len(r4.text) == 200_000  # past csv's 128 KiB field limit


def test_a_csv_without_the_text_column_dead_letters_every_row():
    items = read("t.csv", b"id,body\n1,a\n2,b\n")
    assert [(i.id, i.reason) for i in items] == [("1", "no_text"), ("2", "no_text")]
    assert [i.id for i in read("t.csv", b"key,body\n1,hi\n", text="body", id="key")] == ["1"]


def test_jsonl_bad_lines_are_dead_letters_with_their_line_number():
    lines = [b'{"text": "fine"}', b"", b"\xff\xfe", b"[" * 100_000 + b"]" * 100_000, b'{"text": null}']
    fine, bad_bytes, deep, null = read("t.jsonl", b"\n".join(lines))
    assert fine == Message("t.jsonl#0", text="fine")
    assert (bad_bytes.reason, bad_bytes.detail.split(" is")[0]) == ("not_utf8", "line 3")
    assert (deep.reason, deep.id) == ("invalid_json", "t.jsonl#2")
    assert (null.reason, null.id) == ("no_text", "t.jsonl#3")


def test_a_stream_that_fails_keeps_what_came_before():
    class Failing(io.BytesIO):
        def readline(self, *args):
            line = super().readline(*args)
            if b"boom" in line:
                raise OSError("connection reset")
            return line

    items = list(sources.read("x.jsonl", Failing(b'{"text": "a"}\n{"text": "b"}\nboom\n{"text": "c"}\n')))
    assert [getattr(i, "text", None) for i in items] == ["a", "b", None]
    assert (items[2].id, items[2].reason) == ("x.jsonl#2", "unreadable")
    assert "connection reset" in items[2].detail


def test_compressed_files_are_read_by_their_suffix():
    data = gzip.compress(b'{"text": "zipped"}\n')
    assert read("t.jsonl.gz", data) == [Message("t.jsonl.gz#0", text="zipped")]
    (cut,) = read("t.jsonl.gz", data[:-10])
    assert cut.reason == "unreadable" and "EOFError" in cut.detail


@pytest.mark.parametrize(("message", "reason"), [
    (Message("a", raw=b"  \n"), "empty"),
    (Message("b", raw=b"From: x@example.com\nTo: y@example.com\n\n"), "empty"),
    (Message("c", text="\u200b\u200b \n> "), "empty"),  # invisible characters, an empty quote
])
def test_nothing_to_score_is_a_dead_letter(message: Message, reason: str):
    result = parse.model_text(message)
    assert isinstance(result, DeadLetter) and result.reason == reason and result.id == message.id


def test_output_files_sit_beside_each_other():
    assert output.paths("out/scores.jsonl") == output.Paths("out/scores.jsonl", "out/scores.dead.jsonl",
                                                          "out/scores.counts.json")
    assert output.paths("gs://b/run.v2/s.csv").counts == "gs://b/run.v2/s.counts.json"
    assert output.csv_line({"id": 'a,"b"', "score": 0.5, "label": "scam", "prediction": True, "model": "m",
                            "version": "v"}) == '"a,""b""",0.5,scam,True,m,v'


def test_files_are_read_by_their_suffix_and_others_are_dead_letters():
    assert [sources.file_format(p) for p in ("a.MBOX", "b.csv.gz", "c.ndjson.xz", "cur/1234", "d.eml")] == [
        "mbox", "csv", "jsonl", "message", "message"]
    (other,) = read("data/file_list.json", b"{}")
    assert (other.id, other.reason) == ("data/file_list.json", "unsupported_format")
