"""What the model sees: function.mail, shared by training and serving."""

import random
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from function import glyphs
from function.mail import MAX_CHARS, MAX_PARTS, clean, html_to_text, message_text, message_views, views
from scripts import format_chars


def raw(headers: str, body: bytes) -> bytes:
    return headers.replace("\n", "\r\n").encode() + b"\r\n\r\n" + body


def test_subject_and_plain_body():
    text = message_text(raw("Subject: Lunch?\nFrom: a@b.c", b"Are you free at noon?"))
    assert text == "Lunch?\nAre you free at noon?"


def test_encoded_subject_and_base64_body():
    message = raw(
        "Subject: =?utf-8?b?R3LDvMOfZQ==?=\nContent-Type: text/plain; charset=utf-8\n"
        "Content-Transfer-Encoding: base64",
        b"SGFsbG8gV2VsdA==",
    )
    assert message_text(message) == "Grüße\nHallo Welt"


def test_html_only_message_becomes_text():
    message = raw("Subject: Offer\nContent-Type: text/html",
                  b"<html><head><style>p{}</style></head><body><p>Win&nbsp;<b>cash</b></p>"
                  b"<script>evil()</script></body></html>")
    assert message_text(message) == "Offer\nWin cash"  # NFKC: the no-break space is a space


def test_plain_part_is_preferred_over_html():
    message = raw(
        'Subject: s\nContent-Type: multipart/alternative; boundary="x"',
        b"--x\r\nContent-Type: text/plain\r\n\r\nplain words\r\n"
        b"--x\r\nContent-Type: text/html\r\n\r\n<p>html words</p>\r\n--x--\r\n",
    )
    assert message_text(message) == "s\nplain words"


def test_unknown_and_wrong_charsets_survive():
    bad = raw("Subject: x\nContent-Type: text/plain; charset=x-no-such", b"caf\xe9 ok")
    assert "caf" in message_text(bad)
    wrong = raw("Subject: x\nContent-Type: text/plain; charset=utf-8", b"\xff\xfe bytes")
    assert "bytes" in message_text(wrong)


def test_attachments_and_non_text_parts_are_skipped():
    message = raw(
        'Subject: s\nContent-Type: multipart/mixed; boundary="x"',
        b"--x\r\nContent-Type: text/plain\r\n\r\nbody\r\n"
        b"--x\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=a.txt\r\n\r\n"
        b"attached\r\n--x\r\nContent-Type: image/png\r\n\r\nPNG\r\n--x--\r\n",
    )
    assert message_text(message) == "s\nbody"


def test_mime_bomb_is_read_only_so_far():
    parts = b"".join(b"--x\r\nContent-Type: text/plain\r\n\r\npart%d\r\n" % i for i in range(5000))
    text = message_text(raw('Subject: bomb\nContent-Type: multipart/mixed; boundary="x"',
                            parts + b"--x--\r\n"))
    assert f"part{MAX_PARTS - 2}" in text and "part4999" not in text


def test_quoted_replies_footers_addresses_and_urls_are_removed():
    text = clean(
        "I agree.\n> the original message\n> more quoting\nSee http://example.com/x?y=1 "
        "or mail jm@jmason.org\n_______________________________________________\n"
        "Razor-users mailing list\nhttps://lists.sourceforge.net/lists/listinfo/razor-users"
    )
    assert text == "I agree.\nSee urladdress or mail emailaddress"


def test_a_rule_without_list_boilerplate_is_kept():
    assert "kept" in clean("top\n------------------------------\nkept text")


def test_pasted_html_is_turned_into_text():
    assert clean("<html><body><p>Hello <a href='x'>there</a></p></body></html>") == "Hello there"


def test_lone_surrogates_do_not_break_cleaning():
    assert clean("bad \ud800 char") == "bad ? char"


def test_broken_html_keeps_its_words():
    assert "words" in html_to_text("<p>words <b <<")


def test_garbage_bytes_never_raise():
    for blob in (b"", b"\x00\xff" * 100, b"Content-Type: multipart/mixed\r\n\r\n--", b":\r\n\r\n"):
        assert isinstance(message_text(blob), str)


def test_list_tags_in_subjects_are_removed():
    assert message_text(raw("Subject: Re: [ILUG] kernel panic", b"help")) == "Re: kernel panic\nhelp"
    assert message_text(raw("Subject: [SAtalk] rules", b"x")) == "rules\nx"


