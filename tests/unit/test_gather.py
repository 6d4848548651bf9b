"""export.mailfiles, appmail and smsfiles readers and export.gather filters on tiny messages
written here, and one build
from a git repository the test makes itself (no mirror, no network)."""

from __future__ import annotations

import json
import re
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from export import appmail, gather, mailfiles, railsmail, smsfiles
from export.gather import Spec, Templates
from export.mailfiles import Message, Skipped

WORDS = ("Your order has shipped and is on its way to you. You can track the parcel with the link "
         "below, and we will let you know when it has been delivered to your door.")


def spec(**changes) -> Spec:
    fields = dict(corpus="c", repo="o/r", commit="0" * 40, paths=".", reader="eml", licence="MIT",
                  years="2024")
    return Spec(**(fields | changes))


def test_eml_prefers_the_plain_part_and_falls_back_to_visible_html() -> None:
    def alternative(plain: str) -> bytes:
        return (b"Subject: Shipped\nMIME-Version: 1.0\nContent-Type: multipart/alternative; boundary=b\n\n"
                b"--b\nContent-Type: text/plain\n\n" + plain.encode() + b"\n"
                b"--b\nContent-Type: text/html\n\n<p>html words</p>\n--b--\n")
    html_only = b"Subject: Sale\nContent-Type: text/html\n\n<style>p{}</style><p>Half <b>price</b></p>"
    tracking = " ".join(f"https://click.example.com/ls/{i}/{'x' * 60}" for i in range(8))
    [plain] = mailfiles.read_eml("a.eml", alternative(WORDS))
    [markup] = mailfiles.read_eml("b.eml", html_only)
    assert (plain.subject, plain.body.strip()) == ("Shipped", WORDS)
    assert (markup.subject, " ".join(markup.body.split())) == ("Sale", "Half price")
    # A plain part that is nearly empty, or mostly tracking links, gives way to the HTML.
    for poor in ("View this e-mail in your browser", f"{WORDS} {tracking}"):
        [m] = mailfiles.read_eml("c.eml", alternative(poor))
        assert m.body.strip() == "html words"
    # An HTML page sent as text/plain is read as HTML.
    [page] = mailfiles.read_eml("d.eml", b"Subject: Out\nContent-Type: text/plain\n\n<!DOCTYPE html><html>"
                                         b"<style>p{}</style><p>Out for <b>delivery</b></p></html>")
    assert " ".join(page.body.split()) == "Out for delivery"


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
    arrow = b"""export const Cart = ({ shop, item }: Props) => (
  <Html><Preview>Still thinking it over? \\u2014 {shop}</Preview><Text>Your {item} is waiting.</Text></Html>
);
Cart.PreviewProps = { shop: 'Koala', item: "sofa &amp; cushions" } as Props;"""
    [m] = mailfiles.read_tsx("cart.tsx", arrow)
    assert (m.subject, m.body) == ("Still thinking it over? \u2014 Koala", "Your sofa & cushions is waiting.")


