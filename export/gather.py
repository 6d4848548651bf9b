"""Rebuilds training corpora of real e-mail from pinned commits of public repositories.

    python -m export.gather --mirrors DIR --out DIR [--only NAME ...]

DIR of mirrors holds the bare git directories the look-up tool's `fetch` brings
(`<owner>+<name>/repo`). Every file is read at the commit pinned in SOURCES, so a rebuild gives
the same bytes. Each corpus is written as `<out>/<corpus>/<corpus>.jsonl`
(`{"text", "label", "source", "id"}` a line, text `"Subject: <subject>\\n\\n<body>"`) with a README
(provenance, `## Licence`, counts). Texts are never printed.
"""

from __future__ import annotations

import argparse
import csv
import email
import email.policy
import email.utils
import hashlib
import html
import io
import json
import re
import subprocess
import sys
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from function.mail import html_to_text


@dataclass(frozen=True)
class Spec:
    """One repository's share of a corpus: which files, read how, under what licence."""

    corpus: str
    repo: str
    commit: str
    paths: str  # regex over the paths at `commit`
    reader: str  # a key of READERS
    licence: str
    years: str
    label: str = "legit"
    skip: str = ""  # regex of paths left out
    limit: int = 0  # at most this many files, evenly spread over the sorted paths (0: all)
    replace: tuple[tuple[str, str], ...] = ()  # (regex, replacement): the test data's own addresses
    subject_file: tuple[str, str] = ("", "")  # (regex, replacement): a path -> its subject's file
    # (file, regex of (subject, template name) pairs in it, regex of a path's template name)
    subject_map: tuple[str, str, str] = ("", "", "")
    note: str = ""


NAZARIO = "emiliopm1997/Zero_Day_Phishing_Project"
OMNIVORE = "omnivore-app/omnivore"
CORPUS_LICENCES = {
    "email_nazario_2015_2020": "CC BY 4.0",
    "email_omnivore_newsletters":
        "AGPL-3.0 (test fixtures of omnivore-app/omnivore; readabilityjs pages Apache-2.0)",
    "email_dev_newsletters": "CC BY-SA 4.0, MIT and CC0 1.0 (per repository, listed below)",
    "email_app_notifications":
        "MIT, BSD-3-Clause, Apache-2.0, MPL-2.0, OSL-3.0/AFL-3.0, GPL-2.0, AGPL-3.0 (per repository, below)",
}

