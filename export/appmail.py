"""Readers of app e-mail templates in the template languages export.mailfiles does not read:
Rails ERB, Go templates, Liberapay's simplates, Template Toolkit and Blade with fixed product words,
PrestaShop-family {placeholder} texts, Blade and Jinja mails whose copy is in translation calls,
Twig, MJML and GiveWP's PHP-built bodies. Each fills a template once, as mailfiles does, with
values of the right kind where the generic filler would put a person's name in a product's place.

Every reader takes (path, bytes) and yields Message, or Skipped with the reason it was left out.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from export import mailfiles as mf
from export.mailfiles import (
    TITLE,
    Message,
    Skipped,
    decode,
    fill,
    pick,
    read_template,
    render_template,
    substitute,
)

Reader = Callable[[str, bytes], Iterator[Message | Skipped]]

_HEADERS = re.compile(r"\A\s*((?:[A-Za-z][\w-]*:[^\n]*\n)+)\n")


def _headed(path: str, body: str, subject: str = "") -> Message:
    """A rendered mail that may open with RFC 822 header lines: Subject kept, the rest dropped."""
    head = _HEADERS.match(body)
    if head and re.search(r"^(From|To|Subject):", head.group(1), re.M):
        found = re.search(r"^Subject:\s*(.*)$", head.group(1), re.M)
        subject = found.group(1) if found else subject
        body = body[head.end() :]
    return Message(path, " ".join(subject.split()), body)


@dataclass(frozen=True)
class template_with:
    """read_template after fixed substitutions `pre` of the raw template (product names, config
    look-ups); with `headers`, a rendered header block (From/To/Subject) gives the subject.
    export.gather applies `pre` to a subject template kept in a file of its own too."""

    pre: tuple[tuple[str, str], ...]
    headers: bool = False

    def __call__(self, path: str, data: bytes) -> Iterator[Message | Skipped]:
        text = substitute(self.pre, decode(data).replace("\r\n", "\n"))
        for message in read_template(path, text.encode()):
            if self.headers and isinstance(message, Message):
                message = _headed(path, message.body.lstrip(), message.subject)
            yield message


# ---- Rails ERB ---------------------------------------------------------------------------------

ERB = (
    (r"<%#.*?%>", ""),
    (r"<%-?\s*(?:if|unless)\b.*?-?%>", "{{#if x}}"),
    (r"<%-?\s*(?:elsif\b.*?|else\s*)-?%>", "{{else}}"),
    (r"<%-?\s*end\s*-?%>", "{{/if}}"),
    (r"<%-?[^=][^%]*?\bdo\b(?:\s*\|[^|]*\|)?\s*-?%>", "{{#if x}}"),  # a block (loop): once
    (r"<%=\s*link_to\s*\(?\s*[\"']([^\"']+)[\"'].*?%>", r"\1"),
    (r"<%=\s*[\"']([^\"']*)[\"']\s*-?%>", r"\1"),
    (r"<%==?\s*(.*?)\s*-?%>", lambda m: "{{" + re.sub(r"[{}]", "", m.group(1)) + "}}"),
    (r"<%-?.*?-?%>", ""),
)


def erb_reader(pre: tuple[tuple[str, str], ...] = ()) -> Reader:
    """A Rails mailer view (.text.erb / .html.erb) filled once: ERB tags as their Handlebars
    equivalents, then read_template; `pre` substitutes fixed values first."""

    def reader(path: str, data: bytes) -> Iterator[Message | Skipped]:
        text = substitute((*pre, *ERB), decode(data).replace("\r\n", "\n"))
        yield from read_template(path, text.encode())

    return reader


# ---- Go templates --------------------------------------------------------------------------------

_GO = (
    (r"\{\{-?\s*/\*.*?\*/\s*-?\}\}", ""),
    (r"\{\{-?\s*(?:if|with|range)\b[^{}]*?-?\}\}", "{{#if x}}"),
    (r"\{\{-?\s*else\b[^{}]*?-?\}\}", "{{else}}"),
    (r"\{\{-?\s*end\s*-?\}\}", "{{/if}}"),
    (r"\{\{-?\s*(?:template|define|block)\b[^{}]*?-?\}\}", ""),
    (r"\{\{-?\s*\.?([\w.]+)[^{}]*?-?\}\}", r"{{\1}}"),
)


def gotmpl_reader(pre: tuple[tuple[str, str], ...] = ()) -> Reader:
    """A Go text/html template filled once; an HTML <title> is the subject."""

    def reader(path: str, data: bytes) -> Iterator[Message | Skipped]:
        text = substitute((*pre, *_GO), decode(data).replace("\r\n", "\n"))
        title = TITLE.search(text)
        if title:
            subject = " ".join(html.unescape(render_template(title.group(1))).split())
            text = f"Subject: {subject}\n" + re.sub(r"<head\b.*?</head>", "", text, flags=re.S | re.I)
        yield from read_template(path, text.encode())

    return reader


# ---- Liberapay simplates ------------------------------------------------------------------------

_SIMPLATE_CALL = re.compile(r'\b(?:_|ngettext)\(\s*((?:"(?:[^"\\]|\\.)*"\s*,?\s*)+)')


def _top_args(rest: str) -> list[str]:
    """The comma-separated arguments at the top level of a call's remainder, up to its ")"."""
    args, depth, quote, current = [], 0, "", ""
    for ch in rest:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            if depth == 0:
                break
            depth -= 1
        elif ch == "," and depth == 0:
            args.append(current)
            current = ""
            continue
        current += ch
    return [a for a in [*args, current] if a.strip()]