def test_rails_views_read_their_words_from_the_locale_and_the_mailer() -> None:
    files = {
        "config/locales/en.yml": "en:\n  user_mailer:\n    reset:\n"
                                 "      subject: Reset your %{app} password\n"
                                 "      intro: Someone asked to reset the password of %{email}.\n"
                                 "  common:\n    thanks: Thank you, the %{app} team\n",
        "app/views/user_mailer/reset.text.erb": "<%= t('.intro', email: @user.email) %>\n"
                                                "<% if @expires %>The link expires soon.<% end %>\n"
                                                "<%= render 'shared/sign_off' %>",
        "app/views/shared/_sign_off.text.erb": "<%= t('common.thanks') %><%= yield %>",
        "app/views/user_mailer/hello.text.erb": "<%= @title = t('common.thanks') %>\n"
                                                "Write to <%= mail_to('help@example.org', 'the desk') %>.",
        "app/views/user_mailer/notice.text.erb": "<%= _('Your {{law}} request was sent.', law: 'x') %>",
        "app/mailers/user_mailer.rb": "def notice\n  mail(subject: _('Request sent'))\nend\n",
    }
    bound_files = railsmail.Files(frozenset(files), lambda path: files[path].encode())
    consts = {"app": "Login.gov", "law": "FOI"}
    bound = railsmail.RailsViews(r"^config/locales/en\.yml$", consts).bind(bound_files)
    view = "app/views/user_mailer/reset.text.erb"
    [reset] = bound(view, files[view].encode())
    assert reset.subject == "Reset your Login.gov password"
    assert re.fullmatch(r"Someone asked to reset the password of \S+@\S+\.\n+The link expires soon\.\n+"
                        r"Thank you, the Login\.gov team", reset.body.strip()), reset.body
    view = "app/views/user_mailer/hello.text.erb"  # an assignment shows its value; mail_to its text
    [hello] = bound(view, files[view].encode())
    assert hello.body.split("\n") == ["Thank you, the Login.gov team", "Write to the desk."]
    # Spree.t keys written without their scope; a trailing `if`; a constant's value; || inside a call
    order = ("<%= Spree.t('thanks', app: @store.name || 'Shop') if @paid %> "
             "Total: <%= Spree::Money.new(@order.total) %>")
    shop = railsmail.RailsViews(r"^config/locales/en\.yml$", {"store.name": "Acme", "Spree::Money": "$4.99"},
                                scope="common").bind(bound_files)
    [paid] = shop("app/views/user_mailer/order.text.erb", order.encode())
    assert paid.body.strip() == "Thank you, the Acme team Total: $4.99"
    view = "app/views/user_mailer/notice.text.erb"
    [notice] = bound(view, files[view].encode())
    assert (notice.subject, notice.body.strip()) == ("Request sent", "Your FOI request was sent.")
    lang, view = "resources/lang/en_US/email.php", "resources/views/emails/new-ip.blade.php"
    laravel = {  # Blade mail whose words are in a PHP language file, its subject in the Mail class
        lang: "<?php\nreturn [\n    'new_ip_subject' => 'New login on Firefly III',\n"
              "    'new_ip_body' => 'We saw a login from :ip for `:email`.',\n];\n",
        "app/Mail/NewIp.php": "$this->markdown('emails.new-ip')->subject(trans('email.new_ip_subject'));",
        view: "{{ trans('email.new_ip_body', ['email' => $user->email]) }}\nBrowser: {{ $userAgent }}",
    }
    read = railsmail.LaravelViews(r"email\.php$", {"ip": "203.0.113.7", "userAgent": "Firefox"}).bind(
        railsmail.Files(frozenset(laravel), lambda path: laravel[path].encode()))
    [login] = read(view, laravel[view].encode())
    assert login.subject == "New login on Firefly III"
    assert re.fullmatch(r"We saw a login from 203\.0\.113\.7 for \S+@\S+\.\s+Browser: Firefox",
                        login.body.strip()), login.body
    locale = (b"en:\n  messages:\n    accepted:\n      email:\n        subject: Return accepted\n"
              b"        body: Hi %{first_name}, your <<Client.TaxYear>> return was accepted.\n"
              b"  macros:\n    waiting: We are waiting for your documents.\n")
    read = railsmail.yaml_mail({"first_name": "Alex", "TaxYear": "2024"}, (r"^macros\.\w+$", "Update"))
    assert [(m.id, m.subject, m.body) for m in read("en.yml", locale)] == [
        ("en.yml#messages.accepted.email", "Return accepted", "Hi Alex, your 2024 return was accepted."),
        ("en.yml#macros.waiting", "Update", "We are waiting for your documents.")]


