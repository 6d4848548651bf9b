"""Short text messages (SMS, app notifications) kept as string literals in test code: readers of
Kotlin, JavaScript and Swift test cases, of an SMS backup file and of documented examples, and
the filters an SMS passes instead of an e-mail's (export.gather applies them to a spec of kind "sms").

Every reader takes (path, bytes) and yields Message (subject empty, id `<path>#<n>`), or Skipped.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

from export.mailfiles import Message, Skipped, decode

MIN_WORDS = 6
MAX_CHARS = 1500  # longer: a whole statement or a joined test blob, not one message

# A test case whose own name says it is not a legitimate message: left out.
_BAD_CASE = re.compile(r"(?i)phish|scam|fraudulent|spam|smish|fake|malicious|suspicious")

_KT_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "'": "'", '"': '"', "\\": "\\", "$": "$"}


def _kotlin_literals(src: str) -> list[tuple[int, int, str, bool]]:
    """(start, end, value, raw) of every string literal in Kotlin (or Java) source, comments skipped.
    `${'$'}` becomes `$`; a literal that interpolates anything else keeps a NUL mark."""
    out = []
    i, n = 0, len(src)
    while i < n:
        if src.startswith("//", i):
            j = src.find("\n", i)
            i = n if j < 0 else j
        elif src.startswith("/*", i):
            j = src.find("*/", i + 2)
            i = n if j < 0 else j + 2
        elif src.startswith('"""', i):
            j = src.find('"""', i + 3)
            if j < 0:
                break
            while src.startswith('"', j + 3):  # """ ends at the last of a run of quotes
                j += 1
            out.append((i, j + 3, _interpolated(src[i + 3 : j]), True))
            i = j + 3
        elif src[i] == '"':
            j, buf = i + 1, []
            while j < n and src[j] != '"' and src[j] != "\n":
                if src[j] == "\\" and j + 1 < n:
                    c = src[j + 1]
                    if c == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", src[j + 2 : j + 6]):
                        buf.append(chr(int(src[j + 2 : j + 6], 16)))
                        j += 6
                        continue
                    buf.append(_KT_ESCAPES.get(c, c) if c != "$" else "\x01")  # \$ is a plain dollar
                    j += 2
                    continue
                buf.append(src[j])
                j += 1
            out.append((i, j + 1, _interpolated("".join(buf)).replace("\x01", "$"), False))
            i = j + 1
        elif src[i] == "'":  # a char literal: skip it so '"' does not open a string
            m = re.match(r"'(\\.|[^'\\])'", src[i : i + 4]) or re.match(
                r"'\\u[0-9a-fA-F]{4}'", src[i : i + 8]
            )
            i += len(m.group(0)) if m else 1
        else:
            i += 1
    return out


def _interpolated(value: str) -> str:
    value = value.replace("${'$'}", "\x01").replace('${"$"}', "\x01")
    if re.search(r"\$\{|\$[A-Za-z_]", value):
        value = "\0" + value
    return value.replace("\x01", "$")


# Where a message literal starts: `message = `, `val sms = `, `body = `, `parse("...`, ...
_MESSAGE_SLOT = re.compile(
    r"(?:\b(?:message|body|sms|smsBody|smsText|text)\s*=\s*"
    r"|\bva[lr]\s+\w*(?:[Mm]sg|[Mm]essage|[Ss]ms|[Bb]ody)\w*\s*(?::\s*String\s*)?=\s*"
    r"|\b(?:parse|parseSms|parseMessage|canHandle)\(\s*)$"
)


def read_kotlin_messages(path: str, data: bytes) -> Iterator[Message | Skipped]:
    """Messages in Kotlin parser tests: the literal (or `+`-joined literals, raw ones trimIndent-ed)
    after `message =`, `val xxxMessage =`, `parse(`; a test case named as phishing/spam is left out."""
    src = decode(data)
    literals = _kotlin_literals(src)
    taken: set[int] = set()
    count = 0
    for k, (start, _, value, raw) in enumerate(literals):
        if k in taken or not _MESSAGE_SLOT.search(src[max(0, start - 80) : start]):
            continue
        parts, last = [(value, raw)], k
        while last + 1 < len(literals) and re.fullmatch(
            r"\s*\+\s*", src[literals[last][1] : literals[last + 1][0]]
        ):
            last += 1
            parts.append(literals[last][2:])
        taken.update(range(k, last + 1))
        text = "".join(
            _trim_indent(v) if r and _trim_follows(src, literals[last][1]) else v for v, r in parts
        )
        if "\0" in text:
            yield Skipped("interpolated")
            continue
        case = src[max(0, start - 400) : start]
        name = re.findall(r'\bname\s*=\s*"([^"]*)"', case)
        notes = re.findall(r"//([^\n]*)", case)
        if (name and _BAD_CASE.search(name[-1])) or (notes and _BAD_CASE.search(notes[-1])):
            yield Skipped("labelled_spam_or_phishing")
            continue
        count += 1
        yield Message(f"{path}#{count}", "", text)


def _trim_follows(src: str, end: int) -> bool:
    return bool(re.match(r"\s*\.\s*trim(Indent|Margin)?\(", src[end : end + 40]))


def _trim_indent(value: str) -> str:
    lines = value.split("\n")
    if lines and not lines[0].strip():
        lines = lines[1:]
    if lines and not lines[-1].strip():
        lines = lines[:-1]
    indents = [len(x) - len(x.lstrip()) for x in lines if x.strip()]
    cut = min(indents) if indents else 0
    return "\n".join(x[cut:] for x in lines)