def _gettext(expression: str) -> str:
    """A {{ _("...") }} or {{ ngettext("...", "...") }} expression as its (first) English text,
    its {placeholders} as template variables; any other expression as a variable to fill."""
    call = _SIMPLATE_CALL.search(expression)
    if not call:
        return "{{" + expression + "}}"
    args = [""]  # the leading string arguments, adjacent literals joined
    for token in re.finditer(r'"((?:[^"\\]|\\.)*)"|,', call.group(1)):
        if token.group(0) == ",":
            args.append("")
        else:
            args[-1] += token.group(1)
    text = next((a for a in args if a), "")
    text = text.replace('\\"', '"')
    positional = [
        re.findall(r"[A-Za-z_][\w.]*", arg)[-1]
        for arg in _top_args(expression[call.end() :])
        if re.findall(r"[A-Za-z_][\w.]*", arg) and not re.match(r"\s*\w+\s*=[^=]", arg)
    ]

    def value(match: re.Match) -> str:
        name = match.group(1)
        if name.isdigit():
            ident = positional[int(name)] if int(name) < len(positional) else "name"
            name = (
                ident
                if "." not in ident
                else ident.split(".")[0]
                if ident.split(".")[-1] == "username"
                else ident.replace(".", "_")
            )
        if name.startswith("link"):
            return ""
        return _SIMPLATE_VALUES.get(name, "{{" + name + "}}")

    return re.sub(r"\{(\w+)\}", value, text)


_PERSON = "{{name}}"
_SIMPLATE_VALUES = {
    "recipient": _PERSON,
    "recipients": _PERSON,
    "inviter": _PERSON,
    "tippee": _PERSON,
    "username": _PERSON,
    "user_name": _PERSON,
    "addressee_name": _PERSON,
    "sender_name": _PERSON,
    "liberapay_username": _PERSON,
    "participant": _PERSON,
    "donor": _PERSON,
    "team": "{{team}}",
    "team_name": "{{team}}",
    "n": "3",
    "creditor_identifier": "FR12ZZZ123456",
    "mandate_id": "M-482913",
    "partial_account_number": "•••• 4242",
    "provider": "Stripe",
    "platform": "GitHub",
    "platform_name": "GitHub",
    "bank_name": "ING",
    "descriptor": "LIBERAPAY",
    "email_address": "{{email}}",
    "timedelta": "3 days",
    "time_ago": "3 days ago",
}


def read_simplate(path: str, data: bytes) -> Iterator[Message | Skipped]:
    """A Liberapay e-mail simplate: its -/subject page and text/html page (line statements
    "% if" as conditionals, gettext calls as their English text), inside base.spt's greeting and
    footer."""
    pages = dict(re.findall(r"^\[---\] (\S+)\n(.*?)(?=^\[---\]|\Z)", decode(data), re.M | re.S))
    if "text/html" not in pages:
        yield Skipped("no_body")
        return

    def convert(text: str) -> str:
        text = re.sub(r"^\s*%\s*(?:if|for)\b.*$", "{{#if x}}", text, flags=re.M)
        text = re.sub(r"^\s*%\s*(?:elif\b.*|else\s*)$", "{{else}}", text, flags=re.M)
        text = re.sub(r"^\s*%\s*end(?:if|for)\s*$", "{{/if}}", text, flags=re.M)
        text = re.sub(r"^\s*%.*$", "", text, flags=re.M)
        return re.sub(r"\{\{(.*?)\}\}", lambda m: _gettext(m.group(1)), text, flags=re.S)

    subject = render_template(convert(pages.get("-/subject", "")))
    body = (
        "<p>Greetings,</p>" + convert(pages["text/html"]) + "<p>Something wrong? This email was sent "
        "automatically, but you can contact us by replying to it.</p><p>Change your email settings.</p>"
    )
    yield from read_template(path, f"Subject: {' '.join(subject.split())}\n{body}".encode())


