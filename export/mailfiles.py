"""E-mail files as messages: one reader a format (RFC 822, saved HTML, Markdown issues, a phishing
CSV, and e-mail templates of many languages, each filled once with plausible values).

Every reader takes (path, bytes) and yields Message, or Skipped with the reason it was left out.
"""

from __future__ import annotations

import csv
import email
import email.policy
import email.utils
import html
import io
import json
import quopri
import re
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass

from function.mail import html_to_text


@dataclass
class Message:
    """One e-mail as read: the id names its file (and row or template within it)."""

    id: str
    subject: str
    body: str


@dataclass(frozen=True)
class Skipped:
    """A row this source does not take; its reason is counted."""

    reason: str




def decode(data: bytes) -> str:
    return data.decode("utf-8", "replace")


_URL = re.compile(r"https?://\S+")


def _poor(text: str) -> bool:
    """A text/plain part not worth its HTML sibling: (nearly) empty, or mostly tracking links."""
    links = sum(len(url) for url in _URL.findall(text))
    return len(text.split()) < 20 or links > 0.3 * max(1, len(text.strip()))


_HTML_PAGE = re.compile(r"\s*<(?:!DOCTYPE html|html)\b", re.I)  # an HTML page sent as text/plain


def read_eml(path: str, data: bytes) -> Iterator[Message | Skipped]:
    """One RFC 822 message: its text/plain part, else (or when that is nearly empty or mostly
    tracking links) its HTML as visible text; a "plain" part that is an HTML page counts as HTML."""
    message = email.message_from_bytes(data, policy=email.policy.default)
    plain, markup = [], []
    for part in message.walk():
        if part.is_multipart() or part.get_content_maintype() != "text" or part.is_attachment():
            continue
        try:
            text = part.get_content()
        except (LookupError, ValueError):
            text = decode(part.get_payload(decode=True) or b"")
        html_page = part.get_content_subtype() == "html" or _HTML_PAGE.match(text)
        (markup if html_page else plain).append(text)
    body = "\n".join(plain)
    if markup and (not plain or _poor(body)):
        body = "\n".join(html_to_text(m) for m in markup)
    yield Message(path, str(message.get("Subject", "")), body)


TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)


def title_text(markup: str) -> str:
    """The text of an HTML page's <title>, "" when it has none."""
    title = TITLE.search(markup)
    return html_to_text(title.group(1)) if title else ""


def read_html(path: str, data: bytes) -> Iterator[Message | Skipped]:
    """An HTML e-mail body saved as a file; its <title> is the subject."""
    markup = decode(data)
    yield Message(path, title_text(markup), html_to_text(markup))


_TAG = re.compile(r"</?(?:html|body|table|td|tr|div|p|br|span|a)\b", re.I)


def read_html_escaped(path: str, data: bytes) -> Iterator[Message | Skipped]:
    """A received mail's body pasted into a file as it came: HTML, or plain text with its line breaks
    written as literal \\r\\n, sometimes still quoted-printable (=20, =A0, soft line breaks)."""
    text = decode(data)
    text = text.replace("\\r\\n", "\n").replace("\\n", "\n").replace("\\t", "\t")
    if re.search(r"=(?:20|A0|09|3D)\b|=\n", text):
        text = decode(quopri.decodestring(text.encode("utf-8", "replace")))
    subject = title_text(text).strip()
    if "|" in subject and "*" in subject:  # an unfilled ESP merge tag (*|SUBJECT|*)
        subject = ""
    yield Message(path, subject, html_to_text(text) if _TAG.search(text) else text)


def read_eml_html_sniff(path: str, data: bytes) -> Iterator[Message | Skipped]:
    """An RFC 822 file whose headers were cut to Subject/From/To/Date, so an HTML body has no
    Content-Type: the body is taken as HTML when it looks like HTML."""
    message = email.message_from_bytes(data, policy=email.policy.default)
    parts = [p for p in message.walk() if not p.is_multipart() and p.get_content_maintype() == "text"]
    body = "\n".join(decode(p.get_payload(decode=True) or b"") for p in parts)
    if _TAG.search(body):
        body = html_to_text(body)
    yield Message(path, str(message.get("Subject", "")), body)


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
    text = decode(data).replace("\r\n", "\n")
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
SALT: ContextVar[str] = ContextVar("salt", default="")  # the path of the message being filled
_IF_BLOCK = re.compile(  # an innermost {{#if}}...{{/if}} (or unless, with)
    r"\{\{#(if|unless|with)\b[^{}]*\}\}((?:(?!\{\{#(?:if|unless|with)\b).)*?)\{\{/\1\}\}", re.S)