SOURCES: tuple[Spec, ...] = (
    Spec("email_nazario_2015_2020", NAZARIO, "f8f9e32f8d5df6fb6460a9c0a1da870fbb51fbb8",
         r"^data/Nazario\.csv$", "nazario", "CC BY 4.0 (Champa, Rabbi & Zibran 2024 curated datasets, "
         "Zenodo 8339691; repository code MIT)", "2015-2020 only", label="scam",
         replace=((r"(?i)\bjose@monkey\.org\b", "user@example.com"), (r"(?i)monkey\.org", "example.com"),
                  (r"(?i)\bjose\b", "user")),
         note="Jose Nazario's phishing mailbox as a CSV. Only rows whose Date header falls in 2015-2020 are "
              "read; 2021-22 rows are evaluation-only and are dropped before their text is touched. The "
              "recipient's address, domain and name (jose@monkey.org) are replaced, as a label shortcut."),
    Spec("email_omnivore_newsletters", OMNIVORE, "322ce62b2e09a4fc8f328dde6003e7066953a9ca",
         r"^packages/content-handler/test/data/.*\.html$", "html", "AGPL-3.0 (repository LICENSE)",
         "2021-2023 (fixture commits)", skip=r"(article|ars-multipage|/prepared/|static-quote-tweet)",
         replace=((r"[\w.+-]+@(?:gmail\.com|doversten\.se)\b", "reader@example.com"),),
         note="The HTML of newsletters received by Omnivore's developers (Substack, Ghost, beehiiv, "
              "ConvertKit, Hey World, Every, Milk Road, Node Weekly, India Times, ...); web articles "
              "skipped."),
    Spec("email_omnivore_newsletters", OMNIVORE, "322ce62b2e09a4fc8f328dde6003e7066953a9ca",
         r"^packages/readabilityjs/test/test-pages/newsletters/[^/]+/source\.html$", "html",
         "Apache-2.0 (packages/readabilityjs/package.json)", "2022-2023",
         note="Source HTML of newsletters (Axios, Bloomberg, Forte Labs, Golang Weekly, Milk Road, Money "
              "Stuff, Morning Brew, Substack, TLDR)."),
    Spec("email_app_notifications", "opencollective/opencollective-api",
         "e3f35f58970e39eeaa678a8990dfd72d0e71a9ce",
         r"^templates/emails/.*\.hbs$", "template", "MIT (LICENSE)", "2016-2026 (templates in use in 2026)",
         note="Open Collective's notification e-mails (applications, expenses, payments, receipts, host and "
              "member notices), each filled once with plausible values."),
    Spec("email_app_notifications", "bitwarden/server", "ac309aa19ed351406a56032d5f26a7a9a99f4abd",
         r"^src/Core/MailTemplates/Handlebars/.*\.text\.hbs$", "template",
         "AGPL-3.0 (LICENSE.txt: the default throughout the repository)", "2018-2026",
         skip=r"/Layouts/", subject_map=(
             "src/Core/Platform/Mail/HandlebarsMailService.cs",
             r'CreateDefaultMessage\(\$?"([^"]+)"(?:(?!CreateDefaultMessage).)*?'
             r'AddMessageContentAsync\(message, "([\w.]+)"',
             r"Handlebars/(.+)\.text\.hbs$"),
         note="Bitwarden's account and organisation e-mails (plain-text parts: sign-in codes, new-device "
              "notices, invitations, billing), filled once; subjects from HandlebarsMailService.cs."),
    Spec("email_app_notifications", "saleor/saleor", "723cd4eba87dfc72822ade45dc08a3caa548428d",
         r"^saleor/plugins/(admin|user)_email/default_email_templates/.*\.html$", "template",
         "BSD-3-Clause (LICENSE)", "2021-2026", note="Saleor's default shop e-mails (order confirmed, "
         "payment, fulfilment, refund, gift card, invoice, account), filled once; no subject (set in code)."),
    Spec("email_app_notifications", "pennersr/django-allauth", "20f4bded2fd2e12d0d172d1321626a94c17ac97e",
         r"^allauth/templates/\w+/email/\w+_message\.txt$", "template", "MIT (LICENSE)", "2012-2026",
         skip=r"base_", subject_file=(r"_message\.txt$", "_subject.txt"),
         note="django-allauth's account e-mails (confirm address, password reset, login code, security "
              "notices), with their subject templates, filled once."),
    Spec("email_app_notifications", "sendwithus/templates", "f555e49038ed9ac05a39bf7048a73616f69680ac",
         r"^templates/[\w-]+/\w+\.html$", "template", "Apache-2.0 (LICENSE)", "2014-2024",
         note="Sendwithus's open transactional template themes (welcome, confirm, invite, invoice, survey, "
              "upsell, re-engagement); lorem-ipsum fillers fail the English test, repeated copy is capped."),
    Spec("email_app_notifications", "dani-garcia/vaultwarden", "46d71107f5094460dd5ecbe1dbac6e6c71e5189a",
         r"^src/static/templates/email/\w+\.hbs$", "template", "AGPL-3.0 (LICENSE.txt)", "2018-2026",
         skip=r"(_footer|_header|\.html\.hbs$)", note="Vaultwarden's account e-mails (plain-text forms, "
         "subject on the first line), filled once."),
    Spec("email_app_notifications", "coollabsio/coolify", "379abb252621f34b318190bd49b614aed9818716",
         r"^resources/views/emails/[\w-]+\.blade\.php$", "template", "Apache-2.0 (LICENSE)", "2023-2026",
         note="Coolify's server and deployment notices, trial and billing e-mails (Blade), filled once; "
              "no subject (set in the PHP notification classes)."),
    Spec("email_app_notifications", "lukevella/rallly", "c629b3148024e40a115a731d3660d725c9329b0e",
         r"^packages/emails/locales/en/emails\.json$", "i18n_json", "AGPL-3.0 (LICENSE)", "2022-2026",
         note="Rallly's scheduling e-mails (poll invitations, final date booked, event cancelled, login "
              "codes), assembled from its English message catalogue, filled once."),
    Spec("email_app_notifications", "smartstore/Smartstore", "087de664d084fdd73a83c400fa54763a8694c592",
         r"^src/Smartstore\.Web/App_Data/EmailTemplates/en/[\w.]+\.xml$", "xml_template",
         "AGPL-3.0 (LICENSE)", "2021-2026", note="Smartstore's shop e-mails (welcome, order placed, shipped, "
         "delivered, cancelled, gift card, back in stock, newsletter, password recovery), filled once."),
    Spec("email_app_notifications", "taigaio/taiga-back", "3bea7114007afd83478a8d6f2a70afd70d94dc21",
         r"/templates/emails/.*-body-text\.jinja$", "template", "MPL-2.0 (LICENSE)", "2014-2026",
         subject_file=(r"-body-text\.jinja$", "-subject.jinja"),
         note="Taiga's project-management notifications and account e-mails (text parts), with their "
              "subject templates, filled once."),
    Spec("email_app_notifications", "indico/indico", "b8f1fde8b81b199341cc84a75909cb0ed362d44e",
         r"/templates/emails/.*\.txt$", "template", "MIT (LICENSE)", "2012-2026", skip=r"base|/_|/tests/",
         note="Indico's event, registration, abstract, payment and room-booking e-mails (Jinja text "
              "templates; subject from the subject block), filled once."),
    Spec("email_app_notifications", "dubinc/dub", "1de955f782a72e1eff7b201ae54a909d5ceb5722",
         r"^packages/email/src/templates/.*\.tsx$", "tsx", "AGPL-3.0 (LICENSE.md: all but the (ee) folders)",
         "2023-2026", note="Dub's product e-mails (react-email): link and domain notices, partner payouts, "
         "billing, usage limits, and its marketing broadcasts (launch week, product updates); props at "
         "their sample defaults, the <Preview> line as the subject."),
    Spec("email_app_notifications", "mfts/papermark", "7ff2e657ed09b56f0afcc863a5db52d0debd2e6a",
         r"^components/emails/[^/]+\.tsx$", "tsx", "AGPL-3.0 (LICENSE: all but the ee folders)", "2023-2026",
         note="Papermark's document-sharing e-mails (viewed, shared, data room, trial, billing)."),
    Spec("email_app_notifications", "midday-ai/midday", "47d252aab7e3ab28a0027376cfdd6ee83d2e5ccf",
         r"^packages/email/emails/[^/]+\.tsx$", "tsx", "AGPL-3.0 (LICENSE)", "2024-2026",
         replace=((r"[\w.+-]+@lostisland\.co\b", "alex@example.com"),),
         note="Midday's business-finance e-mails (invoices, overdue reminders, transactions, welcome)."),
    Spec("email_app_notifications", "documenso/documenso", "75330166cc00b29c14399bc2e391e4b4d8080c00",
         r"^packages/email/templates/[^/]+\.tsx$", "tsx", "AGPL-3.0 (LICENSE)", "2023-2026",
         note="Documenso's document-signing e-mails (sign requests, completed, team invitations)."),
    Spec("email_app_notifications", "openstatusHQ/openstatus", "22df52eb0dbdafbad2c3fa41269f7a3a3cbf044b",
         r"^packages/emails/emails/[^/]+\.tsx$", "tsx", "AGPL-3.0 (LICENSE)", "2023-2026",
         note="OpenStatus's monitoring and status-page e-mails (alerts, subscriptions, team invites)."),
    Spec("email_app_notifications", "elie222/inbox-zero", "4f70dcefc55c65f2664ec27a19e118003138fb5f",
         r"^packages/resend/emails/[^/]+\.tsx$", "tsx", "AGPL-3.0 (LICENSE)", "2023-2026",
         note="Inbox Zero's summary, digest and onboarding e-mails."),
    Spec("email_app_notifications", "triggerdotdev/trigger.dev", "b082e44389337dc6505d590737a6df70867cc8f4",
         r"^internal-packages/emails/emails/[^/]+\.tsx$", "tsx", "Apache-2.0 (LICENSE)", "2023-2026",
         note="Trigger.dev's alert, deployment, invitation and sign-in e-mails."),
    Spec("email_app_notifications", "makeplane/plane", "4ca6d6c7b807ad09bb571af2c43e85bf47c3ec6b",
         r"^apps/api/templates/emails/.*\.html$", "template", "AGPL-3.0 (LICENSE.txt)", "2023-2026",
         skip=r"test_email", note="Plane's project-management e-mails (invitations, sign-in, issue "
         "updates), Django templates filled once; no subject (set in code)."),
    Spec("email_app_notifications", "pixelfed/pixelfed", "8aae92d75b4881e5cd6a4e2c83ca52046e5b3d66",
         r"^resources/views/emails/.*\.blade\.php$", "template", "AGPL-3.0 (LICENSE)", "2018-2024",
         note="Pixelfed's account and moderation e-mails (Blade Markdown mail), filled once; no subject."),
    Spec("email_app_notifications", "phpbb/phpbb", "7ca0ec3cca427ae3c2c4c2d5715339bcba302822",
         r"^phpBB/language/en/email/[^/]+\.txt$", "template", "GPL-2.0 (LICENSE)", "2012-2026",
         note="phpBB's forum e-mails (topic and PM notifications, activation, password, reports), "
              "subject on the first line, filled once."),
    Spec("email_app_notifications", "SimpleMachines/SMF", "12d051ed6c63db30a6f0146f9eecad039827e8b1",
         r"^Languages/en_US/EmailTemplates\.php$", "php_strings", "BSD-3-Clause (LICENSE)", "2012-2024",
         note="Simple Machines Forum's e-mail templates (registration, notifications, moderation, "
              "paid subscriptions), subject and body strings, filled once."),
    Spec("email_app_notifications", "OpenMage/magento-lts", "e18d6107b21b6c2e2f7005fcc7738220edd1a022",
         r"^app/locale/en_US/template/email/.*\.html$", "template",
         "OSL-3.0 and AFL-3.0 (LICENSE.txt, LICENSE_AFL.txt)", "2012-2026",
         note="Magento 1 (OpenMage) shop e-mails: new order, invoice, shipment, credit memo, account, "
              "password, newsletter, wishlist, product alerts; subject from <!--@subject-->, filled once."),
    Spec("email_app_notifications", "mysociety/fixmystreet", "84d7c80c5d9abd0d330325742c6b9eedc30b19fd",
         r"^templates/email/[\w.-]+/[\w.-]+\.txt$", "template", "AGPL-3.0 (LICENSE.txt)", "2012-2026",
         skip=r"/(fixamingata|fiksgatami|zurich|cy)/|/_", note="FixMyStreet's report, update and alert "
         "e-mails, the default and UK councils' own versions (Template Toolkit), subject on the first "
         "line, filled once."),
    Spec("email_app_notifications", "strangerstudios/paid-memberships-pro",
         "a36d010b6cacbaf4acc14a93239af0f4d37ee844", r"^classes/email-templates/.*\.php$", "php_methods",
         "GPL-2.0 (readme.txt)", "2012-2026", note="Paid Memberships Pro's membership e-mails (checkout, "
         "billing, payment failed, cancellation, expiry), default subject and body, filled once."),
    Spec("email_dev_newsletters", "rust-lang/this-week-in-rust", "d592478f2b2fe16fd2767ff2fdd692cf858f9059",
         r"^content/20(1[2-9]|2\d)-.*\.md$", "markdown", "CC BY-SA 4.0 (README: content made available "
         "under CC-BY-SA)", "2013-2025", limit=60, note="This Week in Rust, the e-mailed weekly."),
    Spec("email_dev_newsletters", "haskellweekly/haskellweekly", "7493dc192ee2735ba2f546a6dcf2534940593820",
         r"^data/newsletter/20\d\d/issue-\d+\.markdown$", "markdown", "MIT (LICENSE.txt)", "2016-2026",
         limit=60, note="Haskell Weekly newsletter issues."),
    Spec("email_dev_newsletters", "SwiftWeekly/swiftweekly.github.io",
         "322bbacbab9b4d50e4dc30416f23b7f6ed65130f",
         r"^_posts/20\d\d-.*\.md$", "markdown", "CC0 1.0 (LICENSE)", "2015-2022", limit=60,
         note="Swift Weekly Brief newsletter issues."),
    Spec("email_dev_newsletters", "NixOS/nixos-weekly", "22daf4234a1fede937a1b9259b7c6d28d5a56827",
         r"^content/20\d\d/.*\.md$", "markdown", "CC BY-SA 4.0 (COPYING)", "2017-2022", limit=40,
         note="NixOS Weekly newsletter issues."),
)

