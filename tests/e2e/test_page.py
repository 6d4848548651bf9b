"""The browser page (GET /) in a real headless Chromium (Debian's), driven by Playwright.

Playwright cannot download its own browsers here, so it launches /usr/bin/chromium
(CHROMIUM overrides the path). The desktop test saves docs/page.png for the README.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.support import HAM, ROOT, SCAM, call

sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (from PyPI)")
expect = sync_api.expect

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOT = ROOT / "docs" / "page.png"
REASONS_SCREENSHOT = ROOT / "docs" / "page-reasons.png"
SHOWN = "#result:not([hidden]), #error:not([hidden])"


@pytest.fixture(scope="module")
def browser() -> Iterator:
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install -y chromium (Debian's package)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser, base_url: str) -> Iterator:
    """open_page(**context options) -> a fresh page at GET /; fails the test on a script error."""
    contexts, problems = [], []

    def factory(**options):
        context = browser.new_context(**options)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
        page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
        page.goto(base_url + "/")
        return page

    yield factory
    for context in contexts:
        context.close()
    assert not problems


@pytest.fixture(scope="module")
def model(base_url: str) -> dict:
    return call(base_url + "/readyz").json()["model"]


def api_answer(base_url: str, text: str, **options) -> dict:
    reply = call(base_url + "/predict", "POST", json.dumps({"text": text, **options}).encode(),
                 {"Content-Type": "application/json"})
    return reply.json()


def percent(share: float) -> int:
    """A share as the page shows it: JavaScript's Math.round, which rounds halves up (86.5 -> 87)
    where Python's round() rounds them to even (86)."""
    return math.floor(share * 100 + 0.5)


def api_percent(base_url: str, text: str) -> int:
    return percent(api_answer(base_url, text)["score"])


def band_edges(answer: dict) -> tuple[float, float]:
    """The answer's uncertain band, or, while the contract has none, the threshold ± 0.1."""
    cut = answer["threshold"]
    return tuple(answer.get("uncertain") or (max(0, cut - 0.1), min(1, cut + 0.1)))


def expected_band(answer: dict) -> str:
    lo, hi = band_edges(answer)
    score = answer["score"]
    return answer.get("band") or ("not_scam" if score < lo else "scam" if score > hi else "uncertain")


def uncertain_text(base_url: str) -> str:
    """A real e-mail the model is unsure of: HAM with more and more of SCAM's words, bisected
    until its score lies in the uncertain band."""
    words = SCAM.split()
    low, high = 0, len(words)
    for _ in range(12):
        middle = (low + high) // 2
        text = HAM + " " + " ".join(words[:middle])
        answer = api_answer(base_url, text)
        band = expected_band(answer)
        if band == "uncertain":
            return text
        low, high = (middle, high) if band == "not_scam" else (low, middle)
    raise AssertionError("no text between HAM and SCAM lies in the uncertain band")


def gauge_position(page, selector: str) -> float:
    return float(page.eval_on_selector(selector, "n => parseFloat(n.style.left)"))


def check(page, text: str) -> str:
    page.fill("#text", text)
    page.click("#check")
    return shown(page)


def shown(page) -> str:
    """What the page shows once an answer came (it hides the last one on submit)."""
    page.wait_for_selector(SHOWN, timeout=15_000)
    return page.locator(SHOWN).inner_text()