# ---- the fixed values of each source ---------------------------------------------------------------

BUGZILLA = (
    (r"\[%[-+]?\s*terms\.(\w+)\s*[-+]?%\]", r"\1"),
    (r"\[%[-+]?\s*Param\(\s*['\"]mailfrom['\"]\s*\)\s*[-+]?%\]", "bugzilla-daemon@example.org"),
    (r"\[%[-+]?\s*Param\(\s*['\"]maintainer['\"]\s*\)\s*[-+]?%\]", "bugzilla-admin@example.org"),
    (r"\[%[-+]?\s*Param\(\s*['\"]whinedays['\"]\s*\)\s*[-+]?%\]", "7"),
    (r"\[%[-+]?\s*Param\(\s*['\"]emailsuffix['\"]\s*\)\s*[-+]?%\]", ""),
    (r"\[%[-+]?\s*urlbase\s*[-+]?%\]", "https://bugzilla.example.org/"),
    (r"\[%[-+]?\s*display_value\(\s*\"\w+\",\s*\"(\w+)\"\s*\)\s*[-+]?%\]", r"\1"),
    (r"\[%[-+]?\s*constants\.MAX_\w+\s*[-+]?%\]", "3"),
    (r"\[%[-+]?\s*(?:expiration_ts|unlock_at|login\.login_time)\b[^%]*%\]", "March 3, 2025 at 10:30 UTC"),
    (r"\[%[-+]?\s*[\w.]+\s*=[^%]*%\]", ""),  # assignments
)
ANONADDY = ((r"\{\{\s*config\(['\"]app\.name['\"]\)\s*\}\}", "addy.io"),)
LOBSTERS = (
    (r"<%=\s*Rails\.application\.name\s*%>", "Lobsters"),
    (r"<%=\s*Rails\.application\.root_url\s*%>", "https://lobste.rs/"),
)
KRATOS = (
    (r"\{\{\s*index \.Identity \"ID\"\s*\}\}", "7f3c2a9e-51d4-4b8a-9c0e-2d6f1a8b3e57"),
    (r"\{\{\s*\.(?:ChangedAt|AddedAt)\s*\}\}", "2025-06-14 10:30 UTC"),
)


