"""Rebuilds training corpora of real e-mail from pinned commits of public repositories.

    python -m export.gather --mirrors DIR --out DIR [--only NAME ...]
    python -m export.gather --repos [--only NAME ...]   # what to mirror: owner/name commit, a line each

DIR of mirrors holds the bare git directories the look-up tool's `fetch` brings
(`<owner>+<name>/repo`). Every file is read at the commit pinned in SOURCES, so a rebuild gives
the same bytes. Each corpus is written as `<out>/<corpus>/<corpus>.jsonl`
(`{"text", "label", "source", "id"}` a line, text `"Subject: <subject>\\n\\n<body>"`) with a README
(provenance, `## Licence`, counts). Texts are never printed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from tqdm import tqdm

from export import appmail, mailfiles, railsmail, smsfiles
from export.mailfiles import NAMES, SALT, Message, Skipped, decode, fill, render_template, substitute


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
    kind: str = "email"  # or "sms": a text message, kept by export.smsfiles' filters, with no subject


READERS = {**mailfiles.READERS, **appmail.READERS, **railsmail.READERS, **smsfiles.READERS}
NAZARIO = "emiliopm1997/Zero_Day_Phishing_Project"
OMNIVORE = "omnivore-app/omnivore"
PENNYWISE = "sarim2000/pennywiseai-tracker"
PENNYWISE_AT = "390946f5c84961a1a8f76e94aa7862a5ff2cc5ad"
TWICE = (r"([$€£][\d,.]+) \1(?!\d)", r"\1")  # an amount filled for both a price and its currency
# the names export.mailfiles fills a person's name with: where a subject set in code gets one for an app name
_NAMES = "(?:" + "|".join(map(re.escape, NAMES)) + ")"
# Payees' own names the fixtures left in (most are already "PERSON NAME", "JOHN DOE", ...).
PAYEES = (r"\b(?:ABDULLAH SALEM MUEEN|AKASH KEDIA|ANNAPOORNESWARI K M|Ali Mohamud|DINESHBHAI RAMJIBHAI|"
          r"Hussain Shaikh|Makavana Mahipatbhai|NASIMUDDIN NAJAMUDDIN SHAIKH|SAI MISAL|RAMESH|Jerry Joseph|"
          r"Jerry(?=\.Ref)|OBAYUWANA C|MUKESH CHAND|POORNIMA[A-Z/ ]*)\b")
# phone numbers (not Safaricom's own 0722000000) of the people who sent or received money in PesaPi's
# examples (Kenya, Tanzania, Ghana)
_PHONES = (r"\b(?:254|255|233)\d{9}\b|\b0(?!722000000\b)[67]\d{8,9}\b", "0700000000")
_PAYERS = (r"\b(?:MICHAEL FEDERSEN|ALEX NDUNG'U|0RENGE ALEX|BRIAN NGANGA|BRIAN MBUGUA|MORRIS M\.|"
           r"ANGELA NZIOKI|JOSEPH KARANJA|FREDRICK KIMARO|MUSHI WILLIAM|EMANUEL SHANI|CHARLES KOMBA|"
           r"ANJELA KIRIA|HILDA MUSHI|EMANUEL KIULA|Hilda Joseph Mushi)", "PERSON NAME")
# Evan Purkhiser's own name, mailbox and address, and the people in his receipts (his fixtures, his fork's)
_PURKHISER = (
    (r"(?i)evan\s*purkhiser@gmail\.com|[\w.+-]+@purkhiser\.com", "reader@example.com"),
    (r"Evan\s+Purkhiser", "Alex Morgan"), (r"Michael\s+Purkhiser", "Sam Morgan"),
    (r"(?i)PURKHISER/EVAN", "MORGAN/ALEX"), (r"(?i)evanp\s*urkhi\s*ser", "alexmorgan"),
    (r"(?i)\bPurkhiser\b", "Morgan"), (r"\bEvan\b", "Alex"), (r"\bEVAN\b", "ALEX"),
    (r"(?i)\b3[0-9]{2} E 4th St\.?(?: Apt \w+)?", "100 Main St"),
    (r"(?i)Wei-?Shih\s+Tsai|TSAI/WEISHIH", "Jamie Lee"), (r"(?i)\bWei-?Shih\b", "Jamie"),
    (r"\bTsai\b", "Lee"), (r"\(541\) 640-9912", "(555) 010-0000"),
)
CORPUS_LICENCES = {
    "email_nazario_2015_2020": "CC BY 4.0",
    "email_omnivore_newsletters":
        "AGPL-3.0 (test fixtures of omnivore-app/omnivore; readabilityjs pages Apache-2.0)",
    "email_dev_newsletters": "CC BY-SA 4.0, MIT and CC0 1.0 (per repository, listed below)",
    "email_app_notifications":
        "MIT, BSD-3-Clause, Apache-2.0, MPL-2.0, OSL-3.0/AFL-3.0, GPL-2.0, AGPL-3.0 (per repository, below)",
    "email_real_received": "MIT, ISC, Apache-2.0 and GPL-3.0 (per repository, below)",
    "email_service_notices":
        "MIT, Apache-2.0, MPL-2.0, AGPL-3.0, BSD-3-Clause, CC0 1.0 (per repository, below)",
    "email_shop_notifications": "BSD-3-Clause, Apache-2.0, OSL-3.0, GPL-3.0, AGPL-3.0 (Hi.Events: with a "
                                "section 7(b) attribution term) (per repository, below)",
    "sms_transaction_alerts": "AGPL-3.0, MIT, CC0 1.0 and BSD (per repository, below)",
    "email_public_service_notices": "CC0 1.0 / US public domain, MIT and AGPL-3.0 (per repository, below)",
    "email_brand_marketing": "MIT and CC BY 4.0 (per repository, below)",
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
    Spec("email_app_notifications", "penpot/penpot", "66bb6a11dfb1fc708a5c8165f8eaa4222e233bb2",
         r"^backend/resources/app/email/[\w-]+/en\.txt$", "penpot_template", "MPL-2.0 (LICENSE)", "2020-2026",
         skip=r"/feedback/", subject_file=(r"en\.txt$", "en.subj"),
         note="Penpot's design-platform e-mails (verify account, password reset, e-mail change, team and "
              "organisation invitations, access requests, comment mentions, subscription renewal notice), "
              "plain-text Selmer templates with their subject files, filled once; the feedback form's "
              "message to the Penpot team is left out."),
    Spec("email_app_notifications", "heartcombo/devise", "7ca7ed9c174525a4d36167441b35af4a0991b6af",
         r"^app/views/devise/mailer/\w+\.html\.erb$", "devise", "MIT (MIT-LICENSE)", "2009-2026",
         note="Devise's default account e-mails, sent as they are by many Rails apps (reset password, "
              "unlock; confirmation, e-mail and password changed fall under the size filter), subjects "
              "from its English locale, filled once."),
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
    Spec("email_real_received", "thetestgame/email-to-lunchmoney", "1fb9bd7eb53031457fe90fcd966c5bdd6950e035",
         r"^src/processors/[\w-]+/fixtures/[\w-]+\.eml$", "eml", "MIT (LICENSE)", "2022-2026",
         replace=(*_PURKHISER, (r"Anton\s+Paras", "Jamie Lee"), (r"Joseph\s+Pica", "Chris Park"),
                  (r"Jordan\s+Maxwell", "Alex Morgan")),
         note="Receipts the author received and saved as fixtures of his receipt-to-budget importer: "
              "Alaska, American, Delta, Southwest and United flight receipts, Amazon orders, Apple, "
              "Booking.com, Cloudflare, Lyft, Steam, Twitch and Uber receipts and notices; the plain "
              "part unless it is empty or mostly tracking links, else the HTML. The author's and his "
              "fellow travellers' names, address and mailbox are replaced."),
    Spec("email_service_notices", "simple-login/app", "dbc45fcce4e8e6b4fa615cc729ca95a67bf75266",
         r"^templates/emails/(com|transactional)/.*\.(txt|txt\.jinja2|txt\.j2|text\.jinja2)$", "template",
         "AGPL-3.0 (LICENSE)", "2019-2026", skip=r"/test-email\.|/base",
         subject_map=("app/email_utils.py",
                      r'\n\s*f?"([^"\n]+)",\s*\n\s*render\(\s*"(?:[\w-]+/)*([\w.-]+)"',
                      r"/([\w.-]+)$"),
         note="SimpleLogin's alias-service e-mails (activation, password reset, bounce and spam notices, "
              "mailbox and domain problems, subscription and trial ends, breach alerts) and its product "
              "newsletters and onboarding series, text parts filled once; subjects from email_utils.py "
              "where they are set there."),
    Spec("email_service_notices", "anonaddy/anonaddy", "202b77297ad60331f96fd0469997540063acd54a",
         r"^resources/views/mail/\w+\.blade\.php$", "anonaddy_template", "AGPL-3.0 (LICENSE.md)", "2019-2026",
         skip=r"/aliases_import_finished\.", replace=(TWICE,),
         note="addy.io (AnonAddy) account notices (failed login attempt, bandwidth warning, failed "
              "delivery, key expired, domain records invalid, verify e-mail), Blade Markdown mail, filled "
              "once; no subject (set in the notification classes)."),
    Spec("email_service_notices", "ory/kratos", "b86338da04a040247a07f46100a86dcfb3875909",
         r"^courier/template/courier/builtin/templates/.*/email\.body\.plaintext\.gotmpl$", "kratos_gotmpl",
         "Apache-2.0 (LICENSE)", "2020-2026", skip=r"/test_stub/",
         subject_file=(r"email\.body\.plaintext\.gotmpl$", "email.subject.gotmpl"),
         note="Ory Kratos identity e-mails (recovery, verification, login and registration codes, address "
              "changed, authenticator added), plain-text bodies with their subject templates, filled once."),
    Spec("email_service_notices", "bugzilla/bugzilla", "71e3af4326f0cd7a38931c3cdb1d40197c9e9ac2",
         r"^template/en/default/(account/email/[\w-]+\.txt\.tmpl|email/(lockout|new-api-key|new-user-details|"
         r"sudo|whine)\.txt\.tmpl)$", "bugzilla_template", "MPL-2.0 (LICENSE)", "2005-2026",
         note="Bugzilla's account and admin e-mails (address change, new account, new API key, lock-out, "
              "sudo session, bug-list reminder), Template Toolkit with its header block giving the "
              "subject, filled once."),
    Spec("email_service_notices", "feedbin/feedbin", "9bfc9f684afdc68b6c9bbd0d96e4a8e783608bf4",
         r"^app/views/user_mailer/\w+\.text\.erb$", "erb", "MIT (LICENSE.md)", "2013-2026", replace=(TWICE,),
         subject_map=("app/mailers/user_mailer.rb",
                      r'def (?=\w+(?:(?!\bdef ).)*?subject: "([^"]+)")(\w+)', r"/(\w+)\.text\.erb$"),
         note="Feedbin's account e-mails (payment receipt, payment failed, renewal reminder, trial and plan "
              "expiry, password reset, export ready), with subjects from user_mailer.rb, filled once."),
    Spec("email_service_notices", "feedbin/feedbin", "9bfc9f684afdc68b6c9bbd0d96e4a8e783608bf4",
         r"^app/views/marketing_mailer/\w+\.html\.erb$", "erb", "MIT (LICENSE.md)", "2013-2026",
         subject_map=("app/mailers/marketing_mailer.rb",
                      r'def (?=\w+(?:(?!\bdef ).)*?subject: "([^"]+)")(\w+)', r"/(\w+)\.html\.erb$"),
         note="Feedbin's onboarding and discount marketing series, with subjects from marketing_mailer.rb."),
    Spec("email_service_notices", "unkeyed/unkey", "fc99b6b925b9f455886832261883f4086eb64d3d",
         r"^web/internal/resend/emails/\w+\.tsx$", "tsx",
         "AGPL-3.0 (LICENSE: everything outside packages/ and internal/icons)", "2023-2026",
         note="Unkey's product e-mails (react-email): welcome, payment issue, budget alerts, leaked-key "
              "warning, API migration notice."),
    Spec("email_service_notices", "LemmyNet/lemmy-translations", "f03dfd1a4e73015b564ed230577d2fd8b23974f5",
         r"^backend/en\.json$", "i18n_json", "AGPL-3.0 (LICENSE)", "2020-2026",
         note="Lemmy's e-mails (verify address, password reset, registration approved/denied, reply, "
              "mention, private message, new report) from its English catalogue, filled once."),
    Spec("email_service_notices", "gogs/gogs", "eb1054e5432fc8397678372f08613429be233d7c",
         r"^templates/mail/.*\.tmpl$", "gogs_gotmpl", "MIT (LICENSE)", "2014-2026",
         note="Gogs's account and repository e-mails (activate, reset password, mention, comment, "
              "collaborator added), Go templates with the <title> as subject, filled once."),
    Spec("email_service_notices", "liberapay/liberapay.com", "cc5be724ecae6c2605711b42063c465bb2dd6438",
         r"^emails/\w+(~v\d)?\.spt$", "simplate", "CC0 1.0 (README: License, CC0 Public Domain Dedication)",
         "2015-2026", skip=r"/(base|newsletter)\.spt$",
         note="Liberapay's donation-platform e-mails (payment succeeded, failed, disputed, refunded; "
              "upcoming debits, renewal notices, invoices, team invitations, login links, account "
              "notices): subject and HTML pages of each simplate, gettext calls as their English text, "
              "inside the base greeting and footer, filled once."),
    Spec("email_service_notices", "lobsters/lobsters", "57268d762e1c2c95b7a8e64ee8deb259cddd8cc0",
         r"^app/views/\w+_mailer/\w+\.text\.erb$", "lobsters_erb", "BSD-3-Clause (LICENSE)", "2012-2026",
         note="Lobsters' community e-mails (invitation, reply and mention notices, password reset, ban "
              "notice, private message), filled once; no subject (set in the mailers)."),
    Spec("email_service_notices", "rubygems/rubygems.org", "3c8ea0d4cbe85bd2a2bb5d22486247656a3dfb6c",
         r"^app/views/\w*mailer/[a-z]\w*\.(text\.erb|html\.erb|erb)$", "rubygems", "MIT (MIT-LICENSE)",
         "2013-2026", replace=((r"(?m) mail to$", ""), (r"%\{gem\}", "tidy_json")),
         skip=r"/(cache_exposure_inactive_notice|cache_exposure_notice|admin_manual|email_confirmation|"
              r"webauthn_credential_(created|removed)|user_invited|owner_updated|ownership_confirmation|"
              r"change_password|compromised_password_reset|policy_update_announcement|webhook_(deleted|disabled))"
              r"\.html\.erb$|/email_reset\.erb$",
         note="RubyGems.org's account and security e-mails (authentication app and security device added or "
              "removed, API key created, revoked or reset, e-mail change, password reset, gem pushed or "
              "yanked, ownership changes, account deletion, webhook failures, an incident notice): ERB "
              "views with their t() copy from config/locales/en.yml, the text part where there is one, "
              "subjects from the locale or the mailer, filled once."),
    Spec("email_service_notices", "healthchecks/healthchecks", "29b5ec251059034b79e0120e2ff0c3e35d7bd9f8",
         r"^templates/emails/[\w-]+-body-text\.html$", "healthchecks_template", "BSD-3-Clause (LICENSE)",
         "2015-2026", subject_file=(r"-body-text\.html$", "-subject.html"),
         note="Healthchecks.io's cron-monitoring e-mails (check down alert, flapping notice, reminders, "
              "confirmation code, project invitation, ownership transfer, SMS and phone-call limits, "
              "inactive-account and deletion warnings): Django text templates with their subject "
              "templates, filled once."),
    Spec("email_service_notices", "firefly-iii/firefly-iii", "a95b82b14cb01b6e40491f2a94c53b47b71766e7",
         r"^resources/views/emails/[\w/-]+\.blade\.php$", "firefly_iii", "AGPL-3.0 (LICENSE)", "2016-2026",
         skip=r"/(admin-test|registered-admin|new-version|bill-warning|subscriptions-overdue-warning)\.|/owner/",
         note="Firefly III's (personal finance manager) account and security e-mails: new sign-in from an "
              "unknown address, failed login, MFA enabled or disabled, backup codes used or running out, "
              "e-mail change and undo, password reset, new access token or OAuth client, invitations, "
              "welcome; Blade Markdown mails whose copy is in trans() calls to the English language file, "
              "subjects from the Mail and Notification classes, filled once. Admin-only mails and the "
              "bill warnings (whose alternatives are separate @if blocks, all of which filling once "
              "would keep) are left out."),
    Spec("email_shop_notifications", "Qloapps/QloApps", "950b37ed1c044f2252149aa09ca7f9adeb97991e",
         r"(^|/)mails/en/[\w-]+\.txt$", "brace_txt", "OSL-3.0 (LICENSE.md)", "2016-2024",
         skip=r"/(test|log_alert|employee_password)\.txt$|^modules/(?!blocknewsletter|qlohotelreview)",
         note="QloApps' hotel-booking e-mails (booking confirmation, awaiting payment, refund requests, "
              "cancellations, check-in reminders, hotel reviews, newsletter), plain-text parts filled "
              "once; near-copies of thirty bees' shop mails are capped by the template filter."),
    Spec("email_shop_notifications", "FOSSBilling/FOSSBilling", "56a0871df1240dc1d0d12c1a278fbe3678821982",
         r"^src/modules/\w+/templates/email/mod_\w+\.html\.twig$", "twig_filled", "Apache-2.0 (LICENSE)",
         "2022-2026", skip=r"mod_email_test|mod_staff_",
         note="FOSSBilling's client e-mails (invoice created, paid, due, payment reminder, hosting, "
              "domain and licence activated/renewed/suspended/cancelled, sign-up, password reset, support "
              "tickets), Twig with a subject block, filled once; staff-only notices skipped."),
    Spec("email_shop_notifications", "HiEventsDev/Hi.Events", "944433c77947dc55278622cb8ceb5d208be89b07",
         r"^backend/resources/views/emails/.*\.blade\.php$", "blade_i18n",
         "AGPL-3.0 with a section 7(b) attribution term (LICENCE)", "2024-2026",
         skip=r"custom-template|/admin/|event/message",
         note="Hi.Events' ticketing e-mails (order confirmed, ticket, refund, cancellation, failed "
              "payment, waitlist offers, organizer summaries, account), Blade mails whose copy is in "
              "__() calls, filled once; no subject (set in the Mail classes)."),
    Spec("email_shop_notifications", "django-oscar/django-oscar", "cdbfc4412c87dd9037d62b04755780b76490373c",
         r"^src/oscar/templates/oscar/communication/emails/commtype_\w+_body\.txt$", "twig_filled",
         "BSD-3-Clause (LICENSE)", "2012-2026", subject_file=(r"_body\.txt$", "_subject.txt"),
         note="django-oscar's shop e-mails (order placed, product back in stock, registration, password "
              "and e-mail changes), with their subject templates, filled once."),
    Spec("email_shop_notifications", "vendure-ecommerce/vendure", "1633446f4ee203e5e3fbca628bee952893bffa5b",
         r"^packages/email-plugin/templates/[\w-]+/body\.hbs$", "mjml",
         "GPL-3.0 (LICENSE.md: GPLv3 Community Edition, or a commercial licence)", "2019-2026",
         note="Vendure's default e-mails (order receipt, e-mail verification, password reset, address "
              "change), MJML and Handlebars filled once; no subject (set in code)."),
    Spec("email_shop_notifications", "fossasia/open-event-server", "071d1595b4af5a711875706a8fd47ee2887656fe",
         r"^app/templates/email/\w+\.html$", "jinja_gettext", "GPL-3.0 (LICENSE)", "2016-2024",
         subject_map=("app/api/helpers/system_mails.py",
                      r"'subject': _\(\s*'([^']*)'\s*\),\s*(?:'sent_at': '[^']*',\s*)?"
                      r"'template': 'email/(\w+)\.html'",
                      r"email/(\w+)\.html$"),
         replace=((r"(?<=for using )" + _NAMES + r"(?=!)|(?<= on )" + _NAMES + r"$|(?<=Welcome to )" + _NAMES,
                   "Eventyay"), (r"\(invoice id\)", "(O1711523-42)"), (r"\border id\b", "O1711523-42"),
                  (r"\bbe (a )?role at", r"be \1co-organizer at"),
                  (r"Group: group\b", "Group: Open Source Berlin"),
                  (r"Session: session\b", "Session: Building accessible web apps")),
         note="Open Event Server's (eventyay) ticketing and event e-mails (ticket purchased, order "
              "cancelled, monthly invoices and reminders, speaker and role invitations, account), Jinja "
              "with gettext strings, filled once; subjects from system_mails.py."),
    Spec("email_shop_notifications", "impress-org/givewp", "d9fa8f64f04ad7449283064944f27a9d0bba7caf",
         r"^includes/(emails/functions|gateways/offline-donations|admin/emails/class-[\w-]+-email)\.php$",
         "php_concat", "GPL-3.0 (LICENSE; readme.txt: GPLv3)", "2015-2026",
         note="GiveWP's default donation e-mails (donation receipt, new and failed donation notices, "
              "offline donation instructions, donor registration), built from translated PHP strings, "
              "{tags} filled once."),
    Spec("email_shop_notifications", "spree/spree", "cee28a23d9965d3c873955f2a567212450e4b335",
         r"^spree/emails/app/views/spree/\w+_mailer/\w+\.(text|html)\.erb$", "spree",
         "BSD-3-Clause (LICENSE)", "2008-2026", skip=r"(?<!payment_link_email)\.html\.erb$",
         note="Spree Commerce's customer e-mails (order confirmation, cancellation, fulfilment with "
              "tracking, refund, payment link, password reset, newsletter confirmation, marketplace seller "
              "approved, rejected or suspended): text views (HTML where there is none) with their Spree.t() "
              "copy from the core locale, filled once."),
    Spec("email_shop_notifications", "solidusio/solidus", "1f5bf5c638f5fe9fbda4d480bdb7ebcfa39a9a5e",
         r"^core/app/views/spree/\w+_mailer/\w+\.text\.erb$", "solidus", "BSD-3-Clause (LICENSE.md)",
         "2015-2026", skip=r"/test_mailer/",
         note="Solidus's order e-mails (confirmation, cancellation, items cancelled, shipped, "
              "reimbursement), text views with their t() copy from the core locale, filled once; "
              "near-copies of Spree's are capped by the template filter."),
    Spec("sms_transaction_alerts", PENNYWISE, PENNYWISE_AT, r"^parser-core/src/test/kotlin/.*\.kt$",
         "kotlin_messages",
         "AGPL-3.0 (LICENSE; TRADEMARKS.md: the AGPL covers the source, not the name or logo)", "2025-2026",
         skip=r"(ParserTestUtils|XMLTestUtils|SupportedBanksDocTest)\.kt$",
         replace=((PAYEES, "PERSON NAME"),),
         note="PennyWise AI's bank-SMS parser test suite: the `message =` of every ParserTestCase and "
              "`val ...Message =` literal: transaction alerts (debit/credit, card spends, UPI, NEFT/IMPS, "
              "ATM, e-mandates, wallet and mobile-money notices, bill and OTP messages) from 100+ banks and "
              "wallets in India, the US, the Gulf, Africa, Nepal, Sri Lanka and elsewhere, contributed by "
              "users and anonymised (the suite calls itself 'the canonical, PII-free corpus of real message "
              "formats'); the few payee names left in are replaced; messages in other languages fail the "
              "English test.", kind="sms"),
    Spec("sms_transaction_alerts", PENNYWISE, PENNYWISE_AT,
         r"^parser-core/src/test/resources/fab_sms_test_data_anonymized\.xml$",
         "sms_backup_xml", "AGPL-3.0 (LICENSE)", "2023-2025",
         note="An anonymised SMS Backup & Restore export of First Abu Dhabi Bank messages (card purchases, "
              "ATM withdrawals, remittances, OTPs, card activation); merchant and amount fields were "
              "randomised by the contributor, so most rows are one template and the template cap keeps 5.",
         kind="sms"),
    Spec("sms_transaction_alerts", "transitive-bullshit/parse-otp-message",
         "435cfed87b0d002380a1cf21ff4c48319d9db6d4",
         r"^test/index\.js$", "js_message_fields", "MIT (package.json; readme 'MIT © Travis Fischer')",
         "2018-2019", replace=((r"\bScotty\b", "Alex"),),
         note="Verification-code SMS collected for parse-otp-message's tests (Google, Sony, LinkedIn, "
              "WhatsApp, GO-JEK, USCIS, Snapchat, Uber, WeChat, ...).", kind="sms"),
    Spec("sms_transaction_alerts", "SoFriendly/2fhey", "07308c8ba659add17218ecae6baca12883d40f69",
         r"^TwoFHeyTests/TwoFHeyTests\.swift$", "swift_parse_messages", "CC0 1.0 (LICENSE)", "2022-2025",
         note="2FHey's (macOS iMessage OTP autofill) parser tests, at the last commit before the test file "
              "was removed: verification-code texts from Resy, banks, airlines, delivery and other services; "
              "the ones copied from parse-otp-message fall out as duplicates.", kind="sms"),
    Spec("email_real_received", "jschool504/transactor", "ee6bf23fa0db20d8bd76d20fb08758c2e3d44f70",
         r"^app/lib/helpers/html/[\w-]+\.html$", "html_escaped", "ISC (package.json)", "2011-2023",
         replace=((r"(?i)jschool504@gmail\.com", "reader@example.com"),
                  (r"(?i)Jeremy\s+School", "Alex Morgan"),
                  (r"\bJeremy\b", "Alex"), (r"\bJEREMY\b", "ALEX"), (r"210 Homewood Rd", "100 Main St"),
                  (r"(?i)735 E CRAWFORD ST", "100 MAIN ST"),
                  (r"Linthicum, MD 21090-2606", "Springfield, MD 21000")),
         note="Receipts the author received, pasted as fixtures of his receipt-to-budget chat bot: an "
              "Amazon shipping confirmation, an Apple (iTunes) receipt, a Toast online-order receipt (Black "
              "& Brew), DigitalOcean, Google Play (YouTube Premium), Home Depot and Lowe's order notices, a "
              "Relay FM membership, a SunPass toll receipt and a Twitch subscription; line breaks written as "
              "literal \\r\\n and leftover quoted-printable are undone. His name, address and mailbox are "
              "replaced."),
    Spec("email_real_received", "xhos/arian-email-parser", "28bc24c1359313750b4cc6043ef87d63cde38123",
         r"^internal/email/rbc/testdata/[\w-]+\.decoded\.eml$", "eml_html_sniff", "GPL-3.0 (LICENSE)",
         "2025", skip=r"/fw-",
         note="RBC Royal Bank alert e-mails the author received and saved (already anonymised: card "
              "************1001, email@example.com) as fixtures of his bank-email transaction importer: "
              "purchase made, deposit notice, payment made, withdrawal warning, approaching credit limit, "
              "credit received; the forwarded copies (fw-) are left out."),
    Spec("sms_transaction_alerts", "pluspeople/pesaPi", "413a22497db46afc0deabe46b6d282265b64bdd9",
         r"^php/documentation/(?:\w+_private_examples|kenya_airtel_private)\.txt$", "pesapi_examples",
         "BSD (README.md: 'released under the BSD(lite) license')", "2011-2015",
         replace=(_PAYERS, _PHONES),
         note="PesaPi's documented examples of the mobile-money SMS a private account receives, copied "
              "from real phones: Safaricom M-PESA (Kenya), Vodacom M-PESA and Tigo Pesa (Tanzania), Airtel "
              "Money (Kenya, Ghana) -- money received and sent, airtime, agent deposits and withdrawals, "
              "paybill, M-Shwari, refunds, reversals, failures. The senders' and recipients' names and phone "
              "numbers are replaced; the French Congo examples fail the English test.", kind="sms"),
    Spec("email_real_received", "evanpurkhiser/email-to-lunchmoney",
         "09513363d0f4515658070bca3717f72eb35c3dce",
         r"^src/processors/(apple/fixtures/example-5|booking/fixtures/confirmation-usd-knickerbocker|"
         r"capital-one-flights/fixtures/receipt-1|chase-flights/fixtures/receipt-[\w-]+|"
         r"lyft-bike/fixtures/venmo|lyft-ride/fixtures/(rider-possessive-subject|venmo))\.eml$",
         "eml", "MIT (LICENSE)", "2026", replace=_PURKHISER,
         note="The upstream of thetestgame/email-to-lunchmoney (above): only the ten fixtures the fork's "
              "pinned commit lacks -- an Apple receipt, a Booking.com confirmation, Capital One Travel and "
              "Chase Travel flight bookings (billed and points-only), Lyft bike and ride receipts. "
              "The author's name, mailbox and address are replaced."),
    Spec("email_real_received", "zkp2p/zk-p2p", "77dbe25586a2abff1805e3d58b7397e40cb99748",
         r"^circuits-circom/emls/venmo_\w+\.eml$", "eml", "MIT (LICENSE)", "2023",
         replace=((r"alice12345678909876543210@gmail\.com", "reader@example.com"),),
         note="Venmo payment notifications (you paid, you were paid, charge request completed) received "
              "by the developers and kept, DKIM-signed, as fixtures of ZKP2P's e-mail proof circuits; the "
              "counterparties' names were already changed (John Stonk, Bob Johnson Jr)."),
    Spec("email_real_received", "ollien/ynabifier", "1c353f96cfbc7a2c61a92a34bdd3ced6a650b164",
         r"^src/parse/testdata/(citi|td)/\1\.eml$", "eml", "Apache-2.0 (LICENSE)", "2022",
         note="A Citi Double Cash transaction alert and a TD Bank purchase alert the author received "
              "(already anonymised: Someone Cardholder, card ending in 1234), fixtures of his "
              "e-mail-to-YNAB importer; the wrong-sender copies are left out."),
    Spec("email_public_service_notices", "18F/identity-idp", "e4407766eb797428a21ff226f935d7ee0950ecff",
         r"^app/views/(user_mailer|anonymous_mailer)/[a-z]\w*(\.html)?\.erb$", "login_gov",
         "CC0 1.0 / US public domain (LICENSE.md)", "2017-2026", skip=r"/idv_please_call\.",
         note="Login.gov's (GSA) account e-mails: confirm e-mail, password reset and changed, new-device "
              "sign-in alerts, MFA added or removed, account deletion, identity verification results, "
              "in-person proofing at the Post Office, verify-by-mail letters; ERB views with their t() copy "
              "from config/locales/en.yml, subjects from the locale or the mailer, filled once."),
    Spec("email_public_service_notices", "alphagov/signon", "f501a92ef0f97c9357f21ef2f7a5dbe40419575b",
         r"^app/views/(user_mailer|devise/mailer)/\w+\.text\.erb$", "govuk_signon",
         "MIT (LICENCE, Crown copyright GDS)", "2015-2026",
         note="GOV.UK Signon's (Government Digital Service) account e-mails: invitation, password reset, "
              "unlock, suspension reminder and notice, 2-step verification set up, changed or reset, e-mail "
              "changed; plain-text ERB views inside the mailer layout, copy from the locale files."),
    Spec("email_public_service_notices", "codeforamerica/vita-min",
         "4612fee9b1e819644783d05b994995ee702baf41", r"^config/locales/en\.yml$", "vita_min", "MIT (LICENSE)",
         "2020-2026", replace=((r"(?<=upload )REPLACE ME", "your 2024 W-2"),
                               (r"REPLACE ME", "Tuesday, March 4 at 2:00 PM")),
         note="GetYourRefund, GetCTC and FileYourStateTaxes (Code for America, free tax filing) client "
              "e-mails: sign-up, documents requested, return filed, accepted or rejected, payment due, "
              "deadline reminders, verification codes, surveys, and the canned case updates preparers send; "
              "from its English locale, placeholders filled once."),
    Spec("email_public_service_notices", "mysociety/alaveteli", "351eb61e0619a6f462bfc6f823c93cc42251d573",
         r"^app/views/(\w+/)?\w+_mailer/.*\.text\.erb$", "alaveteli", "AGPL-3.0 (LICENSE.txt)", "2008-2026",
         skip=r"/(metrics_mailer|webhook_mailer|public_body_change_request_mailer)/|/_",
         note="Alaveteli's (mySociety: WhatDoTheyKnow and other Freedom of Information sites) requester "
              "e-mails: request sent, response received, delayed and overdue alerts, clarification asked, "
              "embargo expiry, account notices; ERB views whose copy is in gettext _() calls, subjects from "
              "the mailers, filled once."),
    Spec("email_brand_marketing", "resend/react-email", "ffe605819782b31d7f946e30f938b1b63e6b239c",
         r"^apps/demo/emails/.*\.tsx$", "tsx", "MIT (LICENSE.md)", "2023-2026",
         skip=r"-fonts\.tsx$|/theme\.tsx$",
         note="react-email's demo e-mails: recreations of real brands' mail (Nike, Amazon, Apple, Stripe, "
              "Koala, Netlify, CodePen, Stack Overflow, Google Play, Yelp, ...) and its own theme sets "
              "(welcome, product update, promo code, abandoned cart, newsletter), props at their sample "
              "values."),
    Spec("email_brand_marketing", "ropensci/roweb3", "d84b7eb675f82b6282411055374bd1a7c16b4b5a",
         r"^content/blog/20\d\d-\d\d-\d\d-[\w-]*news[\w-]*(/index)?\.md$", "markdown",
         "CC BY 4.0 (themes/ropensci/layouts/partials/blogs/blog-single.html: 'Except where otherwise noted, "
         "content on this site is licensed under the CC-BY license')", "2019-2026",
         skip=r"news-meta|software-peer-review-news", limit=40,
         replace=((r"(?s)\{\{<.*?>\}\}", ""),),  # Hugo figure shortcodes spanning lines
         note="rOpenSci News Digest, the organisation's monthly newsletter e-mailed to subscribers through "
              "Mailchimp and archived as a blog post (40 of its 73 issues, spread over the years): team "
              "news, events, newly reviewed packages, calls for contributors."),
)

MIN_WORDS = 20
MAX_BODY = 6000
TEMPLATE_CAP = 5
SIMILAR = 0.6
_STOP = frozenset(("the", "and", "to", "of", "a", "in", "for", "is", "you", "your", "on", "this", "that",
                   "with", "be", "are", "it", "we", "our", "at", "by", "from", "have", "will", "as", "or",
                   "not", "can", "an", "if", "more", "all"))


# ---- reading a pinned commit ---------------------------------------------------------------


def git_dir(mirrors: Path, repo: str) -> Path:
    """The git directory `fetch` left for owner/name: bare, or a work tree's .git."""
    folder = mirrors / repo.replace("/", "+") / "repo"
    return folder / ".git" if (folder / ".git").is_dir() else folder


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
    message) and admits at most TEMPLATE_CAP of each group; with a shape (a message's wording with
    its values masked), at most TEMPLATE_CAP of each shape too."""

    def __init__(self) -> None:
        self.groups: list[tuple[frozenset[str], list[int]]] = []
        self.shapes: Counter = Counter()

    def admit(self, text: str, shape: str = "") -> bool:
        if (shape and self.shapes[shape] >= TEMPLATE_CAP) or not self._grouped(text):
            return False
        if shape:
            self.shapes[shape] += 1
        return True

    def _grouped(self, text: str) -> bool:
        mine = shingles(text)
        for first, size in self.groups:
            if len(mine & first) >= SIMILAR * len(mine | first):
                if size[0] >= TEMPLATE_CAP:
                    return False
                size[0] += 1
                return True
        self.groups.append((mine, [1]))
        return True


def email_text(subject: str, body: str) -> tuple[str, str]:
    """An e-mail's record text, or "" and the reason it is dropped."""
    body = truncate(body)
    if _PLACEHOLDER.search(body):
        return "", "placeholder_text"
    if len(body.split()) < MIN_WORDS:
        return "", "tiny"
    if not is_english(f"{subject}\n{body}"):
        return "", "non_english"
    return f"Subject: {subject}\n\n{body}", ""