def read_sms_backup_xml(path: str, data: bytes) -> Iterator[Message | Skipped]:
    """An "SMS Backup & Restore" XML file: the body of every received <sms>."""
    for count, m in enumerate(re.finditer(r'<sms\b[^>]*?\btype="1"[^>]*?\bbody="([^"]*)"', decode(data)), 1):
        yield Message(f"{path}#{count}", "", html.unescape(m.group(1)))


_JS_LITERAL = r"""('(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"|`(?:\\.|[^`\\])*`)"""


def read_js_message_fields(path: str, data: bytes) -> Iterator[Message | Skipped]:
    """`message: '...'` fields of a JavaScript test-case table (single, double or back quotes)."""
    src = decode(data)
    count = 0
    for m in re.finditer(r"\bmessage\s*:\s*" + _JS_LITERAL, src):
        lit = m.group(1)
        if lit.startswith("`") and "${" in lit:
            yield Skipped("interpolated")
            continue
        body = re.sub(
            r"\\(u[0-9a-fA-F]{4}|.)",
            lambda e: (
                chr(int(e.group(1)[1:], 16))
                if e.group(1)[0] == "u" and len(e.group(1)) == 5
                else {"n": "\n", "t": "\t"}.get(e.group(1), e.group(1))
            ),
            lit[1:-1],
        )
        count += 1
        yield Message(f"{path}#{count}", "", body)


def read_swift_parse_messages(path: str, data: bytes) -> Iterator[Message | Skipped]:
    """Swift raw strings `#"..."#` passed to `parseMessage(` in XCTest cases."""
    for count, m in enumerate(re.finditer(r'parseMessage\(\s*#"(.*?)"#', decode(data), re.S), 1):
        yield Message(f"{path}#{count}", "", m.group(1))


_EXAMPLE = re.compile(r"""\$example\s*=\s*(['"])(.*?)\1\s*;""", re.S)
_PROSE = re.compile(r"(?i)^(?:notifications?\b|this file|example\b|see also|all messages|note\b|.*:$)")


def read_pesapi_examples(path: str, data: bytes) -> Iterator[Message | Skipped]:
    """PesaPi's documented SMS examples: sections between dashed rules, each a description line
    then the messages, written as `$example = '...';` or as bare paragraphs."""
    count = 0
    for block in re.split(r"(?m)^-{10,}[ \t]*$", decode(data).replace("\r\n", "\n")):
        found = [m.group(2) for m in _EXAMPLE.finditer(block)]
        if not found:
            paragraphs = [p.strip() for p in re.split(r"\n\s*\n", block) if p.strip()]
            found = [p for p in paragraphs if not _PROSE.match(p)]
        for text in found:
            count += 1
            yield Message(f"{path}#{count}", "", text.strip())


READERS = {
    "kotlin_messages": read_kotlin_messages,
    "sms_backup_xml": read_sms_backup_xml,
    "js_message_fields": read_js_message_fields,
    "swift_parse_messages": read_swift_parse_messages,
    "pesapi_examples": read_pesapi_examples,
}


# ---- what an SMS must be to be kept --------------------------------------------------

# English function words common in SMS alerts, and the same for the other languages seen in the fixtures.
_EN_WORDS = """the and to of a in for is you your on this that with be are it we our at by from have will as
or not can an if has been was were thank thanks please dear customer account card available balance
received sent paid debited credited spent towards using call do don't never share code valid minutes
here use via has been successful successfully done transaction payment amount due withdrawal debit
credit acct amt bal avail date desc deposit purchase offer offers interest cashback get visit today all
online purchases apply help dial buy new"""
_EN = frozenset(_EN_WORDS.split())
_OTHER_WORDS = """de la el los las por su en con que y del una un para se tu al es pagaste compra
transferencia le les des votre est pour sur avec une du ist der die und ihr ihre sie mit zu den
anda dari ke di yang dengan untuk pada telah tidak ini kwa na ya wa kwenye umepokea imetumwa
ve bir ile için hesabınıza tarihinde da dos das em foi valor conta seu sua na ao para
và của là cho với được tài khoản qua lúc số dư và je se na za od kutoka kwenda akaunti yako umepokea
kiasi cha imethibitishwa muamala umefanikiwa tarehe saa kupitia umetuma kwa msaada piga salio
karta oplata dostupno konto neuer saldo ihre nous vous confirmado recebeste saldo teu aos levantaste"""
_OTHER = frozenset(_OTHER_WORDS.split())


def is_english(text: str) -> bool:
    """Nearly all letters Latin, and enough English function words, more than foreign ones."""
    letters = re.findall(r"[^\W\d_]", text)
    if not letters or sum(c.isascii() for c in letters) < 0.97 * len(letters):
        return False
    words = re.findall(r"[^\W\d_]+(?:'[a-z]+)?", text.lower())
    en = sum(w in _EN for w in words)
    other = sum(w in _OTHER for w in words)
    return en >= 2 and en >= 0.12 * len(words) and en > 2 * other


def skeleton(text: str) -> str:
    """The message with digits, upper-case words (merchants, names, codes) and amounts masked: the
    fixed wording of its template."""
    text = re.sub(r"\b[A-Z][A-Z0-9&.'*/-]+\b", "W", text)
    text = re.sub(r"[\d#*Xx]+(?:[.,:/-][\d#*Xx]+)*", "#", text)
    text = re.sub(r"\bW(?:[ \t]+W\b)+", "W", text)
    return " ".join(text.lower().split())