MIN_WORDS = 20
MAX_BODY = 6000
TEMPLATE_CAP = 5
SIMILAR = 0.6
_STOP = frozenset(("the", "and", "to", "of", "a", "in", "for", "is", "you", "your", "on", "this", "that",
                   "with", "be", "are", "it", "we", "our", "at", "by", "from", "have", "will", "as", "or",
                   "not", "can", "an", "if", "more", "all"))


@dataclass
class Message:
    id: str
    subject: str
    body: str


@dataclass(frozen=True)
class Skipped:
    """A row this source does not take; its reason is counted."""

    reason: str


# ---- reading a pinned commit ---------------------------------------------------------------


def git_dir(mirrors: Path, repo: str) -> Path:
    """The bare git directory `fetch` left for owner/name."""
    return mirrors / repo.replace("/", "+") / "repo"


def list_paths(gd: Path, commit: str) -> list[str]:
    out = subprocess.run(["git", "--git-dir", str(gd), "ls-tree", "-r", "-z", "--name-only", commit],
                         check=True, capture_output=True).stdout
    return sorted(p.decode("utf-8", "surrogateescape") for p in out.split(b"\0") if p)


def read_blob(gd: Path, commit: str, path: str) -> bytes:
    return subprocess.run(["git", "--git-dir", str(gd), "show", f"{commit}:{path}"],
                          check=True, capture_output=True).stdout