def test_left_over_mime_boundaries_and_signature_footers_are_removed():
    text = clean("Buy now\n--DeathToSpamDeathToSpamDeathToSpam--\n-- \nIrish Linux Users' Group: "
                 "ilug@linux.ie\nhttp://www.linux.ie/mailman/listinfo/ilug for (un)subscription information.")
    assert text == "Buy now"
    assert clean("Thanks\n-- \nDave") == "Thanks\n-- \nDave"  # a plain signature stays


# One text for one mail, however it arrives; one spelling for what looks the same.

def test_pasted_corpus_and_parsed_mail_reach_the_model_alike():
    body = "Hi Sam,\nYour parcel is held. Pay the fee at usps.parcel-fee.co/a1 today."
    parsed = message_text(raw("From: USPS <x@y.z>\nSubject: Parcel held", body.encode()))
    assert clean(f"Subject: Parcel held\n\n{body}") == parsed  # the corpora's JSONL form
    assert clean(f"From: USPS <x@y.z>\nSubject: Parcel held\n\n{body}") == parsed  # a pasted e-mail
    assert parsed == "Parcel held\nHi Sam,\nYour parcel is held. Pay the fee at urladdress today."


def test_a_body_line_that_names_a_sender_is_kept():
    assert clean("From: HMRC. You are owed a refund") == "From: HMRC. You are owed a refund"
    assert clean("Note: bring a pen\nThanks") == "Note: bring a pen\nThanks"


def test_forwarded_header_blocks_are_removed():
    text = ("Let's do it.\n\n-----Original Message-----\nFrom: Mills\nSent: Mon\nTo: H\n"
            "Subject: FW: y\n\nPrint")
    assert clean(text) == "Let's do it.\nPrint"


def test_invisible_characters_fullwidth_and_lookalikes_are_normalised():
    assert clean("T\u200bh\u200ba\u200bn\u200bk\u00ads\ufeff!") == "Thanks!"
    assert clean("ｐａｙ 𝐧𝐨𝐰") == "pay now"
    assert clean("Your Pаypаl аccount") == "Your Paypal account"  # Cyrillic а inside Latin words
    assert clean("Привет, как дела?") == "Привет, как дела?"  # a Russian text is left alone


def test_bare_links_become_the_placeholder_but_plain_domains_stay():
    assert clean("go to bit.ly/3xYz now") == "go to urladdress now"
    assert clean("ordered on amazon.com, rated 4.5/5") == "ordered on amazon.com, rated 4.5/5"


# Issue 20: the model reads what a reader sees. Five obvious scams, and the evasions that flipped
# them: each transformed text must reach the model as the text itself does.

SCAMS = [
    "Your manager needs six Amazon gift cards today. Scratch the codes and send photos urgently.",
    "Your bank account has been suspended. Verify your identity immediately to restore access.",
    "I am the son of the late minister and need your help moving fifteen million dollars.",
    "Send bitcoin to this wallet and we will double your crypto within one hour.",
    "Invoice overdue: wire the payment today to our new bank details or face penalties.",
]
FILLER = "Thanks for the lovely dinner last night, see you at the school concert on Friday. " * 10


def _longest(sentence: str) -> str:
    return max(sentence.replace(".", " ").replace(":", " ").split(), key=len)


def _in_word(sentence: str, mark: str) -> str:
    """`mark` between the letters of the sentence's longest word."""
    word = _longest(sentence)
    return sentence.replace(word, mark.join(word), 1)


def _right_to_left(sentence: str) -> str:
    """The longest word stored reversed inside a right-to-left override: it displays as itself."""
    word = _longest(sentence)
    return sentence.replace(word, "\u202e" + word[::-1] + "\u202c", 1)