def variables(values: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """Substitutions of `{{ name }}` (with or without |filters) by a fixed value, for template_with."""
    return tuple((r"\{\{\s*" + re.escape(name) + r"\s*(?:\|[^{}]*)?\}\}", value)
                 for name, value in values.items())


HEALTHCHECKS = (
    (r"\{%\s*site_name\s*%\}", "Healthchecks.io"), (r"\{\{\s*\w+\|pluralize\s*\}\}", "s"),
    *variables({
        "check.name_then_code": "Nightly DB backup", "check.name": "Nightly DB backup",
        "flip.new_status": "down", "check.project": "Backups",
        "check.get_status": "DOWN", "num_down": "2", "n_down": "2", "num_flips": "6", "num_checks": "14",
        "summary_ntimes": "3", "summary_nchecks": "2", "recipient": "+1 ••• ••• 0142", "transport": "SMS",
        "limit": "50", "ping.n": "1,482", "ping.created": "3 hours ago", "ping.remote_addr": "203.0.113.7",
        "ping.get_kind_display": "success", "flip.down_duration": "2 hours 14 minutes",
        "flip.created": "Fri, 09 May 2025 10:30:00 +0000", "report_period": "Monthly", "dt": "May 2025",
        "flip.reason_long": "success signal did not arrive on time, grace time passed",
        "project": "Backups", "project.name": "Backups", "group.grouper": "Backups",
        "membership.project": "Backups", "message": "Nightly DB backup is DOWN.",
        "plaintext": "The check Nightly DB backup is DOWN.", "subject": "Nightly DB backup is DOWN",
        "check.desc": "Runs pg_dump every night at 02:00 and uploads it to S3.", "check.tags": "prod db",
        "check.kind": "simple", "check.timeout": "1 day", "check.grace": "1 hour",
        "check.schedule": "0 2 * * *", "check.tz": "Europe/Riga"}),
)
_UUID = "5f3c2a9e-51d4-4b8a-9c0e-2d6f1a8b3e57"
PENPOT = (
    (r"\{%\s*if organizations\|empty\?\s*%\}.*?\{%\s*else\s*%\}", "{% if x %}"),  # the list, not "none yet"
    *variables({
        "public-uri": "https://design.penpot.app", "requested-by": "Maria Garcia",
        "invited-by": "Maria Garcia", "source-user": "Maria Garcia",
        "requested-by-email": "maria.garcia@example.com", "pending-email": "p.shah@example.org",
        "file-name": "Brand guidelines 2025", "team-name": "Design Team", "team": "Design Team",
        "team-id": _UUID, "page-id": _UUID, "file-id": _UUID,
        "comment-reference": "Brand guidelines 2025, Homepage", "comment-url": "https://design.penpot.app/",
        "comment-content": "Could we try the darker blue for the header?", "renewal-date": "June 1, 2025",
        "estimated-amount": "$1,050.00", "organization.name": "Northwind Traders",
        "organization-name": "Northwind Traders", "org.name": "Northwind Traders", "user-name": "Alex"}),
)
GOGS = (
    (r"\{\{\s*AppName\s*\}\}", "Gogs"),
    (r"\{\{\s*AppURL\s*\}\}", "https://try.gogs.io/"),
    (r"\{\{\s*Year\s*\}\}", "2025"),
    (r"\{\{\s*\.\w+CodeLives\s*\}\}", "3"),
)


# ---- shop, booking, ticketing, billing and donation mails ------------------------------

# PrestaShop / thirty bees / QloApps {placeholders} that FILLS does not know, by exact name.
_SHOP_VALUES: dict[str, tuple[str, ...]] = {
    "firstname": ("Alex", "Priya", "Daniel", "Maria"),
    "lastname": ("Morgan", "Shah", "Okafor", "Garcia"),
    "customer_name": ("Alex Morgan", "Priya Shah"),
    "shop_name": ("Harbor Outfitters", "Northwind Store"),
    "order_name": ("KHWLILGPZ", "XQFTRBNME"),
    "order_reference": ("KHWLILGPZ", "XQFTRBNME"),
    "hotel_name": ("Seaside Inn", "The Linden Hotel"),
    "hotel_hotel_name": ("Seaside Inn", "The Linden Hotel"),
    "products_txt": ("Organic cotton T-shirt (size M)  demo_1  $25.00  x1  $25.00",),
    "cart_booking_data_text": (
        "Deluxe Double Room  The Linden Hotel  $120.00  1  Jun 14, 2025  Jun 16, 2025  $240.00",
    ),
    "extra_demands_details_text": ("Breakfast for 2  $30.00",),
    "extra_mail_content_txt": ("",),
    "delivery_block_txt": ("Alex Morgan\n12 Harbour Street\nLeeds LS1 4AP\nUnited Kingdom",),
    "invoice_block_txt": ("Alex Morgan\n12 Harbour Street\nLeeds LS1 4AP\nUnited Kingdom",),
    "discounts": ("",),
    "refundBookingHtml": ("Deluxe Double Room, Jun 14 - Jun 16, 2025",),
    "carrier": ("UPS Standard", "DHL Express"),
    "payment": ("Bank wire", "Credit card"),
    "payment_mode": ("Bank wire",),
    "payment_method": ("Credit card",),
    "passwd": ("(the password you chose)",),
    "bankwire_owner": ("Harbor Outfitters Ltd",),
    "bankwire_details": ("IBAN GB29 NWBK 6016 1331 9268 19",),
    "bankwire_address": ("Barclays, 1 Churchill Place, London",),
    "voucher_num": ("GIFT-7K2Q",),
    "voucher_code": ("SPRING10",),
    "id_order_return": ("27",),
    "state_order_return": ("Package received",),
    "nbproducts": ("1",),
    "virtualProducts": ("E-book: Trail Running Guide",),
    "virtualproducts": ("E-book",),
    "followup": ("https://example.com/order-history",),
    "employee": ("Maria Garcia",),
    "attached_file": ("invoice.pdf",),
    "message": ("Could you tell me when my order will ship?",),
    "messages": ("Could you tell me when my order will ship?",),
    "reply": ("It ships tomorrow morning.",),
    "comment": ("Please leave the parcel with the neighbour.",),
    "status_name": ("Payment accepted",),
    "order_status": ("Payment accepted",),
    "id_transaction": ("TX-4471902",),
    "num_rooms": ("1",),
    "cancelation_reason": ("Change of travel plans",),
    "product_name": ("Organic cotton T-shirt",),
    "review_subject": ("Lovely stay",),
    "review_description": ("Friendly staff and a quiet room.",),
    "management_reply": ("Thank you for staying with us!",),
    "credit_slip_id": ("3",),
    "hotel_phone": ("+44 113 496 0000",),
    "hotel_email": ("stay@example.com",),
    # GiveWP {tags}
    "donation": ("Annual Fund", "Clean Water Campaign"),
    "fullname": ("Alex Morgan", "Priya Shah"),
    "payment_id": ("4821", "10377"),
    "sitename": ("Open Garden Club", "Riverside Food Bank"),
    "site_url": ("https://give.example.org",),
    "form_title": ("Clean Water Campaign",),
    "offline_mailing_address": ("Riverside Food Bank, 200 Mill Road, Austin, TX 78701",),
    "username": ("priya.shah",),
    "receipt_link": ("View your receipt: https://give.example.org/receipt",),
}


# The subjects PrestaShop-family shops send each template with (mails/en/lang.php strings, and the
# order-state names status mails take as subject); Mail::Send puts "[shop name] " before them.
_SHOP_SUBJECTS = {
    "account": "Welcome!",
    "backoffice_order": "Process the payment of your order",
    "bankwire": "Awaiting bank wire payment",
    "awaiting_payment": "Awaiting payment",
    "contact": "Message from contact form",
    "contact_form": "Your message has been correctly sent",
    "credit_slip": "New credit slip regarding your order",
    "credit_slip_voucher": "New voucher for your order",
    "download_product": "The virtual product that you bought is available for download",
    "forward_msg": "Fwd: Customer message",
    "guest_to_customer": "Your guest account was converted to a customer account",
    "in_transit": "Package in transit",
    "order_canceled": "Canceled",
    "order_changed": "Your order has been changed",
    "order_conf": "Order confirmation",
    "order_customer_comment": "Message from a customer",
    "order_merchant_comment": "New message regarding your order",
    "order_return_state": "Your order return status has changed",
    "outofstock": "On backorder",
    "password": "Your new password",
    "password_query": "Password query confirmation",
    "payment": "Payment accepted",
    "payment_accepted": "Payment accepted",
    "partial_payment_accepted": "Partial payment accepted",
    "payment_error": "Payment error",
    "preparation": "Processing in progress",
    "processing": "Processing in progress",
    "refund": "Refunded",
    "reply_msg": "An answer to your message is available",
    "shipped": "Shipped",
    "voucher": "New voucher for your order",
    "voucher_new": "New voucher for your order",
    "newsletter_conf": "Newsletter confirmation",
    "newsletter_verif": "Email verification",
    "newsletter_voucher": "Newsletter voucher",
    "order_refund_pending_customer": "Refund request received",
    "order_refund_completed_customer": "Refund completed",
    "order_refund_denied_customer": "Refund request denied",
    "review_request": "How was your stay?",
    "review_approve": "Your review has been published",
}


def _shop_value(name: str) -> str:
    if name in _SHOP_VALUES:
        return pick(_SHOP_VALUES[name], name)
    if name.endswith(("_url", "_link")) or name in {"url", "link"}:
        page = name.removesuffix("_url").removesuffix("_link").removeprefix("shop").replace("_", "-")
        return f"https://shop.example.com/{page.strip('-')}"
    return fill(name)


def read_brace_txt(path: str, data: bytes) -> Iterator[Message | Skipped]:
    """A PrestaShop-family plain-text mail (thirty bees, QloApps): {name} placeholders, no subject
    (set in the PHP code)."""
    text = decode(data).replace("\r\n", "\n")
    text = re.sub(r"</?(?:strong|b|em|i|span)\b[^>]*>", "", text)
    text = re.sub(r"\[/?\{+(\w+)\}+\]", r"[{\1}]", text).replace("[/{", "[{")  # QloApps: [/{shop_url}]
    text = re.sub(r"\{(\w+)\}", lambda m: _shop_value(m.group(1)), text)
    text = re.sub(r"\A\s*Message from [^\n]*\n", "", text)  # QloApps: the HTML part's <title>
    name = re.search(r"([\w-]+)\.txt$", path).group(1)
    subject = f"[{_shop_value('shop_name')}] {_SHOP_SUBJECTS[name]}" if name in _SHOP_SUBJECTS else ""
    yield Message(path, subject, text)


_LITERAL = r"(['\"])((?:\\.|(?!\1).)*)\1"
_ARGS = r"(?:\s*,\s*\[(?:[^\[\]]|\[[^\[\]]*\])*\])?"
_CALL = re.compile(
    r"\{\{\s*(?:__|trans|trans_choice|@lang)\(\s*" + _LITERAL + _ARGS + r"\s*\)\s*\}\}"
    r"|@lang\(\s*" + _LITERAL.replace(r"\1", r"\3") + _ARGS + r"\s*\)",
    re.S,
)


# Blade expressions and :placeholders (Hi.Events) that FILLS would fill with the wrong kind of value.
_BLADE_VALUES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (r"organizer->getName|organizerName", ("Riverside Events Co.", "Jazz Collective Berlin")),
    (r"appName|app\.name", ("Hi.Events",)),
    (
        r"(?i)event\w*(title|name)|getTitle\(\)\s*\}*$",
        ("Summer Jazz Night", "Berlin Tech Meetup #42", "Riverside Food Festival"),
    ),
    (r"(?i)product|ticketTitle", ("General Admission", "VIP Pass")),
    (r"PublicId", ("O-3XK9QF2L", "O-8PWM4TZR")),
    (r"ReadableStatus", ("Completed",)),
    (r"format\('g:i A'\)", ("7:30 PM",)),
    (r"format\('F j, Y'\)", ("June 14, 2025",)),
    (r"messageContent", ("Hi, is there parking near the venue?",)),
    (r"change\['old'\]", ("Alex Morgan",)),
    (r"change\['new'\]", ("Alex J. Morgan",)),
    (r"\$field\b", ("Name",)),
    (r"FooterHtml|PostCheckoutMessage|OfflinePaymentInstructions", ("",)),
)