def chosen(paths: list[str], spec: Spec) -> list[str]:
    """The spec's files; with a limit, an even spread over them (sorted, so over the years)."""
    picked = [p for p in paths if re.search(spec.paths, p) and not (spec.skip and re.search(spec.skip, p))]
    if spec.limit and len(picked) > spec.limit:
        step = len(picked) / spec.limit
        picked = [picked[int(i * step)] for i in range(spec.limit)]
    return picked


# ---- readers: file bytes -> messages ------------------------------------------------------------


def _decode(data: bytes) -> str:
    return data.decode("utf-8", "replace")


def read_eml(path: str, data: bytes) -> Iterator[Message | Skipped]:
    """One RFC 822 message: its text/plain part, else its HTML as visible text."""
    message = email.message_from_bytes(data, policy=email.policy.default)
    plain, markup = [], []
    for part in message.walk():
        if part.is_multipart() or part.get_content_maintype() != "text" or part.is_attachment():
            continue
        try:
            text = part.get_content()
        except (LookupError, ValueError):
            text = _decode(part.get_payload(decode=True) or b"")
        (markup if part.get_content_subtype() == "html" else plain).append(text)
    body = "\n".join(plain) if plain else "\n".join(html_to_text(m) for m in markup)
    yield Message(path, str(message.get("Subject", "")), body)


def read_html(path: str, data: bytes) -> Iterator[Message | Skipped]:
    """An HTML e-mail body saved as a file; its <title> is the subject."""
    markup = _decode(data)
    title = re.search(r"<title[^>]*>(.*?)</title>", markup, re.I | re.S)
    subject = html_to_text(title.group(1)) if title else ""
    yield Message(path, subject, html_to_text(markup))


_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n|\A((?:[A-Z][a-z]+: [^\n]*\n)+)\n", re.S)
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\(([^)\s]*)[^)]*\)")


def markdown_text(text: str) -> str:
    """Markdown as the plain-text part of a newsletter shows it: links as "title (url)"."""
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    text = _MD_LINK.sub(lambda m: f"{m.group(1)} ({m.group(2)})" if m.group(1) else m.group(2), text)
    text = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", "", text)  # Jekyll/Liquid tags
    text = re.sub(r"</?(?:small|span|em|strong|b|i|sup|sub|code|kbd)>", "", text)
    text = re.sub(r"^#{1,6}\s*|^>\s?", "", text, flags=re.M)
    text = re.sub(r"(\*\*|__|`)", "", text)
    return html_to_text(text) if re.search(r"</?(p|div|a|img|br)\b", text) else text


def read_markdown(path: str, data: bytes) -> Iterator[Message | Skipped]:
    """A newsletter issue in Markdown, with Jekyll or Pelican front matter (or none)."""
    text = _decode(data).replace("\r\n", "\n")
    subject = ""
    front = _FRONT_MATTER.match(text)
    if front:
        head = front.group(1) or front.group(2)
        title = re.search(r"^title:\s*!?\s*['\"]?(.*?)['\"]?\s*$", head, re.I | re.M)
        subject = title.group(1) if title else ""
        text = text[front.end():]
    if not subject:  # Haskell Weekly: the issue number is in the file name
        number = re.search(r"issue-(\d+)", path)
        subject = f"Issue {number.group(1)}" if number else ""
    yield Message(path, subject, markdown_text(text))


# Values a template's variables are filled with, by the first word their name contains; one of
# the alternatives, chosen by the message's path, so that no one name or sum marks the source.
NAMES = ("Alex Morgan", "Priya Shah", "Daniel Okafor", "Maria Garcia", "Tom Becker", "Chen Wei",
         "Sarah O'Neill", "James Carter")
ORGS = ("Acme Inc.", "Northwind Traders", "Blue Harbor Labs", "Greenleaf Co.", "Summit Analytics")
SUMS = ("$25.00", "€49.90", "£12.50", "$1,240.00", "$7.99", "$310.45")
DATES = ("March 3, 2025", "12 November 2024", "Jan 28, 2026", "2025-06-14", "Friday, 9 May 2025")
CODES = ("482913", "730165", "219804", "55-31-07")
GROUPS = ("Acme Community", "Rust Meetup Berlin", "Open Garden Club", "City Makers")
URL = ("https://example.com/account",)
FILLS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("greeting", ("Hi Alex,", "Hello Priya,", "Dear Daniel,")), ("signature", ("The Team",)),
    ("regards", ("Regards, The Team",)), ("increment", ("100000123", "100004518")), ("site", GROUPS),
    ("forum", GROUPS), ("email", ("alex@example.com", "p.shah@example.org", "dokafor@example.net")),
    ("title", ("Team offsite planning", "Q3 budget review", "Spring product launch", "Website redesign")),
    ("domain", ("example.com", "acme.example")), ("frequency", ("daily", "weekly")),
    ("error", ("connection timed out", "permission denied")), ("reason", ("connection timed out",)),
    ("output", ("connection timed out",)), ("url", URL), ("link", URL), ("href", URL),
    ("ip", ("203.0.113.7", "198.51.100.23")), ("device", ("Firefox on Windows", "Safari on iPhone")),
    ("location", ("Berlin, Germany", "Austin, United States", "Leeds, United Kingdom")),
    ("amount", SUMS), ("price", SUMS), ("total", SUMS), ("currency", SUMS), ("balance", SUMS),
    ("credit", SUMS), ("date", DATES), ("expir", DATES), ("time", ("10:30 AM", "4:15 PM", "08:00")),
    ("code", CODES), ("token", CODES), ("count", ("3", "12")), ("number", ("3", "27")),
    ("days", ("7", "14")), ("seats", ("5", "20")), ("org", ORGS),
    ("store", ("Acme Shop", "Northwind Store", "Harbor Outfitters")),
    ("shop", ("Acme Shop", "Harbor Outfitters")), ("project", ("Website redesign", "Mobile app v2")),
    ("room", ("Room 2-14", "Main Hall")), ("event", ("Annual Meeting 2025", "PyData Summit")),
    ("contribution", ("Keynote talk",)),
    ("collective", GROUPS), ("host", ("Open Source Collective", "Fiscal Host Europe")), ("company", ORGS),
    ("team", ORGS), ("name", NAMES), ("user", NAMES),
)
_SALT: ContextVar[str] = ContextVar("salt", default="")  # the path of the message being filled
_IF_BLOCK = re.compile(  # an innermost {{#if}}...{{/if}} (or unless, with)
    r"\{\{#(if|unless|with)\b[^{}]*\}\}((?:(?!\{\{#(?:if|unless|with)\b).)*?)\{\{/\1\}\}", re.S)