TEXT_EVASIONS = {
    "zero-width characters": lambda s: _in_word(s, "\u200b"),
    "soft hyphens": lambda s: _in_word(s, "\u00ad"),
    "word joiners and variation selectors": lambda s: _in_word(s, "\u2060\ufe0f"),
    "full-width letters": lambda s: "".join(chr(ord(c) + 0xFEE0) if c.isalpha() and c.isascii() else c
                                            for c in s),
    "Cyrillic look-alikes": lambda s: s.replace("a", "\u0430").replace("o", "\u043e"),
    "right-to-left override": _right_to_left,
    "spaced letters": lambda s: _in_word(s, " "),
    "dotted letters": lambda s: _in_word(s, "."),
    "hyphenated letters": lambda s: _in_word(s, "-"),
    "dot and space between letters": lambda s: _in_word(s, ". "),
    "quoted": lambda s: "> " + s,
    "quoted twice, after blank lines": lambda s: "\n\n>> " + s + "\n>",
    "quoted under an attribution line": lambda s: "On Monday, Sam wrote:\n> " + s,
}
HTML_EVASIONS = {
    "display:none": f'<div style="display: none !important">{FILLER}</div>',
    "visibility:hidden": f"<p style='visibility:hidden'>{FILLER}</p>",
    "hidden attribute": f"<div hidden>{FILLER}</div>",
    "zero font size": f'<span style="font-size:0px">{FILLER}</span>',
    "zero height, overflow hidden": f'<div style="max-height:0;overflow:hidden;mso-hide:all">{FILLER}</div>',
    "opacity 0": f'<div style="opacity:0">{FILLER}</div>',
    "white on white": f'<font color="#FFFFFF">{FILLER}</font>',
    "same colour as the background": f'<table><td bgcolor="#123456"><i style="color:rgb(18,52,86)">{FILLER}'
                                     "</table>",
    "transparent text": f'<span style="color: transparent">{FILLER}</span>',
    "title, script and style": f"<title>{FILLER}</title><script>{FILLER}</script><style>{FILLER}</style>",
    "comments and declarations": f"<!-- {FILLER} --><!DOCTYPE html><![CDATA[{FILLER}]]><?xml {FILLER}?>",
    "a class the style sheet hides": f"<style>p {{margin:0}} .pre, td.x {{display:none}}</style>"
                                     f"<table><tr><td class=x>{FILLER}</table>",
    "a cell outside a table is no cell": f"<td style='display:none'></td><div hidden>{FILLER}</div>",
}


@pytest.mark.parametrize("evasion", TEXT_EVASIONS)
@pytest.mark.parametrize("scam", range(len(SCAMS)))
def test_a_text_evasion_reads_as_the_text(scam, evasion):
    assert clean(TEXT_EVASIONS[evasion](SCAMS[scam])) == clean(SCAMS[scam])


@pytest.mark.parametrize("evasion", HTML_EVASIONS)
@pytest.mark.parametrize("scam", range(len(SCAMS)))
def test_hidden_html_does_not_count(scam, evasion):
    shown = f"<html><body><div>{SCAMS[scam]}</div>"
    assert clean(shown) == clean(SCAMS[scam])
    assert clean(shown + HTML_EVASIONS[evasion] + "</body></html>") == clean(SCAMS[scam])
    assert clean(HTML_EVASIONS[evasion] + shown) == clean(SCAMS[scam])


@pytest.mark.parametrize("scam", range(len(SCAMS)))
def test_markup_between_letters_is_read_as_the_word(scam):
    word = _longest(SCAMS[scam])
    for mark in ("<!-- x -->", "<span></span>", "<b style='color:#000'></b>", "<i style=display:none>x</i>",
                 "&#8203;", "&shy;"):
        assert clean("<p>" + SCAMS[scam].replace(word, mark.join(word)) + "</p>") == clean(SCAMS[scam])


def test_hidden_html_in_a_message_does_not_count():
    def message(markup: str) -> bytes:
        return raw("Subject: Gift cards\nContent-Type: text/html", markup.encode())
    shown = f"<p>{SCAMS[0]}</p>"
    assert message_text(message(shown + HTML_EVASIONS["display:none"])) == message_text(message(shown))
    assert message_text(message(shown)) == "Gift cards\n" + clean(SCAMS[0])