def _blade_value(expression: str) -> str | None:
    for pattern, values in _BLADE_VALUES:
        if re.search(pattern, expression):
            return pick(values, pattern)
    return None


def _said(match: re.Match) -> str:
    text = match.group(2) if match.group(2) is not None else match.group(4)
    text = re.sub(r"\\(['\"\\])", r"\1", text)
    return re.sub(r":([a-zA-Z_]\w*)", lambda m: _blade_value(m.group(1)) or fill(m.group(1)), text)


def _blade_expression(match: re.Match) -> str:
    value = _blade_value(match.group(1) if match.group(1) is not None else match.group(2))
    return match.group(0) if value is None else value


def read_blade_i18n(path: str, data: bytes) -> Iterator[Message | Skipped]:
    """A Laravel Blade mail whose English copy is in {{ __('...') }} calls (Hi.Events): @php blocks
    dropped, each call its string with :placeholders filled, then read as a template."""
    text = decode(data).replace("\r\n", "\n")
    text = re.sub(r"@php\b.*?@endphp", "", text, flags=re.S)
    text = _CALL.sub(_said, text)
    text = re.sub(r"\{\{\s*(.*?)\s*\}\}|\{!!\s*(.*?)\s*!!\}", _blade_expression, text)
    text = re.sub(r'<x-mail::button :url="[^"]*">', "<x-mail::button>", text)
    yield from mf.read_template(path, text.encode())


