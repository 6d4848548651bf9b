"""Issue 11, the parser rows: each parser reads input already cut to its budget (function/limits.py).

The quadratic recipes are sent at two sizes, n and 4n: a parser that is linear in what it reads
costs about 4 times as much for the larger (the budget makes it less), a quadratic one 16 times.
The comparison is loose (8 times, plus a constant for the noise of a busy machine), never a
wall-clock limit.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable

import pytest

from bench import soak
from function import limits, mail, mime

N = 50_000  # bytes; 4N took 20 s before the budgets


def cpu(parse: Callable[[], object]) -> float:
    """The least CPU time of three runs."""
    times = []
    for _ in range(3):
        started = time.process_time()
        parse()
        times.append(time.process_time() - started)
    return min(times)


@pytest.mark.parametrize("recipe", [soak.charset_semicolons, soak.param_parts, soak.charref_part,
                                    soak.punycode_part, soak.nested_lines,
                                    lambda n: soak.html_part("><", n), lambda n: soak.html_part("<a>", n)],
                         ids=["charset ;", "parts of ;", "charref", "punycode", "nested lines",
                              "html ><", "html <a>"])
def test_a_message_costs_no_more_than_its_size(recipe):
    small, large = recipe(N), recipe(4 * N)
    first, second = cpu(lambda: mail.message_text(small)), cpu(lambda: mail.message_text(large))
    assert second < 8 * first + 0.05, f"{first:.3f} s for {len(small)} bytes, {second:.3f} s for {len(large)}"


@pytest.mark.parametrize("recipe", [lambda n: " \t" * (n // 2),
                                    lambda n: "-----Original Message" + " " * n + "x"],
                         ids=["spaces and tabs", "spaces after a forwarded block's rule"])
def test_a_text_costs_no_more_than_its_size(recipe):
    small, large = recipe(N // 2), recipe(2 * N)  # 25,000 spaces and tabs took 9 s, 100,000 took 111 s
    first, second = cpu(lambda: mail.clean(small)), cpu(lambda: mail.clean(large))
    assert second < 8 * first + 0.05, f"{first:.3f} s for {len(small)} chars, {second:.3f} s for {len(large)}"


def test_a_charset_full_of_semicolons_still_reads_the_body():
    assert mail.message_text(soak.charset_semicolons(N)) == "x\nhello"


def test_content_headers_are_cut_to_their_parameter_budget():
    params = "; ".join(f"p{i}=v" for i in range(40))
    raw = soak.rfc822(f"Subject: s\nContent-Type: text/plain; {params}; charset=iso-8859-1",
                      "café".encode("latin-1"))
    assert mail.message_text(raw) == "s\ncaf\ufffd"  # the charset past the budget is not read: UTF-8
    within = soak.rfc822("Subject: s\nContent-Type: text/plain; format=flowed; charset=iso-8859-1",
                         "café".encode("latin-1"))
    assert mail.message_text(within) == "s\ncafé"


@pytest.mark.parametrize("where", ["html_to_text", "clean", "message_text"])
def test_a_huge_character_reference_is_text(where):
    markup = soak.long_charref()
    text = {"html_to_text": lambda: mail.html_to_text(markup), "clean": lambda: mail.clean(markup),
            "message_text": lambda: mail.message_text(soak.charref_part(len(markup) + 60))}[where]()
    assert text.strip() in ("\ufffd", "x\n\ufffd")


@pytest.mark.parametrize("reference", ["&#65;", "&#0000000065;", "&#x41;", "&#1114111;", "&#1114112;",
                                       "&#99999999;", "&#0;", "&#128;", "&#00000000;", "&#x110000;"])
def test_character_references_read_as_html_reads_them(reference):
    assert mail.html_to_text(f"<b>a{reference}b</b>") == html.unescape(f"a{reference}b")


@pytest.mark.parametrize("charset", ["punycode", "idna", "undefined", "base64", "rot13", "zlib", "hex",
                                     "uu", "bz2", "quopri", "unicode_escape", "raw_unicode_escape",
                                     "klingon", "utf-8\x00"])
def test_codecs_that_are_no_text_encodings_are_refused(charset):
    with pytest.raises(mime.CharsetError) as refused:
        mime.decode(b"abc-99999", charset)
    assert isinstance(refused.value, ValueError) and repr(charset) in str(refused.value)


def test_decode_reads_text_encodings_and_says_where_bytes_are_bad():
    assert mime.decode("Grüße".encode("utf-16"), "UTF-16") == "Grüße"
    assert mime.decode(b"plain", None) == "plain"
    with pytest.raises(UnicodeDecodeError):
        mime.decode(b"caf\xe9", "utf-8")
    assert mime.decode(b"caf\xe9", "utf-8", errors="replace") == "caf\ufffd"


def test_a_punycode_part_is_read_as_utf8():
    assert mail.message_text(soak.rfc822("Subject: p\nContent-Type: text/plain; charset=punycode",
                                         b"abc-99999")) == "p\nabc-99999"


@pytest.mark.parametrize("kind", ["pdf", "image", "headers"])
def test_a_message_without_text_gives_empty_text(kind):
    assert mail.message_text(soak.only(kind)) == ""


def test_a_subject_without_a_body_is_text():
    assert mail.message_text(soak.rfc822("Subject: Your parcel is held", b"")) == "Your parcel is held"


def test_html_is_read_to_its_budget_only():
    markup = "<p>" + "a " * limits.MAX_CHARS + "</p><p>past the budget</p>"
    assert "past the budget" not in mail.html_to_text(markup)
    assert "past the budget" in mail.html_to_text(markup[-200:])


def test_parts_nested_past_the_depth_budget_are_not_split():
    assert mail.message_text(soak.nested_lines(0, limits.MAX_DEPTH - 1)) == "deep\nhello"
    assert mail.message_text(soak.nested_lines(0, limits.MAX_DEPTH + 1)) == "deep"


def test_lines_past_the_line_budget_are_not_read():
    body = b"\n" * (limits.MAX_LINES + 10)
    assert mail.message_text(soak.rfc822("Subject: s", b"first" + body + b"last")) == "s\nfirst"
    assert mail.message_text(soak.rfc822("Subject: s", b"first" + body[:1000] + b"last")) == "s\nfirst\nlast"