def test_text_a_reader_sees_is_read():
    """Where hiding ends, or never began: counted."""
    assert clean("<p style=display:none>hidden<p>seen") == "seen"  # a <p> ends the hidden <p>
    assert clean("<table><tr><td hidden>hidden<td>seen</table>") == "seen"  # the next cell ends it
    assert clean("<ul><li hidden>hidden<li>seen</ul>") == "seen"
    assert clean("<table style='display:none'><tr><td>hidden</td></tr>seen</table>") == "seen"  # moved out
    assert clean("<p><td style='display:none'>seen") == "seen"  # no table: the cell's tag is ignored
    assert clean("<div style=visibility:hidden>no <span style=visibility:visible>seen</span></div>") == "seen"
    assert clean("<div style=font-size:0>no <span style=font-size:14px>seen</span></div>") == "seen"
    assert clean("<div style='color:#fff;background:#000'>seen</div>") == "seen"  # white on black
    assert clean("<table><td style='background:url(sky.png)'><font color=white>seen</table>") == "seen"
    assert clean("<p style='color:#777'>seen</p>") == "seen"  # grey on white is read
    assert clean('<img alt="<!--">seen <a title="<script>">too</a>') == "seen too"  # in attributes: text
    assert clean("<p><script>'<!--'</script>seen</p>") == "seen"
    assert clean("<div style='display:none;display:block'>seen</div>") == "seen"  # the last one given wins
    assert clean("<div hidden style='display:block'>seen</div>") == "seen"  # a style overrides `hidden`
    assert clean("<div style='display:none!important;display:block'>x</div><p>seen") == "seen"
    assert clean("<div style='opacity:.5'>seen</div><div style='opacity:0.05'>x</div>") == "seen"


def test_colours_this_reader_cannot_read_hide_nothing():
    for value in ("rgb(nan, 0, 0)", "rgb(1e999, 0, 0)", "rgb(1)", "rgb()", "#abcde", "inherit",
                  "hsl(0, 0%, 100%)"):
        assert clean(f"<p style='color:{value}'>seen</p>") == "seen"
    assert clean("<p style='color:rgba(255, 255, 255, 0.5)'>hidden</p>") == ""  # white on white


def test_style_sheets_hide_only_what_they_plainly_hide():
    sheet = "<style>.h{display:none} .w{color:#fff}</style>"
    assert clean(sheet + "<p class=h>hidden</p><p class='a w'>hidden</p><p>seen</p>") == "seen"
    assert clean(sheet + "<p class=w style='color:#000'>seen</p>") == "seen"  # the inline style wins
    for unsure in ("<style>.h{display:none} .h{display:block}</style>",  # the last rule wins
                   "<style>.h{display:none} @media (min-width:1px) {.h{display:block}}</style>",
                   "<style>.h{display:none} div.h > p {color:red}</style>",  # a selector not weighed here
                   "<!-- <style>.h{display:none}</style> -->"):  # no style sheet at all
        assert clean(unsure + "<p class=h>seen</p>") == "seen"
    assert clean("<p class=h>seen</p><style>.h{display:none}</style>") == "seen"  # only sheets read before


def test_right_to_left_overrides_are_put_in_display_order():
    assert clean("Visit \u202elapyap\u202c now") == "Visit paypal now"
    assert clean("\u202eab\u202dcd\u202cef") == "fecdba"  # a left-to-right run inside stays in order
    assert clean("\u202e(ti) yap\nnext") == "pay (it)\nnext"  # brackets mirror; a line end closes the run
    assert clean("مرحبا بالعالم") == "مرحبا بالعالم"  # right-to-left text without overrides: as stored


def test_spaced_letters_join_but_prose_stays():
    assert clean("p a y p a l") == "paypal"
    assert clean("v.e.r.i.f.y your P-A-Y-P-A-L account") == "verify your PAYPAL account"
    assert clean("Call the U.S.A. office") == "Call the USA. office"  # initials join, harmlessly
    for prose in ("I a m", "Is it a b or a c?", "Plan A, B or C", "e.g. this, i.e. that", "1 2 3 4 5",
                  "x - y - z", "J. R. Smith", "Section 4.5.6 a", "a, b, c, d"):
        assert clean(prose) == prose


def test_quoted_text_is_read_when_it_is_all_there_is():
    assert clean("> You won a prize\n>> Claim it now") == "You won a prize\nClaim it now"
    assert clean("Sounds good.\n> You won a prize") == "Sounds good."  # a reply: the quote is not its text
    message = raw("Subject: Re: prize", b"On Mon, Sam wrote:\r\n> Claim your prize now")
    assert message_text(message) == "Re: prize\nClaim your prize now"