_PHP_STRING = re.compile(
    r"__\(\s*'((?:[^'\\]|\\.)*)'\s*,\s*'give'\s*\)|esc_html__\(\s*'((?:[^'\\]|\\.)*)'"
    r"[^)]*\)|'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\""
)


def _php_piece(match: re.Match) -> str:
    single = next((g for g in match.groups()[:3] if g is not None), None)
    if single is not None:
        return re.sub(r"\\(['\\])", r"\1", single)
    return match.group(4).replace("\\r", "").replace("\\n", "\n").replace("\\t", " ")


# GiveWP: the default subjects of the bodies built in shared functions (set in their e-mail classes).
_GIVE_SUBJECTS = {
    "give_get_default_donation_receipt_email": "Donation Receipt",
    "give_get_default_donation_notification_email": "New Donation - #{payment_id}",
    "give_get_default_offline_donation_email_content": "{donation} - Offline Donation Instructions",
}


def read_php_concat(path: str, data: bytes) -> Iterator[Message | Skipped]:
    """GiveWP: a default e-mail body built as `$body = ...; $body .= ...;` from translated strings
    and {tags}; each function that builds one (its subject from a nearby 'default_email_subject'
    string when the file has one) is a message."""
    code = decode(data)
    subject = re.search(r"'default_email_subject'\s*=>\s*(?:esc_attr__|__)\(\s*'((?:[^'\\]|\\.)*)'", code)
    for number, function in enumerate(
        re.finditer(
            r"function (give_get_default_\w*email\w*|get_default_email_message)"
            r"\s*\([^)]*\)\s*\{(.*?)\n\s*return\b",
            code,
            re.S,
        )
    ):
        lines = re.findall(r"^\s*\$(\w+)\s*\.?=\s*(.*?);\s*$", function.group(2), re.M)
        pieces = []
        for _, expression in lines:
            if re.search(r"apply_filters|give_get_option|\$this->|sprintf", expression):
                continue
            pieces.append("".join(_php_piece(m) for m in _PHP_STRING.finditer(expression)))
        body = "".join(pieces)
        if len(body.split()) < 5:
            yield Skipped("no_body")
            continue
        body = re.sub(r"\{(\w+)\}", lambda m: _shop_value(m.group(1)), body)
        head = _GIVE_SUBJECTS.get(function.group(1), subject.group(1) if subject else "")
        head = re.sub(r"\{(\w+)\}", lambda m: _shop_value(m.group(1)), head)
        markup = body if re.search(r"<(p|br|li)\b", body) else body.replace("\n", "<br>")
        yield Message(f"{path}#{function.group(1)}{number}", head, mf.html_to_text(markup))