def sms_text(subject: str, body: str) -> tuple[str, str]:
    """A text message's record text (the message alone), or "" and the reason it is dropped."""
    if len(body.split()) < smsfiles.MIN_WORDS:
        return "", "short"
    if len(body) > smsfiles.MAX_CHARS:
        return "", "long"
    if not smsfiles.is_english(body):
        return "", "non_english"
    return body, ""


def _no_shape(text: str) -> str:
    return ""


def accept(messages: Iterator[Message | Skipped], spec: Spec, seen: set[str], templates: Templates,
           counts: Counter) -> Iterator[dict]:
    """The records of one spec's messages that pass every filter; reasons of the rest counted."""
    record_text, shape = (sms_text, smsfiles.skeleton) if spec.kind == "sms" else (email_text, _no_shape)
    for item in messages:
        if isinstance(item, Skipped):
            counts[f"skipped_{item.reason}"] += 1
            continue
        counts["read"] += 1
        subject = " ".join(item.subject.split())
        body = tidy(item.body)
        for pattern, replacement in spec.replace:
            subject, body = re.sub(pattern, replacement, subject), re.sub(pattern, replacement, body)
        text, dropped = record_text(subject, body)
        if dropped:
            counts[f"dropped_{dropped}"] += 1
            continue
        key = dedup_key(text)
        if key in seen:
            counts["dropped_duplicate"] += 1
            continue
        if not templates.admit(text, shape(text)):
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
    code = decode(read_blob(gd, spec.commit, source))
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
        SALT.set(spec.repo)  # the fills of subjects set in code: the same whatever was built before
        subjects = subject_map(gd, spec)
        reader = READERS[spec.reader]
        if isinstance(reader, railsmail.RailsViews | railsmail.LaravelViews):  # it reads other files too
            reader = reader.bind(railsmail.Files(frozenset(every), partial(read_blob, gd, spec.commit)))
        for path in tqdm(paths, desc=f"{corpus} {spec.repo}", unit="file", leave=False):
            SALT.set(path)
            data = read_blob(gd, spec.commit, path)
            if spec.subject_file[0]:
                subject_path = re.sub(*spec.subject_file, path)
                subject = decode(read_blob(gd, spec.commit, subject_path)) if subject_path in every else ""
                subject = substitute(getattr(reader, "pre", ()), subject)  # a template_with's values
                data = f"Subject: {' '.join(render_template(subject).split())}\n".encode() + data
            elif subjects:
                name = re.search(spec.subject_map[2], path)
                subject = subjects.get(name.group(1).replace("/", ".") if name else "", "")
                data = f"Subject: {subject}\n".encode() + data
            messages = reader(path, data)
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
    kept = (f"Kept: English (stop-word test), at least {MIN_WORDS} words, no lorem-ipsum filler, exact "
            f"duplicates dropped, at most {TEMPLATE_CAP} messages per near-identical template (five-word "
            f"shingles, digits masked, Jaccard >= {SIMILAR} with the template's first message).")
    shape = ('`"Subject: <subject>\\n\\n<body>"` (text/plain preferred, else HTML as visible text; '
             f"Markdown links as \"title (url)\"), body cut at ~{MAX_BODY} characters on a line break. ")
    if any(spec.kind == "sms" for spec in specs):
        shape = "the message alone (no subject). "
        kept = (f"Kept: English (Latin letters, English function words outnumbering other languages'), "
                f"{smsfiles.MIN_WORDS} words to {smsfiles.MAX_CHARS} characters, exact duplicates dropped, "
                f"at most {TEMPLATE_CAP} messages per near-identical template or per wording once digits "
                "and upper-case words are masked; test cases named as phishing or spam left out.")
    lines += ["", "## Format", 'One JSON object a line: `{"text", "label", "source", "id"}`; text is '
              + shape + kept, "",
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
    parser.add_argument("--mirrors", type=Path)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--only", nargs="*", help="corpus names (default: all)")
    parser.add_argument("--repos", action="store_true",
                        help="print each repository the corpora need and its pinned commit, then stop: "
                             "mirror one with git clone --bare https://github.com/OWNER/NAME "
                             "MIRRORS/OWNER+NAME/repo")
    args = parser.parse_args(argv)
    by_corpus: dict[str, list[Spec]] = defaultdict(list)
    for spec in SOURCES:
        if not args.only or spec.corpus in args.only:
            by_corpus[spec.corpus].append(spec)
    if args.repos:
        for repo, commit in sorted({(s.repo, s.commit) for specs in by_corpus.values() for s in specs}):
            print(repo, commit)
        return 0
    if not args.mirrors or not args.out:
        parser.error("--mirrors and --out are needed to build the corpora")
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