_ELSE = re.compile(r"\{\{\s*else\b[^{}]*\}\}")


def fill(expression: str) -> str:
    """A plausible value for a template expression: the last word of its helper or variable that
    FILLS knows decides ("formatDate x" is a date, "host.name" a name), else its other words."""
    head, _, rest = expression.lstrip("> ").partition(" ")
    for part in (head, rest):
        names = re.findall(r"[a-z]+", re.sub(r"([a-z])([A-Z])", r"\1 \2", part).lower())
        owners = [n for n in names if n != "name"]  # "collective.name": the collective's
        for name in [*reversed(owners), *(["name"] if "name" in names else [])]:
            for key, values in FILLS:
                if name.startswith(key):
                    # one pick a pool and message: "user" and "name" are the same person
                    return values[zlib.crc32(f"{_SALT.get()}|{values[0]}".encode()) % len(values)]
    words = re.findall(r"[a-z]+", re.sub(r"([a-z])([A-Z])", r"\1 \2", expression).lower())
    return " ".join([w for w in words if w not in {"var", "get", "htmlescape", "u"}][-2:])


_TAGS = (  # other template languages' tags as their Handlebars equivalents, or as their text
    # Django / Jinja
    (r"\{%-?\s*if\b[^%]*%\}", "{{#if x}}"), (r"\{%-?\s*(?:elif\b[^%]*|else\s*)-?%\}", "{{else}}"),
    (r"\{%-?\s*endif\s*-?%\}", "{{/if}}"),
    (r"\{%-?\s*(?:trans|translate)\s+[\"']([^\"']*)[\"'][^%]*%\}", r"\1"),
    (r"\{%-?\s*url\b[^%]*%\}", "https://example.com/account"), (r"\{%-?[^%]*-?%\}", ""),
    (r"\{#.*?#\}", ""),
    # Laravel Blade
    (r"@if\s*\((?:[^()]|\([^()]*\))*\)", "{{#if x}}"),
    (r"@else(?:if\s*\((?:[^()]|\([^()]*\))*\))?", "{{else}}"), (r"@endif\b", "{{/if}}"),
    (r"@(?:foreach|endforeach|php|endphp|component|endcomponent|slot|endslot)\b"
     r"(?:\((?:[^()]|\([^()]*\))*\))?", ""),
    (r"\{\{\s*\$", "{{"), (r"</?x-[\w.-]+[^>]*>", ""), (r"\{!!\s*\$?([^!]*?)\s*!!\}", r"{{\1}}"),
    # Magento 1
    (r"<!--@(?:vars|styles).*?@-->", ""),
    (r"\{\{(?:template|inlinecss|layout|block|skin|config)\b[^}]*\}\}", ""),
    (r"\{\{store url=[^}]*\}\}", "https://example.com/"), (r"\{\{(?:depend|if) [^}]*\}\}", "{{#if x}}"),
    (r"\{\{/depend\}\}", "{{/if}}"),
    # Template Toolkit (FixMyStreet)
    (r"\[%[-~+]?\s*(?i:IF|UNLESS|FOREACH|WRAPPER|FILTER)\b.*?[-~+]?%\]", "{{#if x}}"),
    (r"\[%[-~+]?\s*(?i:ELSIF\b.*?|ELSE\s*)[-~+]?%\]", "{{else}}"),
    (r"\[%[-~+]?\s*(?i:END)\s*[-~+]?%\]", "{{/if}}"),
    (r"\[%[-~+]?\s*(?i:SET|INCLUDE|PROCESS|USE|TRY|CATCH|CALL|PERL|DEFAULT)\b.*?[-~+]?%\]", ""),
    (r"\[%[-~+]?\s*loc\(\s*['\"](.*?)['\"]\s*\)\s*[-~+]?%\]", r"\1"),
    (r"\[%[-~+]?\s*(.*?)\s*[-~+]?%\]", r"{{\1}}"),
    # phpBB
    (r"<!-- IF\b.*?-->", "{{#if x}}"), (r"<!-- ELSE(?:IF\b.*?)? -->", "{{else}}"),
    (r"<!-- ENDIF -->", "{{/if}}"),
    (r"\{([A-Z][A-Z0-9_]+)\}", r"{{\1}}"),
)


def render_template(text: str) -> str:
    """A template (Handlebars, or any language of _TAGS) filled once: first branch of each
    conditional, each loop once, layout partials dropped, variables filled by FILLS."""
    for pattern, replacement in _TAGS:
        text = re.sub(pattern, replacement, text, flags=re.S)
    text = re.sub(r"\{\{\s*([\w.]+)(?:\|[^}]*)?\s*\}\}", r"{{\1}}", text)  # filters dropped
    text = re.sub(r"\{\{!--.*?--\}\}|\{\{![^}]*\}\}", "", text, flags=re.S)
    previous = None
    while previous != text:  # innermost conditionals first
        previous = text
        text = _IF_BLOCK.sub(lambda m: _ELSE.split(m.group(2))[0], text)
    text = re.sub(r"^[ \t]*\{\{#?>\s*[^{}]*\}\}[ \t]*$|\{\{[#/^][^{}]*\}\}|\{\{/?>?[^{}]*Layout[^{}]*\}\}",
                  "", text, flags=re.M)
    return re.sub(r"\{\{\{?>?\s*([^{}]*?)\s*\}?\}\}", lambda m: fill(m.group(1)), text)