# Twig variables (FOSSBilling) that FILLS would fill with the wrong kind of value, by the last one
# or two segments of their dotted name.
_TWIG_VALUES: dict[str, tuple[str, ...]] = {
    "first_name": ("Alex", "Priya", "Daniel", "Maria", "Tom"),
    "last_name": ("Morgan", "Shah", "Okafor", "Garcia"),
    "order.title": (
        "Business Hosting (Starter)",
        "Domain example.org",
        "WordPress Plugin Licence",
        "Premium VPS 4GB",
        "API Access - Pro",
    ),
    "order.product_name": ("Business Hosting (Starter)", "Premium VPS 4GB"),
    "activated_at": ("March 3, 2025", "Jan 28, 2026"),
    "expires_at": ("March 3, 2026", "Jan 28, 2027"),
    "suspension_at": ("June 14, 2025",),
    "order.reason": ("Overdue invoice", "Requested by customer"),
    "order.id": ("1042", "2277"),
    "invoice.id": ("318", "4410"),
    "serie_nr": ("INV-00042", "FOSS-2025-0318"),
    "ticket.subject": ("Cannot log in to the control panel", "Question about my invoice"),
    "ticket.status": ("Open",),
    "ticket.id": ("5521", "871"),
    "author.name": ("Maria Garcia",),
    "ticket.messages": (
        "Hi, since this morning I can't log in to the control panel. Could you take a look?",
    ),
    "hosting_plan.name": ("Starter Hosting",),
    "service.username": ("alexm",),
    "license_key": ("F4K9-22QX-7LMN-0PZR",),
    "api_key": ("(shown once in the client area)",),
    "server.name": ("web-03",),
    "service.domain": ("example.org",),
    "cpanel_url": ("https://cp.example.net:2083",),
    "ns1": ("ns1.example.net",),
    "ns2": ("ns2.example.net",),
    "ns3": ("",),
    "ns4": ("",),
    "order.period": ("1M",),
    "service.period": ("1Y",),
    "days_passed": ("3",),
    "helpdesk.name": ("Technical Support", "Billing"),
    # django-oscar
    "site.name": ("Harbor Outfitters", "Northwind Store"),
    "line.title": ("Organic cotton T-shirt", "Trail Runner 2"),
    "line.quantity": ("1", "2"),
    "shipping_incl_tax": ("$4.99",),
    "field": ("Alex Morgan, 12 Harbour Street, Leeds",),
    "product.get_title": ("Trail Runner 2 (size 42)",),
    "product.title": ("Trail Runner 2 (size 42)",),
    # Open Event Server
    "app_name": ("Eventyay",),
    "invoice_number": ("O1711523-42", "O1709874-7"),
    "full_name": ("Alex Morgan", "Priya Shah"),
    "ticket.name": ("Early Bird", "Standard Ticket"),
    "event_location_status": ("Berlin, Germany",),
    "site_link": ("https://eventyay.com/e/4f2a9c1b",),
    "event.name": ("FOSSASIA Summit", "Berlin Tech Meetup #42"),
    "event_name": ("FOSSASIA Summit", "Berlin Tech Meetup #42"),
    "frontend_url": ("https://eventyay.com",),
    "session_name": ("FOSSASIA Summit",),
    "short_abstract": ("A hands-on look at building accessible web apps.",),
    "short_biography": ("Frontend engineer and accessibility advocate.",),
    "front_page": ("https://eventyay.com",),
    "session.title": ("Building accessible web apps",),
    # Vendure
    "firstName": ("Alex", "Priya", "Daniel"),
    "lastName": ("Morgan", "Shah", "Okafor"),
    "order.code": ("T3KQ8WZ2MNX1", "9PLD4RVA7C0E"),
    "fullName": ("Alex Morgan", "Priya Shah"),
    "company": ("",),
    "streetLine1": ("12 Harbour Street", "4 Linden Avenue"),
    "streetLine2": ("",),
    "city": ("Leeds", "Austin"),
    "province": ("West Yorkshire", "Texas"),
    "postalCode": ("LS1 4AP", "78701"),
    "country": ("United Kingdom", "United States"),
    "productVariant.name": ("Trail Runner 2 - 42 / Blue", "Organic cotton T-shirt - M"),
    "shippingLine.shippingMethod.name": ("Standard Shipping",),
    "shippingMethod.name": ("Standard Shipping",),
    "discount.description": ("10% off your first order",),
    "description": ("10% off your first order",),
    "quantity": ("1", "2"),
    "phoneNumber": ("+44 113 496 0000",),
    "variant.quantity": ("1",),
}