def eml(subject: str, body: str, html: bool = False) -> bytes:
    """A real message as a mail program saves it: MIME, base64 body, in an .eml file."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "sender@example.net", "you@example.com", subject
    if html:
        message.set_content(f"<html><body><p>{body}</p></body></html>", subtype="html", cte="base64")
    else:
        message.set_content(body, cte="base64")
    return message.as_bytes()


def test_page_is_self_contained(base_url):
    reply = call(base_url + "/")
    assert reply.status == 200
    assert reply.headers["content-type"] == "text/html; charset=utf-8"
    html = reply.body.decode()
    for external in ("http:", "https:", "src=", "url(", "@import"):
        assert external not in html, external
    assert re.findall(r'href="([^"]*)"', html) == ["data:,"]  # the empty favicon, nothing fetched
    policy = reply.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "connect-src 'self'" in policy
    assert "'unsafe-inline'" not in policy  # the inline script and style are allowed by hash
    assert call(base_url + "/", "PUT", b"x").status == 405


def test_scam_and_legitimate_mail_get_their_verdicts(open_page, model, base_url):
    page = open_page(viewport={"width": 900, "height": 760})
    assert page.title() == "Scam check"
    result = check(page, SCAM)
    assert page.inner_text("#verdict") == "Scam"
    assert f"Scam score: {api_percent(base_url, SCAM)}%" in result
    assert f"Model {model['name']}, version {model['version']}" in result
    # The score as a visual: the needle stands where the score is on the gauge, the threshold
    # is marked on it, and the uncertain band around it is a colour of its own.
    answer = api_answer(base_url, SCAM)
    lo, hi = band_edges(answer)
    assert gauge_position(page, "#needle") == pytest.approx(answer["score"] * 100, abs=0.01)
    assert gauge_position(page, "#cut") == pytest.approx(answer["threshold"] * 100)
    assert gauge_position(page, "#cut-label") == gauge_position(page, "#cut")
    assert page.inner_text("#cut-label") == f"threshold {percent(answer['threshold'])}%"
    edges = page.eval_on_selector(".gauge", "g => [g.style.getPropertyValue('--lo'), "
                                            "g.style.getPropertyValue('--hi')]")
    assert [float(edge.removesuffix("%")) for edge in edges] == pytest.approx([lo * 100, hi * 100])
    assert f"from {percent(lo)}% to {percent(hi)}% the check is uncertain" in result
    assert page.get_attribute("#result", "class") == "scam"

    assert f"Scam score: {api_percent(base_url, HAM)}%" in check(page, HAM)
    assert page.inner_text("#verdict") == "Not a scam"
    assert gauge_position(page, "#needle") < lo * 100
    assert page.get_attribute("#result", "class") == "not_scam"

    check(page, SCAM)  # once more, for the README's picture
    page.locator("#text").evaluate("box => box.scrollTop = 0")
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    assert SCREENSHOT.read_bytes().startswith(b"\x89PNG") and SCREENSHOT.stat().st_size > 10_000


def test_a_score_near_the_threshold_is_uncertain(open_page, base_url):
    page = open_page()
    doubtful = uncertain_text(base_url)
    answer = api_answer(base_url, doubtful)
    check(page, doubtful)
    assert page.inner_text("#verdict") == "Uncertain"
    assert "check with the sender another way" in page.inner_text("#verdict-note")
    assert page.get_attribute("#result", "class") == "uncertain"
    lo, hi = band_edges(answer)
    assert lo * 100 <= gauge_position(page, "#needle") <= hi * 100
    # The verdict is the same on the page and in the API, whichever side of the threshold it lies.
    assert expected_band(answer) == "uncertain"


def test_the_answers_own_band_and_uncertain_range_win(open_page, base_url):
    """Once the API says `band` and `uncertain`, the page shows those, not its own estimate."""
    page = open_page()

    def with_band(route):
        answer = route.fetch().json()
        answer.update(band="uncertain", uncertain=[0.05, 0.999])
        route.fulfill(json=answer)

    page.route("**/predict", with_band)
    check(page, SCAM)
    assert page.inner_text("#verdict") == "Uncertain"
    assert "from 5% to 100% the check is uncertain" in page.inner_text("#score")


WORDS = re.compile(r"(raised|lowered) the scam score (a lot|a little)")


def test_reasons_are_marked_in_the_pasted_text_in_words(open_page, base_url):
    pasted = "Hello 😀 friend,\n\n" + SCAM
    page = open_page(viewport={"width": 900, "height": 1000})
    check(page, pasted)
    expected = api_answer(base_url, pasted, explain="all")["reasons"]
    marks = page.locator("#marked mark")
    assert marks.count() == len(expected) > 0
    assert any(r["weight"] < 0 for r in expected) and any(r["weight"] > 0 for r in expected)
    assert page.inner_text("#marked") == pasted.replace("\r\n", "\n")  # the whole text, nothing lost
    assert page.inner_text("#why-title") == "Why"
    shown = sorted(expected, key=lambda r: r["start"])
    for i, reason in enumerate(shown):  # offsets in code points: the emoji before them shifts nothing
        mark = marks.nth(i)
        assert mark.inner_text() == reason["text"]
        words = ("raised" if reason["weight"] > 0 else "lowered") + " the scam score " + \
            ("a lot" if abs(reason["weight"]) >= 0.5 else "a little")
        assert mark.get_attribute("title") == words  # in words, no log-odds
        assert mark.get_attribute("aria-label") == f"{reason['text']}: {words}"
        assert mark.get_attribute("class") == ("up" if reason["weight"] > 0 else "down")
        assert mark.evaluate("m => getComputedStyle(m).textDecorationLine") == "underline"  # not colour alone
    assert "log-odds" not in page.inner_text("main")
    page.focus("#file")
    page.keyboard.press("Tab")  # the next stop after the form is the first mark
    assert page.evaluate("document.activeElement.textContent") == shown[0]["text"]
    page.screenshot(path=str(REASONS_SCREENSHOT), full_page=True)
    assert REASONS_SCREENSHOT.stat().st_size > 10_000


def test_a_pasted_emails_links_and_sender_are_shown_in_words(open_page):
    from tests.unit.test_signals import PHISH

    page = open_page()
    check(page, PHISH)
    items = page.locator("#signals li")
    assert page.is_visible("#checks") and items.count() == 3
    assert items.nth(1).inner_text() == "The link says www.paypal.com and goes to paypa1-secure.example."
    assert items.nth(0).inner_text().startswith("The sender calls itself PayPal Service")
    check(page, SCAM)  # a text that is not a message: nothing of the kind to show
    assert not page.is_visible("#checks")


def test_reasons_on_a_legitimate_verdict_are_neutral(open_page, base_url):
    page = open_page()
    check(page, SCAM)
    alarm = page.locator("#marked mark.up").first.evaluate("m => getComputedStyle(m).backgroundColor")
    check(page, HAM)
    assert page.inner_text("#verdict") == "Not a scam"
    expected = api_answer(base_url, HAM, explain="all")["reasons"]
    assert page.locator("#marked mark").count() == len(expected) > 0
    assert page.inner_text("#why-title") == "What the check weighed"
    assert "none was enough to make this e-mail look like a scam" in page.inner_text("#why-hint")
    for i in range(page.locator("#marked mark").count()):
        mark = page.locator("#marked mark").nth(i)
        assert mark.evaluate("m => getComputedStyle(m).backgroundColor") != alarm
        assert WORDS.fullmatch(mark.get_attribute("title"))


def rfc822_answer(base_url: str, raw: bytes) -> dict:
    return call(base_url + "/predict", "POST", raw, {"Content-Type": "message/rfc822"}).json()


def test_dropped_and_chosen_eml_files(open_page, tmp_path, base_url):
    page = open_page()
    scam = eml("URGENT BUSINESS PROPOSAL", SCAM, html=True)
    assert SCAM.encode() not in scam  # base64: only the function's MIME parsing can read it
    transfer = page.evaluate_handle(
        """([name, bytes]) => {
             const transfer = new DataTransfer();
             transfer.items.add(new File([new Uint8Array(bytes)], name, {type: "message/rfc822"}));
             return transfer;
           }""", ["proposal.eml", list(scam)])
    page.dispatch_event("#text", "dragover", {"dataTransfer": transfer})
    page.dispatch_event("#text", "drop", {"dataTransfer": transfer})
    assert "proposal.eml" in page.inner_text("#chosen")
    page.click("#check")
    assert shown(page).startswith("Scam")
    # The same verdict and score as the function gives the file itself, and reasons: the page
    # undoes the base64 so that they can point into the body.
    assert f"Scam score: {percent(rfc822_answer(base_url, scam)['score'])}%" in shown(page)
    marks = page.locator("#marked mark")
    assert marks.count() >= 3
    for i in range(marks.count()):
        assert marks.nth(i).inner_text() in SCAM + " URGENT BUSINESS PROPOSAL"
    assert SCAM[:60] in page.inner_text("#marked")

    ham = tmp_path / "build.eml"
    raw = eml("Re: RPM build", HAM.replace("Thanks", "Merci beaucoup, danke schön"))
    ham.write_bytes(raw)
    page.set_input_files("#file", str(ham))
    assert "build.eml" in page.inner_text("#chosen")
    page.click("#check")
    assert shown(page).startswith("Not a scam")
    assert f"Scam score: {percent(rfc822_answer(base_url, raw)['score'])}%" in shown(page)
    assert "danke schön" in page.inner_text("#marked")  # base64 of UTF-8, decoded as UTF-8

    printable = EmailMessage()  # quoted-printable Latin-1, as older mail programs save it
    printable["Subject"] = "Re: RPM build"
    printable.set_content(HAM.replace("Thanks", "Grüße"), charset="iso-8859-1", cte="quoted-printable")
    raw = printable.as_bytes()
    assert b"=FC=DF" in raw and "Grüße".encode() not in raw
    (tmp_path / "printable.eml").write_bytes(raw)
    page.set_input_files("#file", str(tmp_path / "printable.eml"))
    page.click("#check")
    assert f"Scam score: {percent(rfc822_answer(base_url, raw)['score'])}%" in shown(page)
    assert "Grüße, Dave" in page.inner_text("#marked")

    latin = tmp_path / "latin.eml"  # not UTF-8: sent as the raw message, verdict without reasons
    latin.write_bytes(b"Subject: Re: RPM build\nContent-Type: text/plain; charset=iso-8859-1\n\n"
                      + HAM.replace("Thanks", "Gr\u00fc\u00dfe").encode("latin-1"))
    page.set_input_files("#file", str(latin))
    page.click("#check")
    assert shown(page).startswith("Not a scam")
    assert page.is_hidden("#why")

    page.fill("#text", SCAM)  # typing puts the box's text back in charge
    assert page.inner_text("#chosen") == ""
    page.click("#check")
    expect(page.locator("#verdict")).to_have_text("Scam")


def test_api_errors_are_shown_in_words(open_page):
    page = open_page()
    message = check(page, "   \n  ")
    assert page.is_hidden("#result")
    assert message == "The service refused this e-mail: text is empty (HTTP 400)."

    message = check(page, "x" * ((1 << 20) + 10))
    assert "larger than 1048576 bytes (HTTP 413)" in message

    check(page, HAM)  # a good answer replaces the error
    assert page.is_hidden("#error") and page.inner_text("#verdict") == "Not a scam"


def test_front_end_refusals_and_lost_connections_are_shown_in_words(open_page):
    page = open_page()
    # Google's front end answers a private function's unauthenticated callers with an HTML
    # page: it cannot run here, so Playwright answers in its place.
    page.route("**/predict", lambda route: route.fulfill(
        status=403, content_type="text/html", body="<html><body>Error: Forbidden</body></html>"))
    assert check(page, SCAM) == "The service answered HTTP 403 Forbidden."
    page.unroute("**/predict")
    page.route("**/predict", lambda route: route.abort("connectionrefused"))
    assert "could not be reached" in check(page, SCAM)


def test_keyboard_only(open_page):
    page = open_page()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "text"
    page.keyboard.insert_text(SCAM)
    page.keyboard.press("Control+Enter")
    assert shown(page).startswith("Scam")

    page.fill("#text", HAM)
    page.focus("#text")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "check"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # the focus is visible
    page.keyboard.press("Enter")
    expect(page.locator("#verdict")).to_have_text("Not a scam")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "file"
    # The verdict is announced: it sits in a live region.
    assert page.get_attribute("#result", "aria-live") == "polite"
    assert page.get_attribute("#error", "role") == "alert"


def test_phone_viewport(open_page):
    page = open_page(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True,
                     device_scale_factor=2)
    page.tap("#text")
    page.fill("#text", SCAM)
    page.tap("#check")
    assert shown(page).startswith("Scam")
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], "the page scrolls sideways on a phone"
    assert page.locator("#check").bounding_box()["height"] >= 44  # a finger-sized target
    font = page.eval_on_selector("#text", "box => parseFloat(getComputedStyle(box).fontSize)")
    assert font >= 16  # smaller text makes phones zoom into the box
    assert page.locator("#verdict").is_visible()


def test_works_behind_a_path_prefix(browser, base_url):
    """Deployed at https://REGION-PROJECT.cloudfunctions.net/scam, the page is /scam, not /."""
    context = browser.new_context()
    try:
        page = context.new_page()
        prefix = base_url + "/scam"
        forwarded = []

        def strip_prefix(route):
            path = route.request.url.removeprefix(prefix) or "/"
            forwarded.append(path)
            route.fulfill(response=route.fetch(url=base_url + path))

        page.route(prefix + "**", strip_prefix)
        page.goto(prefix)
        assert check(page, SCAM).startswith("Scam")
        assert forwarded == ["/", "/predict"]
    finally:
        context.close()
