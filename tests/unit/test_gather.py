"""export.gather: its readers and filters on tiny messages written here, and one build from a
git repository the test makes itself (no mirror, no network)."""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from pathlib import Path

from export import gather
from export.gather import Message, Skipped, Spec, Templates

WORDS = ("Your order has shipped and is on its way to you. You can track the parcel with the link "
         "below, and we will let you know when it has been delivered to your door.")


def spec(**changes) -> Spec:
    fields = dict(corpus="c", repo="o/r", commit="0" * 40, paths=".", reader="eml", licence="MIT",
                  years="2024")
    return Spec(**(fields | changes))


def test_eml_prefers_the_plain_part_and_falls_back_to_visible_html() -> None:
    both = (b"Subject: Shipped\nMIME-Version: 1.0\nContent-Type: multipart/alternative; boundary=b\n\n"
            b"--b\nContent-Type: text/plain\n\nplain words\n"
            b"--b\nContent-Type: text/html\n\n<p>html words</p>\n--b--\n")
    html_only = b"Subject: Sale\nContent-Type: text/html\n\n<style>p{}</style><p>Half <b>price</b></p>"
    [plain] = gather.read_eml("a.eml", both)
    [markup] = gather.read_eml("b.eml", html_only)
    assert (plain.subject, plain.body.strip()) == ("Shipped", "plain words")
    assert (markup.subject, " ".join(markup.body.split())) == ("Sale", "Half price")


def test_nazario_rows_outside_2015_2020_are_skipped_before_their_text_is_read() -> None:
    data = (b"sender,receiver,date,subject,body,urls,label\n"
            b'a,b,"Fri, 30 Oct 2015 00:00:48 -0500",Verify,old body,0,1\n'
            b'a,b,"Mon, 3 Jan 2022 10:00:00 +0000",Recent,evaluation only,0,1\n'
            b"a,b,,No date,undated,0,1\n")
    items = list(gather.read_nazario("n.csv", data))
    kept = [i for i in items if isinstance(i, Message)]
    assert [(m.subject, m.body) for m in kept] == [("Verify", "old body")]
    assert [i.reason for i in items if isinstance(i, Skipped)] == ["outside_2015_2020", "no_date"]


def test_templates_are_filled_once_with_their_first_branch() -> None:
    handlebars = ("Subject: Hi {{user.name}}\n{{> header}}\n{{#if inviter}}Sent by {{inviterEmail}}."
                  "{{else}}Sent by us.{{/if}}\nPaid {{{amount}}} on {{formatDate createdAt}}.\n{{> footer}}")
    [m] = gather.read_template("t.hbs", handlebars.encode())
    assert m.subject == "Hi Alex Morgan"
    assert " ".join(m.body.split()) == "Sent by alex@example.com. Paid $25.00 on March 3, 2025."
    django = ('{% load i18n %}{% blocktrans %}Reset at {{ password_reset_url }}{% endblocktrans %}'
              '{% if username %} You are {{ username|safe }}.{% endif %} {% trans "Thanks!" %}')
    [m] = gather.read_template("t.txt", django.encode())
    assert " ".join(m.body.split()) == "Reset at https://example.com/account You are Alex Morgan. Thanks!"


def test_markdown_issue_gets_its_title_and_links_as_text() -> None:
    issue = b"Title: This Week in Rust 1\nDate: 2016-06-06\n\n## News\n* [Release](https://ex.org/r) is out\n"
    [m] = gather.read_markdown("content/2016-06-06-twir.md", issue)
    assert m.subject == "This Week in Rust 1"
    assert m.body.split() == ["News", "*", "Release", "(https://ex.org/r)", "is", "out"]


def test_accept_drops_tiny_foreign_duplicate_and_over_cap_templates_and_replaces_addresses() -> None:
    items = ("lamp", "desk", "chair", "rug", "mug", "sofa", "bed")  # one template, a word apart
    orders = [Message(f"o{i}", f"Order {i} shipped", f"Hi jose, your {item} (order {i}). {WORDS}")
              for i, item in enumerate(items)]
    messages = [
        Message("tiny", "Hi", "Thanks!"),
        Message("de", "Bestellung", "Ihre Bestellung ist unterwegs und wird bald bei Ihnen sein, " * 5),
        orders[0], Message("dup", "Order 0 shipped", f"Hi   jose, your lamp (order 0). {WORDS}"), *orders[1:],
    ]
    counts: Counter = Counter()
    source = spec(replace=((r"\bjose\b", "user"),))
    rows = list(gather.accept(iter(messages), source, set(), Templates(), counts))
    assert len(rows) == gather.TEMPLATE_CAP == counts["kept"]
    assert (counts["dropped_tiny"], counts["dropped_non_english"], counts["dropped_duplicate"],
            counts["dropped_template_cap"]) == (1, 1, 1, 2)
    assert rows[0]["text"].startswith("Subject: Order 0 shipped\n\nHi user, your lamp (order 0).")
    assert rows[0] | {"text": ""} == {"text": "", "label": "legit", "source": "c",
                                      "id": "o/r@000000000000:o0"}


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def test_a_corpus_is_built_from_the_pinned_commit_only(tmp_path: Path) -> None:
    work = tmp_path / "work"
    (work / "mail").mkdir(parents=True)
    (work / "mail" / "a.eml").write_text(f"Subject: Shipped\n\n{WORDS}\n")
    git(work, "init", "-q")
    git(work, "-c", "user.name=t", "-c", "user.email=t@example.com", "add", ".")
    git(work, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "one")
    pinned = git(work, "rev-parse", "HEAD")
    (work / "mail" / "b.eml").write_text(f"Subject: Later\n\n{WORDS} Later.\n")
    git(work, "-c", "user.name=t", "-c", "user.email=t@example.com", "add", ".")
    git(work, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "two")
    mirrors = tmp_path / "mirrors"
    (mirrors / "o+r").mkdir(parents=True)
    (work / ".git").rename(mirrors / "o+r" / "repo")
    specs = [spec(corpus="email_nazario_2015_2020", commit=pinned, paths=r"\.eml$")]
    out = tmp_path / "out"
    kept, labels = gather.write("email_nazario_2015_2020", specs, mirrors, out)
    folder = out / "email_nazario_2015_2020"
    rows = [json.loads(line) for line in (folder / "email_nazario_2015_2020.jsonl").open()]
    assert (kept, labels["legit"]) == (1, 1)
    assert rows[0]["text"] == f"Subject: Shipped\n\n{WORDS}"
    readme = (folder / "README.md").read_text()
    assert "## Licence\nCC BY 4.0\n" in readme and pinned in readme
