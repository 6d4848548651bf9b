"""What a careful reader checks beside the words (function/signals.py, issue 19 point 2): a link that
goes elsewhere than its text says, a sender whose name claims a brand its address does not belong
to. Shown with the reasons, in words; the score does not use them."""

from __future__ import annotations

import pytest

from function import markup, mime, signals
from function.contract import Signal

PHISH = """From: PayPal Service <service@paypa1-secure.example>
Subject: Your account is limited
MIME-Version: 1.0
Content-Type: text/html; charset=utf-8

<html><body><p>Dear customer, confirm your details at
<a href="https://paypa1-secure.example/login">www.paypal.com</a> or
<a href="http://203.0.113.9/x">Log in to PayPal</a>.</p>
<div style="display:none"><a href="https://hidden.example/">www.paypal.com</a></div></body></html>
"""
RECEIPT = """From: PayPal <service@paypal.co.uk>
Subject: Receipt for your payment
MIME-Version: 1.0
Content-Type: text/html; charset=utf-8

<html><body><p>You sent a payment of 14.95 GBP. See it on
<a href="https://www.paypal.co.uk/activity">paypal.co.uk</a> or
<a href="https://click.e.paypal.co.uk/t/123">Log in to PayPal</a>;
<a href="https://shop.example/help">Help</a>.</p></body></html>
"""


def test_a_link_that_goes_elsewhere_and_a_sender_that_is_not_the_brand():
    found = signals.of_message(mime.parse(PHISH.encode()))
    assert found == (Signal("sender_not_brand", "PayPal Service", "service@paypa1-secure.example"),
                     Signal("link_elsewhere", "www.paypal.com", "paypa1-secure.example"),
                     Signal("link_elsewhere", "PayPal", "203.0.113.9"))
    assert found[1].to_json()["text"] == "the link says www.paypal.com and goes to paypa1-secure.example"


def test_a_sender_on_a_hyphenated_imitation_of_the_brand():
    assert signals.sender_signal("PayPal <service@paypal-secure.example>") == Signal(
        "sender_not_brand", "PayPal", "service@paypal-secure.example")
    assert signals.sender_signal("Microsoft <no-reply@microsoftonline.com>") is None


def test_the_brands_own_mail_and_its_tracking_links_raise_nothing():
    assert signals.of_message(mime.parse(RECEIPT.encode())) == ()


@pytest.mark.parametrize(("href", "text", "fires"), [
    ("https://paypal.com.verify.example/", "paypal.com", True),  # the brand among another owner's words
    ("https://secure-paypa1.example/", "PayPal", True),  # one letter off
    ("https://paypal-secure.example/", "www.paypal.com", True),  # the brand hyphenated into another name
    ("https://www.amazonses.com/x", "amazon.com", False),  # a brand's own compound
    ("https://clickthru.online.com/r?x", "dilbert.com", False),  # a newsletter's redirect imitates nothing
    ("https://applecore.lockergnome.com/", "Apple", False),  # a word that only starts with the brand
    ("https://www.paypal.com/", "Log in to PayPal", False),
])
def test_a_link_is_flagged_when_its_host_imitates_what_its_text_names(href: str, text: str, fires: bool):
    assert (signals.link_signal(href, text) is not None) == fires


@pytest.mark.parametrize(("host", "owner"), [
    ("mail.paypal.co.uk", "paypal.co.uk"), ("a.b.example.com", "example.com"), ("paypal.com", "paypal.com"),
    ("x.gov.uk", "x.gov.uk")])
def test_the_registrable_part_of_a_host(host: str, owner: str):
    assert signals.registrable(host) == owner


@pytest.mark.parametrize("href", ["mailto:a@paypal.com", "/relative", "#top", "http://[::1",
                                  "javascript:void(0)"])
def test_links_without_a_host_raise_nothing(href: str):
    assert signals.link_signal(href, "www.paypal.com") is None


def test_the_links_read_are_bounded_and_only_those_shown():
    soup = '<a href="https://a.example/">b.example</a>' * 50_000
    found = markup.links(soup)
    assert len(found) == markup.MAX_LINKS and found[0] == ("https://a.example/", "b.example")
    assert markup.links('<a href="x">a</a><span hidden><a href="y">b</a></span>') == [("x", "a")]


SMISH = "USPS: your parcel is held, pay the $1.99 customs fee at usps-redelivery.com/pay"


@pytest.mark.parametrize(("text", "expected"), [
    (SMISH, (Signal("names_brand_links_elsewhere", "USPS", "usps-redelivery.com"),)),
    ("Your Amazon order has shipped: track it at https://www.amazon.co.uk/track", ()),
    ("PayPal is in the news again, see bbc.co.uk/news for the story", ()),  # a link that imitates nothing
    ("Verify your PayPal account at http://198.51.100.7/login now", (
        Signal("names_brand_links_elsewhere", "PayPal", "198.51.100.7"),)),
    ("see usps-redelivery.com/pay", ()),  # no brand named: nothing to compare the link with
    ("x" * 300_000 + " PayPal paypal-login.example", ()),  # read within MAX_CHARS only
    ("Apple's Swift packages: apple.github.io/swift-argument-parser", ()),  # a brand's own page on a host
    ("Apple: log in at apple-id-verify.github.io", (
        Signal("names_brand_links_elsewhere", "Apple", "apple-id-verify.github.io"),)),
    ("Apple drops 32-bit targets: see reducing-support-for-apple-targets.html", ()),  # a file, not a host
    ("Google groups moved to mail.haskell.org", ()),  # "mail" is not one letter off "gmail"
])
def test_a_text_that_names_a_brand_and_links_to_an_imitation(text: str, expected: tuple):
    assert signals.of_text(text) == expected
    if expected:
        assert expected[0].to_json()["text"].startswith(f"the text names {expected[0].says} and links to ")
