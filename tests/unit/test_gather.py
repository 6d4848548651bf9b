"""export.mailfiles readers and export.gather filters on tiny messages written here, and one build
from a git repository the test makes itself (no mirror, no network)."""

from __future__ import annotations

import json
import re
import subprocess
from collections import Counter
from pathlib import Path

from export import gather, mailfiles
from export.gather import Spec, Templates
from export.mailfiles import Message, Skipped

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
    [plain] = mailfiles.read_eml("a.eml", both)
    [markup] = mailfiles.read_eml("b.eml", html_only)
    assert (plain.subject, plain.body.strip()) == ("Shipped", "plain words")
    assert (markup.subject, " ".join(markup.body.split())) == ("Sale", "Half price")


def test_nazario_rows_outside_2015_2020_are_skipped_before_their_text_is_read() -> None:
    data = (b"sender,receiver,date,subject,body,urls,label\n"
            b'a,b,"Fri, 30 Oct 2015 00:00:48 -0500",Verify,old body,0,1\n'
            b'a,b,"Mon, 3 Jan 2022 10:00:00 +0000",Recent,evaluation only,0,1\n'
            b"a,b,,No date,undated,0,1\n")
    items = list(mailfiles.read_nazario("n.csv", data))
    kept = [i for i in items if isinstance(i, Message)]
    assert [(m.subject, m.body) for m in kept] == [("Verify", "old body")]
    assert [i.reason for i in items if isinstance(i, Skipped)] == ["outside_2015_2020", "no_date"]


def test_templates_are_filled_once_with_their_first_branch() -> None:
    handlebars = ("Subject: Hi {{user.name}}\n{{> header}}\n{{#if inviter}}Sent by {{inviterEmail}}."
                  "{{else}}Sent by us.{{/if}}\nPaid {{{amount}}} on {{formatDate createdAt}}.\n{{> footer}}")
    [m] = mailfiles.read_template("t.hbs", handlebars.encode())
    assert m.subject.removeprefix("Hi ") in mailfiles.NAMES
    sent = re.fullmatch(r"Sent by (\S+)\. Paid (\S+) on (.+)\.", " ".join(m.body.split()))
    assert sent and re.fullmatch(r"[\w.]+@example\.(com|org|net)", sent.group(1))
    assert (sent.group(2), sent.group(3)) in {(a, d) for a in mailfiles.SUMS for d in mailfiles.DATES}
    django = ('{% load i18n %}{% blocktrans %}Reset at {{ password_reset_url }}{% endblocktrans %}'
              '{% if username %} You are {{ username|safe }}.{% endif %} {% trans "Thanks!" %}')
    [m] = mailfiles.read_template("t.txt", django.encode())
    text = " ".join(m.body.split())
    assert re.fullmatch(r"Reset at https://example\.com/account You are (.+)\. Thanks!", text)


def test_fills_vary_between_messages_and_agree_within_one() -> None:
    def name_in(path: str) -> str:
        mailfiles.SALT.set(path)
        template = b"Subject: For {{user.name}}\nDear {{user.name}}, welcome aboard."
        [m] = mailfiles.read_template(path, template)
        assert m.body == f"Dear {m.subject.removeprefix('For ')}, welcome aboard."
        return m.subject
    names = {name_in(f"mail/{i}.hbs") for i in range(40)}
    assert len(names) > 3 and {n.removeprefix("For ") for n in names} <= set(mailfiles.NAMES)
    assert name_in("mail/7.hbs") == name_in("mail/7.hbs")


def test_other_template_languages_become_text() -> None:
    magento = (b"<!--@subject Your {{var store.getFrontendName()}} order @-->\n<!--@vars {} @-->\n"
               b"{{template config_path=\"design/email/header\"}}"
               b"<p>Thank you!{{depend note}} Note.{{/depend}}</p>")
    [m] = mailfiles.read_template("order_new.html", magento)
    assert m.subject.removeprefix("Your ").removesuffix(" order") in ("Acme Shop", "Northwind Store",
                                                                       "Harbor Outfitters")
    assert " ".join(m.body.split()) == "Thank you! Note."
    toolkit = b"[% IF urgent ~%]\nSubject: Urgent\n[%~ ELSE ~%]\nSubject: Routine\n[%~ END %]\nYour report.\n"
    [m] = mailfiles.read_template("alert.txt", toolkit)
    assert (m.subject, m.body.strip()) == ("Urgent", "Your report.")
    phpbb = (b"Subject: Reply in {TOPIC_TITLE}\nList-Unsubscribe: <{U_STOP}>\n\n"
             b"Hello<!-- IF A --> you<!-- ENDIF -->.")
    [m] = mailfiles.read_template("topic_notify.txt", phpbb)
    assert m.subject.startswith("Reply in ") and m.body.strip() == "Hello you."


def test_catalogues_and_components_become_messages() -> None:
    smf = b"$txt['welcome_subject'] = 'Welcome';\n$txt['welcome_body'] = 'It\\'s {FORUMNAME} time.';\n"
    [m] = mailfiles.read_php_strings("EmailTemplates.php", smf)
    assert (m.id, m.subject) == ("EmailTemplates.php#welcome", "Welcome")
    assert re.fullmatch(r"It's (.+) time\.", m.body.strip())
    icu = json.dumps({"poll_subject": "New poll {title}", "poll_heading": "A poll", "poll_preview": "p",
                      "poll_text": "Vote <b>now</b>", "lonely_note": "no subject"}).encode()
    [m] = mailfiles.read_i18n_json("emails.json", icu)
    assert m.subject.startswith("New poll ") and m.body.split("\n\n") == ["A poll", "Vote now"]
    xml = (b"<MessageTemplate><Subject>Hi {{ Customer.FullName }}</Subject>"
           b"<Body><![CDATA[<p>Thanks</p>]]></Body></MessageTemplate>")
    [m] = mailfiles.read_xml_template("welcome.xml", xml)
    assert m.subject.removeprefix("Hi ") in mailfiles.NAMES and m.body.strip() == "Thanks"
    tsx = b"""export default function Mail({ plan = "Pro" }) {
  const helper = () => { return (<p>not this</p>); };
  return (
    <Html><Preview>Welcome to {plan}</Preview><Body><Heading>Hello!</Heading>
      <Text className="x" style={{ color: "red" }}>You are on the {plan}
        plan.{" "}Enjoy</Text>{/* note */}</Body></Html>
  );
}"""
    [m] = mailfiles.read_tsx("welcome.tsx", tsx)
    assert (m.subject, m.body) == ("Welcome to Pro", "Hello!\nYou are on the Pro plan. Enjoy")


def test_markdown_issue_gets_its_title_and_links_as_text() -> None:
    issue = b"Title: This Week in Rust 1\nDate: 2016-06-06\n\n## News\n* [Release](https://ex.org/r) is out\n"
    [m] = mailfiles.read_markdown("content/2016-06-06-twir.md", issue)
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