_ELSE = re.compile(r"\{\{\s*else\b[^{}]*\}\}")


def pick(values: tuple[str, ...], key: str) -> str:
    """One of `values`, chosen by the message being filled (SALT) and `key`: the same each time for
    the same message and key, varying between messages."""
    return values[zlib.crc32(f"{SALT.get()}|{key}".encode()) % len(values)]


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
                    return pick(values, values[0])  # one a pool and message: "user" and "name" agree
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


def substitute(pairs: tuple[tuple[str, str], ...], text: str) -> str:
    """Each (regex, replacement) in turn over the whole text, "." matching line breaks too."""
    for pattern, replacement in pairs:
        text = re.sub(pattern, replacement, text, flags=re.S)
    return text


def render_template(text: str) -> str:
    """A template (Handlebars, or any language of _TAGS) filled once: first branch of each
    conditional, each loop once, layout partials dropped, variables filled by FILLS."""
    text = substitute(_TAGS, text)
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
    text = decode(data).replace("\r\n", "\n")
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
    text = decode(data)
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
    """A react-email component (`return (<Html>...)` or an arrow function `=> (<Html>...)`): its
    JSX as text, props at their defaults, else at the sample values of its `.PreviewProps`, the
    <Preview> line as the subject."""
    source = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), decode(data))
    blocks = [(m.end(), _balanced(source, m.end() - 1, "()"))
              for m in re.finditer(r"return \(|=>\s*\((?=\s*<)", source)]
    if not blocks:
        yield Skipped("no_jsx")
        return
    start, end = max(blocks, key=lambda b: b[1] - b[0])  # the e-mail's JSX: the longest (...)
    preview = re.search(r"\.PreviewProps\s*=\s*\{(.*?)\}", source, re.S)
    defaults = {m.group(1): m.group(3)
                for m in re.finditer(r"\b(\w+):\s*([\"'])([^\"'\n]*)\2", preview.group(1) if preview else "")}
    defaults.update((alias, defaults[prop]) for alias, prop in re.findall(r"const (\w+) = (\w+);", source)
                    if prop in defaults)
    defaults.update((m.group(1), m.group(3))
                    for m in re.finditer(r"\b(\w+)\s*=\s*([\"'])([^\"'\n]*)\2", source[:start]))
    for name, text in re.findall(r"const (\w+) = msg`([^`]*)`", source[:start]):
        defaults[name] = _template_literal(text, defaults)
    jsx = source[start:end - 1]
    jsx = re.sub(r"\{/\*.*?\*/\}", "", jsx, flags=re.S)
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
    subject = html.unescape(" ".join(preview.group(1).split())) if preview else ""
    yield Message(path, subject, body)


def read_php_strings(path: str, data: bytes) -> Iterator[Message | Skipped]:
    """E-mails kept as PHP strings $txt['<name>_subject'] and $txt['<name>_body'] (SMF)."""
    strings = {key: re.sub(r"\\(['\\])", r"\1", value) for key, value in
               re.findall(r"\$txt\['(\w+)'\]\s*=\s*'((?:[^'\\]|\\.)*)';", decode(data))}
    for key, body in strings.items():
        if key.endswith("_body"):
            stem = key.removesuffix("_body")
            head = f"Subject: {strings.get(stem + '_subject', '')}\n"
            yield from read_template(f"{path}#{stem}", (head + body).encode())


def read_php_methods(path: str, data: bytes) -> Iterator[Message | Skipped]:
    """An e-mail class whose get_default_subject() and get_default_body() return translated
    strings, __( '...' ) (Paid Memberships Pro)."""
    code = decode(data)
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
    rows = csv.reader(io.StringIO(decode(data), newline=""))
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
    "eml": read_eml, "eml_html_sniff": read_eml_html_sniff, "html": read_html,
    "html_escaped": read_html_escaped, "markdown": read_markdown, "nazario": read_nazario,
    "template": read_template, "i18n_json": read_i18n_json, "xml_template": read_xml_template,
    "tsx": read_tsx, "php_strings": read_php_strings, "php_methods": read_php_methods,
}