def read_template(path: str, data: bytes) -> Iterator[Message | Skipped]:
    """A Handlebars, Django or Blade e-mail template (HTML or text). Its subject is a "Subject:"
    first line, or (Vaultwarden) a first line followed by a "<!----->" rule."""
    text = _decode(data).replace("\r\n", "\n")
    subject = ""
    block = re.search(r"\{%-?\s*block subject\s*-?%\}(.*?)\{%-?\s*endblock\s*-?%\}", text, re.S)
    if block:  # Jinja (Indico): the subject is a block of the template
        subject = " ".join(render_template(block.group(1)).split())
        text = text[: block.start()] + text[block.end():]
    marked = re.search(r"<!--@subject (.*?) @-->", text, re.S)
    if marked:  # Magento 1
        subject = " ".join(render_template(marked.group(1)).split())
        text = text[: marked.start()] + text[marked.end():]
    body = render_template(text).lstrip()
    ruled = re.match(r"([^\n]*)\n<!--+>\n", body)
    if body.startswith("Subject:") or ruled:
        first, _, body = body.partition("\n")
        subject = " ".join(first.removeprefix("Subject:").split())
        body = body.split("\n", 1)[1] if ruled else re.sub(r"\A(?:[\w-]+: [^\n]*\n)+", "", body)
    if path.endswith((".blade.php", ".md")):
        body = markdown_text(body)
    if re.search(r"</?(p|div|a|br|table|td|center|pre|h\d)\b", body, re.I):
        body = html_to_text(body)
    yield Message(path, subject, body)


_PART = re.compile(r"^(.+?)_?(subject|heading|preview|content\d*|text\d*|button|footer|cancel|\w*[Nn]ote|"
                   r"codeValid|body\d*)$")


def read_xml_template(path: str, data: bytes) -> Iterator[Message | Skipped]:
    """A message template kept as XML with <Subject> and a CDATA <Body> (Smartstore)."""
    text = _decode(data)
    subject = re.search(r"<Subject>(.*?)</Subject>", text, re.S)
    body = re.search(r"<Body><!\[CDATA\[(.*?)\]\]></Body>", text, re.S)
    if not body:
        yield Skipped("no_body")
        return
    head = f"Subject: {html.unescape(subject.group(1)) if subject else ''}\n"
    yield from read_template(path, (head + body.group(1)).encode())


def _balanced(text: str, start: int, pair: str = "{}") -> int:
    """The index just past the bracket group opening at text[start] (pair[0])."""
    depth = 0
    for i in range(start, len(text)):
        depth += {pair[0]: 1, pair[1]: -1}.get(text[i], 0)
        if depth == 0:
            return i + 1
    return len(text)


def _jsx_expression(expression: str, defaults: dict[str, str]) -> str:
    """The text a JSX {expression} shows: a string literal, a prop's sample value, or a fill."""
    expression = expression.strip()
    translated = re.fullmatch(r"_\((?:msg`(.*)`|(\w+))\)", expression, re.S)  # Lingui: _(msg`...`)
    if translated:
        return _template_literal(translated.group(1), defaults) if translated.group(1) is not None \
            else defaults.get(translated.group(2), "")
    literal = re.fullmatch(r"([\"'`])(.*)\1", expression, re.S)
    if literal:
        return _template_literal(literal.group(2), defaults)
    if re.fullmatch(r"[\w.?!]+", expression):
        return defaults.get(expression.split(".")[0]) or fill(expression)
    return ""


def _template_literal(text: str, defaults: dict[str, str]) -> str:
    return re.sub(r"\$\{([^{}]*)\}", lambda m: _jsx_expression(m.group(1), defaults), text)


def read_tsx(path: str, data: bytes) -> Iterator[Message | Skipped]:
    """A react-email component: its JSX as text, props at their sample defaults, the <Preview>
    line as the subject."""
    source = _decode(data)
    blocks = [(m.start(), _balanced(source, m.end() - 1, "()")) for m in re.finditer(r"return \(", source)]
    if not blocks:
        yield Skipped("no_jsx")
        return
    start, end = max(blocks, key=lambda b: b[1] - b[0])  # the e-mail's JSX: the longest return (...)
    defaults = {m.group(1): m.group(3)
                for m in re.finditer(r"\b(\w+)\s*=\s*([\"'])([^\"'\n]*)\2", source[:start])}
    for name, text in re.findall(r"const (\w+) = msg`([^`]*)`", source[:start]):
        defaults[name] = _template_literal(text, defaults)
    jsx = re.sub(r"\{/\*.*?\*/\}", "", source[start + len("return ("):end - 1], flags=re.S)
    out, i = [], 0
    while (j := jsx.find("{", i)) >= 0:  # attribute values dropped, text expressions evaluated
        end = _balanced(jsx, j)
        out += [jsx[i:j], "" if jsx[j - 1] == "=" else _jsx_expression(jsx[j + 1:end - 1], defaults)]
        i = end
    jsx = "".join(out) + jsx[i:]
    preview = re.search(r"<Preview>(.*?)</Preview>", jsx, re.S)
    jsx = re.sub(r"<Preview>.*?</Preview>|<style\b.*?</style>", "", jsx, flags=re.S)
    # JSX text: whitespace with a line break is one space; a block element ends a line
    jsx = re.sub(r"</(Text|Heading|Section|Row|Column|Container|Link|Button|li|p|h\d)>|<(br|Hr)\b[^>]*>",
                 "\0", jsx)
    text = html.unescape(re.sub(r"<[A-Za-z/][^<>]*>", " ", jsx))
    body = "\n".join(line for line in (" ".join(part.split()) for part in text.split("\0")) if line)
    subject = " ".join(preview.group(1).split()) if preview else ""
    yield Message(path, subject, body)


def read_php_strings(path: str, data: bytes) -> Iterator[Message | Skipped]:
    """E-mails kept as PHP strings $txt['<name>_subject'] and $txt['<name>_body'] (SMF)."""
    strings = {key: re.sub(r"\\(['\\])", r"\1", value) for key, value in
               re.findall(r"\$txt\['(\w+)'\]\s*=\s*'((?:[^'\\]|\\.)*)';", _decode(data))}
    for key, body in strings.items():
        if key.endswith("_body"):
            stem = key.removesuffix("_body")
            head = f"Subject: {strings.get(stem + '_subject', '')}\n"
            yield from read_template(f"{path}#{stem}", (head + body).encode())