def _twig_value(match: re.Match) -> str:
    path = match.group(1)
    parts = path.split(".")
    for key in (".".join(parts[-2:]), parts[-1]):
        if key in _TWIG_VALUES:
            return pick(_TWIG_VALUES[key], key)
    if parts[-1].endswith("_at"):
        return pick(("March 3, 2025", "Jan 28, 2026", "12 November 2024"), path)
    return match.group(0)


def _prefill(text: str) -> str:
    """{{ variables }} of _TWIG_VALUES and money/date helpers filled; the rest left to the template reader."""
    text = re.sub(
        r"\{\{\s*formatMoney\b[^{}]*\}\}", lambda m: pick(("$25.00", "€49.90", "$310.45"), m.group()), text
    )
    text = re.sub(
        r"\{\{\s*formatDate\b[^{}]*\}\}", lambda m: pick(("March 3, 2025", "Jan 28, 2026"), m.group()), text
    )
    return re.sub(r"\{\{\s*([\w.]+)(?:\s*\|[^{}]*)?\s*\}\}", _twig_value, text)


def read_twig_filled(path: str, data: bytes) -> Iterator[Message | Skipped]:
    """A Twig (FOSSBilling) or Django (django-oscar) mail whose variables are first filled from
    _TWIG_VALUES, the rest by the template reader."""
    text = decode(data).replace("|default({})", "")
    for name, value in re.findall(r"\{%-?\s*blocktrans\b[^%]*?\bwith\s+(\w+)=([\w.]+)", text):  # Django
        text = re.sub(r"\{\{\s*" + name + r"\s*\}\}", "{{ " + value + " }}", text)
    text = re.sub(r"\{%-?\s*trans\s+\"([^\"]*)\"[^%]*%\}", r"\1", text)
    text = re.sub(r"\{%-?\s*absolute_url\b[^%]*\bas\s+\w+\s*%\}", "", text)  # an assignment
    text = re.sub(r"\{%-?\s*absolute_url\b[^%]*%\}", "https://shop.example.com/accounts/reset/", text)
    yield from mf.read_template(path, _prefill(text).encode())


_JINJA_CALL = re.compile(r"\{\{\s*_\(\s*(['\"])((?:\\.|(?!\1).)*)\1.*?\}\}", re.S)


def _jinja_said(match: re.Match) -> str:
    def value(name: str) -> str:
        if name in {"open_link", "close_link"}:
            return ""
        found = _twig_value(re.match(r"([\w.]+)", name))
        return fill(name) if found == name else found

    return re.sub(r"%\((\w+)\)s", lambda m: value(m.group(1)), match.group(2))


def read_jinja_gettext(path: str, data: bytes) -> Iterator[Message | Skipped]:
    """A Jinja mail whose copy is in {{ _('...') }} calls (Open Event Server): each call its string,
    %(name)s filled; variables of _TWIG_VALUES filled; then read as a template."""
    text = _JINJA_CALL.sub(_jinja_said, decode(data))
    yield from mf.read_template(path, _prefill(text).encode())


def read_mjml(path: str, data: bytes) -> Iterator[Message | Skipped]:
    """An MJML + Handlebars mail (Vendure): <mj-raw> style blocks dropped, the other mj- elements as
    <div>, then read as a template."""
    text = re.sub(r"<mj-raw>.*?</mj-raw>|<mj-style\b.*?</mj-style>", "", decode(data), flags=re.S)
    text = re.sub(r"<mj-[\w-]+\b[^>]*>", "<div>", text)
    text = re.sub(r"</mj-[\w-]+>", "</div>", text)
    yield from mf.read_template(path, _prefill(text).encode())


READERS: dict[str, Reader] = {
    "simplate": read_simplate,
    "bugzilla_template": template_with(BUGZILLA, headers=True),
    "anonaddy_template": template_with(ANONADDY),
    "erb": erb_reader(),
    "lobsters_erb": erb_reader(LOBSTERS),
    "kratos_gotmpl": gotmpl_reader(KRATOS),
    "gogs_gotmpl": gotmpl_reader(GOGS),
    "healthchecks_template": template_with(HEALTHCHECKS),
    "penpot_template": template_with(PENPOT),
    "jinja_gettext": read_jinja_gettext,
    "mjml": read_mjml,
    "twig_filled": read_twig_filled,
    "brace_txt": read_brace_txt,
    "blade_i18n": read_blade_i18n,
    "php_concat": read_php_concat,
}
