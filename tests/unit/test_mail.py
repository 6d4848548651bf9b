"""What the model sees: function.mail, shared by training and serving."""

from function.mail import MAX_PARTS, clean, html_to_text, message_text


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