def read_php_methods(path: str, data: bytes) -> Iterator[Message | Skipped]:
    """An e-mail class whose get_default_subject() and get_default_body() return translated
    strings, __( '...' ) (Paid Memberships Pro)."""
    code = _decode(data)
    found = {}
    for part in ("subject", "body"):
        method = re.search(rf"function get_default_{part}\(\)\s*\{{.*?__\(\s*'((?:[^'\\]|\\.)*)'", code, re.S)
        found[part] = re.sub(r"\\(['\\])", r"\1", method.group(1)) if method else ""
    if not found["body"]:
        yield Skipped("no_body")
        return
    yield from read_template(path, f"Subject: {found['subject']}\n{found['body']}".encode())


def _part_rank(part: str) -> tuple[int, str]:
    """Where a catalogue part stands in its e-mail: heading, text, notes, button, footer."""
    ranks = ("heading", "content", "text", "body", "code", "", "button", "cancel", "footer")
    return next(i for i, r in enumerate(ranks) if part.startswith(r) or not r), part


def read_i18n_json(path: str, data: bytes) -> Iterator[Message | Skipped]:
    """E-mails kept as a JSON catalogue of ICU strings (Rallly): keys grouped by their stem
    ("finalizeHost_subject", "finalizeHost_content", ...), one message a stem with a subject."""
    groups: dict[str, dict[str, str]] = defaultdict(dict)
    for key, value in json.loads(data).items():
        part = _PART.match(key)
        if part and isinstance(value, str):
            groups[part.group(1)][part.group(2).lower()] = value
    for stem, parts in groups.items():
        if "subject" not in parts:
            continue
        order = sorted((k for k in parts if k not in {"subject", "preview"}), key=_part_rank)
        body = "\n\n".join(parts[k] for k in order)
        def icu(text: str) -> str:
            text = re.sub(r"<domain\s*/>", "example.com", text)
            return re.sub(r"\{(\w+)\}", lambda m: fill(m.group(1)), html_to_text(text))
        yield Message(f"{path}#{stem}", icu(parts["subject"]), icu(body))


def _year(date: str) -> int | None:
    """The year of a Date header; of its four-digit year when the header does not parse."""
    try:
        return email.utils.parsedate_to_datetime(date).year
    except (TypeError, ValueError, IndexError):
        found = re.search(r"\b(19|20)\d\d\b", date)
        return int(found.group()) if found else None


def read_nazario(path: str, data: bytes) -> Iterator[Message | Skipped]:
    """Rows of Nazario.csv dated 2015-2020. The date is checked first: a row outside those years
    (2021-22 is evaluation-only) is skipped before its subject or body is looked at."""
    csv.field_size_limit(1 << 30)
    rows = csv.reader(io.StringIO(_decode(data), newline=""))
    header = next(rows)
    at = {name: header.index(name) for name in ("date", "subject", "body", "label")}
    for number, row in enumerate(rows, 1):
        year = _year(row[at["date"]]) if len(row) == len(header) else None
        if year is None or not 2015 <= year <= 2020:
            yield Skipped("outside_2015_2020" if year else "no_date")
            continue
        if row[at["label"]].strip() != "1":
            yield Skipped("not_labelled_phishing")
            continue
        yield Message(f"{path}#row{number}", row[at["subject"]], row[at["body"]])


READERS: dict[str, Callable[[str, bytes], Iterator[Message | Skipped]]] = {
    "eml": read_eml, "html": read_html, "markdown": read_markdown, "nazario": read_nazario,
    "template": read_template, "i18n_json": read_i18n_json, "xml_template": read_xml_template,
    "tsx": read_tsx, "php_strings": read_php_strings,
    "php_methods": read_php_methods,
}


# ---- filters: English, size, duplicates, templates -----------------------------------------


def is_english(text: str) -> bool:
    """Crude: enough of the commonest English words among the words."""
    words = re.findall(r"[^\W\d_]+", text.lower())
    hits = sum(w in _STOP for w in words)
    return hits >= 5 and hits >= 0.06 * len(words)