APP_TEMPLATES = [  # (reader, path, template, the text it must read as)
    ("erb", "app/views/user_mailer/receipt.text.erb",
     "Hi <%= @user.name %>,\n<% if @trial %>Your trial ends soon.<% else %>Thanks.<% end %>\n"
     "<%= link_to 'Your account', account_url %><%# a comment %>",
     r"Hi [\w' ]+, Your trial ends soon\. Your account"),
    ("gogs_gotmpl", "templates/mail/auth/activate.tmpl",
     "<html><head><title>{{.User.Name}}, activate your account</title></head><body><p>Thanks for joining "
     "{{AppName}}!</p>{{if .Code}}<p>Code: {{.Code}}</p>{{end}}</body></html>",
     r"Thanks for joining Gogs! Code: \S+"),
    ("brace_txt", "mails/en/shipped.txt",
     "Hi {firstname},\nYour order {order_name} has shipped with {carrier}.",
     r"Hi \w+, Your order [A-Z]+ has shipped with (UPS Standard|DHL Express)\."),
    ("blade_i18n", "backend/resources/views/emails/orders/refunded.blade.php",
     "@php $x = 1; @endphp\n<x-mail::message>\n{{ __('Your refund for :event is on its way.', "
     "['event' => $event->getTitle()]) }}\n</x-mail::message>",
     r"Your refund for [\w #]+ is on its way\."),
    ("jinja_gettext", "app/templates/email/ticket_purchased.html",
     "<p>{{ _('Thanks for buying tickets for %(event_name)s.', event_name=event.name) }}</p>",
     r"Thanks for buying tickets for (FOSSASIA Summit|Berlin Tech Meetup #42)\."),
    ("twig_filled", "src/modules/invoice/templates/email/mod_invoice_paid.html.twig",
     "{% block subject %}Invoice {{ invoice.serie_nr }} paid{% endblock %}{% block content %}<p>We received "
     "{{ formatMoney(invoice.total) }} for {{ order.title }}.</p>{% endblock %}",
     r"We received (\$25\.00|€49\.90|\$310\.45) for [^.]+\."),
    ("php_concat", "includes/emails/functions.php",
     "<?php\nfunction give_get_default_donation_receipt_email() {\n"
     "  $body = __( 'Thank you for your donation to', 'give' ) . ' {sitename}.' . \"\\n\";\n"
     "  $body .= '<strong>' . __( 'Donation:', 'give' ) . '</strong> {donation}' . \"\\n\";\n"
     "  return $body;\n}\n",
     r"Thank you for your donation to [\w ]+\. Donation: [\w ]+"),
    ("mjml", "packages/email-plugin/templates/order-confirmation/body.hbs",
     "<mjml><mj-raw><style>x</style></mj-raw><mj-body><mj-text>Thank you for your order {{ order.code }}."
     "</mj-text><mj-button href=\"{{url}}\">View order</mj-button></mj-body></mjml>",
     r"Thank you for your order \w+\. View order"),
    ("simplate", "emails/payin_succeeded.spt",
     "[---] -/subject\n{{ _(\"Your payment has succeeded\") }}\n[---] text/html\n"
     "<p>{{ _(\"The payment of {money_amount} has succeeded.\", money_amount=payin.amount) }}</p>\n",
     r"Greetings, The payment of \S+ has succeeded\. Something wrong\? .*"),
    ("healthchecks_template", "templates/emails/nag-body-text.html",
     "Hello,\n{{ num_down }} check{{ num_down|pluralize }} in {{ project|safe }} are down on "
     "{% site_name %}.",
     r"Hello, 2 checks in Backups are down on Healthchecks\.io\."),
    ("bugzilla_template", "template/en/default/email/lockout.txt.tmpl",
     "From: [% Param('mailfrom') %]\nSubject: [[% terms.Bugzilla %]] Account locked\n\n"
     "Too many login attempts ([% constants.MAX_LOGIN_ATTEMPTS %]) for your account.\n",
     r"Too many login attempts \(3\) for your account\."),
]


@pytest.mark.parametrize(("reader", "path", "template", "reads"), APP_TEMPLATES,
                         ids=[row[0] for row in APP_TEMPLATES])
def test_app_templates_of_other_languages_are_filled_into_plain_text(reader: str, path: str, template: str,
                                                                     reads: str) -> None:
    mailfiles.SALT.set(path)
    [m] = appmail.READERS[reader](path, template.encode())
    text = " ".join(m.body.split())
    assert re.fullmatch(reads, text), text
    assert not re.search(r"\{\{|\}\}|<%|\{%|\[%|@php|__\(|<mj-|\{\w+\}", f"{m.subject} {text}")


KOTLIN = '''class HdfcTest {
  val cases = listOf(
    ParserTestCase(name = "debit",
                   message = "Rs.500.00 debited from a/c XX1234 to VPA shop@upi. Not you? Call us"),
    ParserTestCase(name = "interpolated", message = "Rs.${amount} debited from a/c XX1234 today, thank you"),
  )
  val creditMessage = """
      Dear Customer, Rs.1,200.00 credited to your account XX1234.
      Avl bal Rs.5,000.00
  """.trimIndent()
  val otpMessage = "Your OTP for login is 123456. " +
      "Do not share it with anyone."
  val cases2 = listOf(ParserTestCase(name = "phishing lookalike",
                                     message = "Your account is blocked, verify now"))
}'''