@pytest.mark.parametrize("blank", ["\u200b\u200c\u200d\ufeff" * 50, "\u00ad \u2060\n\u180e", "<p></p><br>",
                                   "<div hidden>not seen</div>", "<p><!-- x -->", "> \n>\n>>", " \n\t",
                                   "Subject: \n\n\u200b"])
def test_a_text_with_nothing_to_read_is_empty(blank):
    """What the service refuses as empty_text: clean() is "" and views() is []."""
    assert clean(blank) == "" and views(blank) == []


def test_a_message_with_nothing_to_read_has_no_views():
    assert message_views(raw("From: a@b.c", "\u200b\u200b".encode())) == []
    assert message_text(raw("From: a@b.c\nContent-Type: text/html", b"<div hidden>x</div>")) == ""


def _alternative(plain: bytes, markup: bytes) -> bytes:
    return raw('Subject: Your account\nContent-Type: multipart/alternative; boundary="x"',
               b"--x\r\nContent-Type: text/plain\r\n\r\n" + plain + b"\r\n"
               b"--x\r\nContent-Type: text/html\r\n\r\n" + markup + b"\r\n--x--\r\n")


def test_a_decoy_plain_alternative_does_not_hide_the_html():
    scam = SCAMS[1].encode()
    decoy = _alternative(b"Hi, the minutes of Tuesday's meeting are attached.", b"<p>" + scam + b"</p>")
    assert message_views(decoy) == ["Your account\nHi, the minutes of Tuesday's meeting are attached.",
                                    "Your account\n" + SCAMS[1]]
    assert message_text(decoy) == message_views(decoy)[0]  # training reads the main one
    pasted = decoy.decode().replace("\r\n", "\n")
    assert views(pasted) == message_views(decoy) and clean(pasted) == message_text(decoy)


@pytest.mark.parametrize("blank", [b"", b"\xe2\x80\x8b", b"> ", b"   \r\n  "])
def test_a_blank_plain_alternative_does_not_hide_the_html(blank):
    message = _alternative(blank, b"<p>" + SCAMS[1].encode() + b"</p>")
    assert message_text(message) == "Your account\n" + SCAMS[1]
    assert message_views(message) == [message_text(message)]


def test_the_same_reading_is_given_once():
    same = _alternative(b"Lunch at noon?", b"<p>Lunch at <b>noon</b>?</p>")
    assert message_views(same) == ["Your account\nLunch at noon?"]
    assert views("just a text") == ["just a text"]


# Issue 20 rows 1, 10 and 15: bounded work. Each input is read at two sizes: a reader linear in
# what it reads costs about 4 times as much for the larger, a quadratic one 16 times (the same
# loose comparison as tests/unit/test_parse_bounds.py, never a wall-clock limit).

def _cpu(work) -> float:
    times = []
    for _ in range(3):
        started = time.process_time()
        work()
        times.append(time.process_time() - started)
    return min(times)