def truncate(body: str, limit: int = MAX_BODY) -> str:
    """At most `limit` characters, cut at a line break when there is one."""
    if len(body) <= limit:
        return body
    cut = body.rfind("\n", 0, limit)
    return body[: cut if cut > limit // 2 else limit]


_PLACEHOLDER = re.compile(r"lorem ipsum|dolor sit amet|perspiciatis unde", re.I)


def tidy(body: str) -> str:
    body = re.sub(r"<!--.*?-->|<!\[endif\]-->|<!--\[if [^\]]*\]>", "", body, flags=re.S)
    lines = (re.sub(r"[ \t\u00a0\u200c\u034f\u200b\ufeff]+", " ", line).strip() for line in body.splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def dedup_key(text: str) -> str:
    return hashlib.sha256(" ".join(text.lower().split()).encode()).hexdigest()


def shingles(text: str) -> frozenset[str]:
    """Five-word shingles of the text, digits masked: near-identical templates share most."""
    words = re.sub(r"\d+", "#", text.lower()).split()
    return frozenset(" ".join(words[i:i + 5]) for i in range(max(1, len(words) - 4)))


class Templates:
    """Groups near-identical messages (Jaccard of shingles at least SIMILAR with a group's first
    message) and admits at most TEMPLATE_CAP of each group."""

    def __init__(self) -> None:
        self.groups: list[tuple[frozenset[str], list[int]]] = []

    def admit(self, text: str) -> bool:
        mine = shingles(text)
        for first, size in self.groups:
            if len(mine & first) >= SIMILAR * len(mine | first):
                if size[0] >= TEMPLATE_CAP:
                    return False
                size[0] += 1
                return True
        self.groups.append((mine, [1]))
        return True


def accept(messages: Iterator[Message | Skipped], spec: Spec, seen: set[str], templates: Templates,
           counts: Counter) -> Iterator[dict]:
    """The records of one spec's messages that pass every filter; reasons of the rest counted."""
    for item in messages:
        if isinstance(item, Skipped):
            counts[f"skipped_{item.reason}"] += 1
            continue
        counts["read"] += 1
        subject = " ".join(item.subject.split())
        body = tidy(item.body)
        for pattern, replacement in spec.replace:
            subject, body = re.sub(pattern, replacement, subject), re.sub(pattern, replacement, body)
        body = truncate(body)
        if _PLACEHOLDER.search(body):
            counts["dropped_placeholder_text"] += 1
            continue
        if len(body.split()) < MIN_WORDS:
            counts["dropped_tiny"] += 1
            continue
        if not is_english(f"{subject}\n{body}"):
            counts["dropped_non_english"] += 1
            continue
        text = f"Subject: {subject}\n\n{body}"
        key = dedup_key(text)
        if key in seen:
            counts["dropped_duplicate"] += 1
            continue
        if not templates.admit(text):
            counts["dropped_template_cap"] += 1
            continue
        seen.add(key)
        counts["kept"] += 1
        yield {"text": text, "label": spec.label, "source": spec.corpus,
               "id": f"{spec.repo}@{spec.commit[:12]}:{item.id}"}


def subject_map(gd: Path, spec: Spec) -> dict[str, str]:
    """Subjects set in code (Bitwarden's C#), by template name; {expressions} filled."""
    source, pairs, _ = spec.subject_map
    if not source:
        return {}
    code = _decode(read_blob(gd, spec.commit, source))
    found = {}
    for subject, template in re.findall(pairs, code, re.S):
        found.setdefault(template, re.sub(r"\{([^{}]+)\}", lambda m: fill(m.group(1)), subject))
    return found


# ---- one corpus -------------------------------------------------------------------------------


def build(corpus: str, specs: list[Spec], mirrors: Path) -> tuple[list[dict], dict[str, Counter]]:
    rows: list[dict] = []
    logs: dict[str, Counter] = {}
    seen: set[str] = set()
    templates = Templates()
    for spec in specs:
        gd = git_dir(mirrors, spec.repo)
        counts: Counter = Counter()
        every = list_paths(gd, spec.commit)
        paths = chosen(every, spec)
        subjects = subject_map(gd, spec)
        for path in tqdm(paths, desc=f"{corpus} {spec.repo}", unit="file", leave=False):
            _SALT.set(path)
            data = read_blob(gd, spec.commit, path)
            if spec.subject_file[0]:
                subject_path = re.sub(*spec.subject_file, path)
                subject = _decode(read_blob(gd, spec.commit, subject_path)) if subject_path in every else ""
                data = f"Subject: {' '.join(render_template(subject).split())}\n".encode() + data
            elif subjects:
                name = re.search(spec.subject_map[2], path)
                subject = subjects.get(name.group(1).replace("/", ".") if name else "", "")
                data = f"Subject: {subject}\n".encode() + data
            messages = READERS[spec.reader](path, data)
            rows.extend(accept(messages, spec, seen, templates, counts))
        counts["files"] = len(paths)
        logs[f"{spec.repo}:{spec.paths}"] = counts
    return rows, logs


def readme(corpus: str, specs: list[Spec], rows: list[dict], logs: dict[str, Counter], digest: str) -> str:
    labels = Counter(r["label"] for r in rows)
    lines = [f"# {corpus}", "", "## Licence", CORPUS_LICENCES[corpus], "", "## Provenance"]
    for spec in specs:
        lines += [f"- `{spec.repo}` @ `{spec.commit}`, paths matching `{spec.paths}`"
                  + (f" (not `{spec.skip}`)" if spec.skip else "")
                  + (f", at most {spec.limit} files spread evenly" if spec.limit else "")
                  + f"; licence: {spec.licence}; years: {spec.years}; label: {spec.label}.",
                  f"  {spec.note}" if spec.note else ""]
    lines += ["", "## Format",
              'One JSON object a line: `{"text", "label", "source", "id"}`; text is '
              '`"Subject: <subject>\\n\\n<body>"` (text/plain preferred, else HTML as visible text; '
              f"Markdown links as \"title (url)\"), body cut at ~{MAX_BODY} characters on a line break. "
              f"Kept: English (stop-word test), at least {MIN_WORDS} words, no lorem-ipsum filler, exact "
              f"duplicates dropped, at most {TEMPLATE_CAP} messages per near-identical template (five-word "
              f"shingles, digits masked, Jaccard >= {SIMILAR} with the template's first message).", "",
              "## Counts (this build)",
              f"kept {len(rows)} (scam {labels['scam']}, legit {labels['legit']}); sha256 `{digest}`.", "",
              "| spec | files | read | kept | dropped / skipped |", "|---|---:|---:|---:|---|"]
    for name, counts in logs.items():
        other = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()) if k not in {"files", "read", "kept"})
        lines.append(f"| `{name}` | {counts['files']} | {counts['read']} | {counts['kept']} | {other} |")
    lines += ["", f"Rebuild: `python -m export.gather --mirrors /work/.mirror --out DIR --only {corpus}`", ""]
    return "\n".join(lines)


def write(corpus: str, specs: list[Spec], mirrors: Path, out: Path) -> tuple[int, Counter]:
    rows, logs = build(corpus, specs, mirrors)
    folder = out / corpus
    folder.mkdir(parents=True, exist_ok=True)
    data = "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows).encode()
    (folder / f"{corpus}.jsonl").write_bytes(data)
    (folder / "README.md").write_text(readme(corpus, specs, rows, logs, hashlib.sha256(data).hexdigest()))
    return len(rows), Counter(r["label"] for r in rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirrors", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--only", nargs="*", help="corpus names (default: all)")
    args = parser.parse_args(argv)
    by_corpus: dict[str, list[Spec]] = defaultdict(list)
    for spec in SOURCES:
        if not args.only or spec.corpus in args.only:
            by_corpus[spec.corpus].append(spec)
    for corpus, specs in by_corpus.items():
        missing = [s.repo for s in specs if not git_dir(args.mirrors, s.repo).is_dir()]
        if missing:
            print(f"{corpus}: skipped, no mirror of {', '.join(missing)}", file=sys.stderr)
            continue
        kept, labels = write(corpus, specs, args.mirrors, args.out)
        print(f"{corpus}: {kept} kept ({dict(labels)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