def test_text_messages_are_read_from_test_code_and_phishing_cases_left_out() -> None:
    items = list(smsfiles.read_kotlin_messages("HdfcTest.kt", KOTLIN.encode()))
    assert [m.body for m in items if isinstance(m, Message)] == [
        "Rs.500.00 debited from a/c XX1234 to VPA shop@upi. Not you? Call us",
        "Dear Customer, Rs.1,200.00 credited to your account XX1234.\nAvl bal Rs.5,000.00",
        "Your OTP for login is 123456. Do not share it with anyone."]
    skipped = [i.reason for i in items if isinstance(i, Skipped)]
    assert skipped == ["interpolated", "labelled_spam_or_phishing"]
    js = b"[{ message: 'Your Uber code: 1234. Never share it.' }, { message: `Use ${x} to log in` }]"
    assert [getattr(m, "body", m) for m in smsfiles.read_js_message_fields("t.js", js)] == [
        "Your Uber code: 1234. Never share it.", Skipped("interpolated")]
    swift = b'parser.parseMessage(#"Your Resy code is 998877."#)'
    [resy] = smsfiles.read_swift_parse_messages("T.swift", swift)
    assert resy.body == "Your Resy code is 998877."
    backup = b'<smses><sms type="1" body="Card 1234 at CAFE &amp; BAR" /><sms type="2" body="x" /></smses>'
    assert [m.body for m in smsfiles.read_sms_backup_xml("b.xml", backup)] == ["Card 1234 at CAFE & BAR"]


def test_saved_bodies_and_documented_examples_are_read_as_received() -> None:
    [pasted] = mailfiles.read_html_escaped("a.html", b"Thanks for your order!\\r\\nTotal:=20$12.00\\r\\nBye")
    assert pasted.body == "Thanks for your order!\nTotal: $12.00\nBye"
    cut = (b"Subject: Purchase made\nFrom: alerts@example.com\n\n"
           b"<html><p>A purchase of <b>$12.00</b>.</p></html>\n")
    [alert] = mailfiles.read_eml_html_sniff("c.eml", cut)
    assert (alert.subject, " ".join(alert.body.split())) == ("Purchase made", "A purchase of $12.00.")
    doc = (b"Notifications for private accounts\n" + b"-" * 20 + b"\nMoney received\n"
           b"$example = 'BK12 Confirmed. You have received Ksh500.00 from PERSON NAME';\n" + b"-" * 20 +
           b"\nAirtime purchase:\n\nBK13 Confirmed. You bought Ksh50.00 of airtime.\n")
    assert [m.body for m in smsfiles.read_pesapi_examples("examples.txt", doc)] == [
        "BK12 Confirmed. You have received Ksh500.00 from PERSON NAME",
        "BK13 Confirmed. You bought Ksh50.00 of airtime."]


def test_text_messages_pass_their_own_filters() -> None:
    alerts = [Message(f"a{i}", "", f"Rs.{i}00.00 debited from a/c XX{i}234 on 0{i}-02-25. Not you? Call us")
              for i in range(1, 8)]
    messages = [Message("short", "", "Your OTP is 1234"),
                Message("sw", "", "Umepokea Ksh 500 kutoka kwa JOHN tarehe 1/2/25 salio lako ni Ksh 900"),
                Message("long", "", "Your statement is ready. " * 80), *alerts]
    counts: Counter = Counter()
    rows = list(gather.accept(iter(messages), spec(kind="sms"), set(), Templates(), counts))
    assert (counts["dropped_short"], counts["dropped_non_english"], counts["dropped_long"]) == (1, 1, 1)
    # Seven alerts differ only in their numbers: one wording, kept TEMPLATE_CAP times.
    assert len(rows) == gather.TEMPLATE_CAP == counts["kept"] and counts["dropped_template_cap"] == 2
    assert rows[0]["text"] == alerts[0].body  # the message alone: no subject line


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


def test_the_repositories_to_mirror_are_listed_with_their_pinned_commits(capsys) -> None:
    assert gather.main(["--repos", "--only", "email_nazario_2015_2020"]) == 0
    assert capsys.readouterr().out == f"{gather.NAZARIO} f8f9e32f8d5df6fb6460a9c0a1da870fbb51fbb8\n"
    assert gather.main(["--repos"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert len(listed) == len({(s.repo, s.commit) for s in gather.SOURCES})
    assert all(re.fullmatch(r"[\w.-]+/[\w.-]+ [0-9a-f]{40}", line) for line in listed)
    with pytest.raises(SystemExit):  # building needs both folders
        gather.main(["--out", "corpora"])