HOSTILE = {
    "unterminated comments (row 1)": lambda n: "<p>" + "<!--a>" * (n // 6),
    "CDATA sections (row 1)": lambda n: "<p>" + "<![CDATA[a>" * (n // 11),
    "declarations": lambda n: "<p>" + "<!a" * (n // 3),
    "processing instructions": lambda n: "<p>" + "<?a" * (n // 3),
    "unterminated attribute values": lambda n: "<p>" + "<a b='" * (n // 6),
    "end tags without a name": lambda n: "<p>" + "</ a" * (n // 4),
    "nested elements, stray end tags": lambda n: "<p><table>" + "<b>" * (n // 6) + "</i><div>" * (n // 18),
    "cells and list items": lambda n: "<table>" + "<td hidden><li>" * (n // 15),
    "styles": lambda n: "<p>" + "<b style='color:#fff;/*" * (n // 22),
    "style sheets": lambda n: "<style>" + ".a{x:y} @media{" * (n // 16) + "</style><b class=a>" * (n // 22),
    "right-to-left overrides": lambda n: ("\u202e" + "ab\u202d" * 3) * (n // 10),
    "spaced letters": lambda n: "a " * (n // 2),
    "quote marks": lambda n: "> " * (n // 2),
}
N = 40_000


@pytest.mark.parametrize("recipe", HOSTILE)
def test_hostile_text_costs_no_more_than_its_size(recipe):
    small, large = HOSTILE[recipe](N), HOSTILE[recipe](4 * N)
    first, second = _cpu(lambda: clean(small)), _cpu(lambda: clean(large))
    assert second < 8 * first + 0.05, f"{first:.3f} s for {len(small)} chars, {second:.3f} s for {len(large)}"


def test_a_message_of_unterminated_comments_costs_no_more_than_its_size():
    def message(n: int) -> bytes:
        return raw("Subject: x\nContent-Type: text/html", b"<p>" + b"<!--a>" * (n // 6))
    small, large = message(N), message(4 * N)
    first, second = _cpu(lambda: message_text(small)), _cpu(lambda: message_text(large))
    assert second < 8 * first + 0.05, f"{first:.3f} s, then {second:.3f} s"


def test_text_is_cut_after_normalising():
    """Row 10: U+FDFA is 18 characters under NFKC. The text is cut to MAX_CHARS after normalising,
    and only as much is normalised as that takes: a text 16 times as long costs about the same."""
    for text in ("\ufdfa" * MAX_CHARS, "\u3300" * MAX_CHARS, "x" + "\u0301" * MAX_CHARS):
        assert len(clean(text)) <= MAX_CHARS
    assert len(clean("\ufdfa" * MAX_CHARS)) == MAX_CHARS
    short, long = "\ufdfa" * (MAX_CHARS // 64), "\ufdfa" * (MAX_CHARS // 4)
    first, second = _cpu(lambda: clean(short)), _cpu(lambda: clean(long))
    assert second < 3 * first + 0.05, f"{first:.3f} s, then {second:.3f} s"


@pytest.mark.parametrize("seed", range(20))
def test_piecewise_normalisation_is_normalisation(seed):
    """NFKC applied piece by piece gives what NFKC of the whole gives, composing characters at
    the cuts included (Hangul jamo, combining marks, Indic vowel signs)."""
    rng = random.Random(seed)
    alphabet = ("a e\u0301\u0323\ufdfa\u3300\u1100\u1161\u11a8\uac00\u0cc6\u0cc2\u0915\u093c\u212b\ufb01"
                "\uff21\u3099\u304b")
    text = "".join(rng.choice(alphabet) for _ in range(30_000))
    assert glyphs.nfkc(text) == unicodedata.normalize("NFKC", text)[:MAX_CHARS]


# Issue 24: the table of invisible characters is a literal, checked here against unicodedata.

def test_the_format_character_table_is_unicodes():
    assert unicodedata.unidata_version == glyphs.UNIDATA_VERSION
    assert format_chars.ranges() == glyphs.FORMAT_RANGES
    assert format_chars.main(["--check"]) == 0


def test_importing_mail_reads_no_unicode_table():
    """`import function.mail` calls unicodedata.category on no code point (it did on all 1,114,112:
    90 ms of every cold start)."""
    probe = ("import unicodedata\ncalls = []\ncategory = unicodedata.category\n"
             "unicodedata.category = lambda c: calls.append(c) or category(c)\n"
             "import function.mail\nprint(len(calls))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.stdout.strip() == "0"


CSS_PIECES = ["display", "none", "visibility", "hidden", "visible", "opacity", "font-size", "color",
              "background", "bgcolor", "width", "max-height", "overflow", ":", ";", "!important", "/*",
              "*/", "{", "}", "@media", ".a", "#", "#fff", "rgb(", ")", "rgba(", "nan", "1e999",
              "rgb(nan,1e999,0)", "0", "0.0", "1px", "-1", "%", "em", "url(", ",", " ", "'", '"', "=", "<",
              ">", "&#0;", "\x00"]
CSS = st.lists(st.sampled_from(CSS_PIECES), max_size=20).map("".join)


TAGS = st.sampled_from(["p", "div", "td", "tr", "table", "li", "span", "font", "style", "b"])
ATTRIBUTES = st.sampled_from(["style", "class", "color", "bgcolor", "hidden", "background"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(TAGS, ATTRIBUTES, CSS, CSS), max_size=8))
def test_any_styles_and_sheets_give_text(elements):
    markup = "".join(f"<{tag} {name}='{value}'>{text}" for tag, name, value, text in elements)
    assert isinstance(html_to_text(markup), str)
    assert isinstance(clean("<p>" + markup), str)
