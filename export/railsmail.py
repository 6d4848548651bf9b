"""Readers of mail whose words live outside its template, in a Rails app's locale:

- `RailsViews`: an ERB mailer view, its `t('key')` calls filled from the repository's English
  locale files (or its gettext `_("...")` calls from their English source strings), partials
  inlined, wrapped in the mailer's layout, the subject from the locale or the mailer method. A view
  needs other files of its repository, so export.gather binds the reader to the spec's commit
  (`RailsViews.bind`).
- `yaml_mail`: e-mails kept whole in a YAML locale file as mappings with a subject and a body.

Each reader yields Message, or Skipped with its reason, as export.mailfiles' readers do; template
variables left over are filled once by mailfiles.fill.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import yaml

from export.appmail import ERB
from export.mailfiles import Message, Skipped, decode, fill, read_template, substitute

Reader = Callable[[str, bytes], Iterator[Message | Skipped]]
PLURALS = {"zero", "one", "two", "few", "many", "other"}
_OPTION_RE = re.compile(r"(?::(\w+)\s*=>|(\w+):)\s*(.*)", re.S)
_LITERAL_RE = re.compile(r"'([^']*)'|\"((?:[^\"\\]|\\.)*)\"", re.S)
_CALL_RE = re.compile(r"(?:I18n\.|Spree\.)?([a-z_]\w*[?!]?)(\s*\(|\s+(?=[\"':@\w]))")
_CHAINED_RE = re.compile(r"(\.(html_safe|strip|to_s|titleize|capitalize|upcase|downcase|humanize))+$")
YIELD = "\0YIELD\0"  # where a layout's <%= yield %> puts the view


@dataclass(frozen=True)
class Files:
    """A repository's files at one commit: their paths and how to read one."""

    paths: frozenset[str]
    read: Callable[[str], bytes]

    def text(self, path: str) -> str:
        return decode(self.read(path)).replace("\r\n", "\n") if path in self.paths else ""


def flat(tree: object, prefix: str = "") -> dict[str, object]:
    """A locale tree as dotted keys; a mapping of plural forms stays one value."""
    if not isinstance(tree, dict) or (prefix and set(tree) <= PLURALS):
        return {prefix: tree}
    out: dict[str, object] = {}
    for key, value in tree.items():
        out.update(flat(value, f"{prefix}.{key}" if prefix else str(key)))
    return out


def _scan(text: str, stop: Callable[[int, str, int], bool]) -> int:
    """The index where `stop(index, char, depth)` first holds outside quotes (-1: never)."""
    depth, quote = 0, ""
    for index, char in enumerate(text):
        if quote:
            quote = "" if char == quote and text[index - 1: index] != "\\" else quote
        elif char in "'\"":
            quote = char
        elif stop(index, char, depth):
            return index
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
    return -1


def arguments(text: str) -> list[str]:
    """The top-level, comma-separated arguments of a Ruby argument list."""
    out = []
    while (comma := _scan(text, lambda _i, char, depth: char == "," and depth == 0)) >= 0:
        out.append(text[:comma].strip())
        text = text[comma + 1:]
    return [a for a in [*out, text.strip()] if a]


def call(expr: str) -> tuple[str, list[str]] | None:
    """A whole expression `name(args)` or `name args` as (name, arguments); None for any other."""
    found = _CALL_RE.match(expr)
    if not found:
        return None
    rest = expr[found.end():]
    if found.group(2).strip() != "(":
        return found.group(1), arguments(rest)
    close = _scan(rest, lambda _i, char, depth: char == ")" and depth == 0)
    if close < 0 or not re.fullmatch(r"(\.\w+[?!]?)*", rest[close + 1:].strip()):
        return None
    return found.group(1), arguments(rest[:close])


def _options(args: list[str]) -> dict[str, str]:
    """The `key: value` (or `:key => value`) arguments of a call."""
    pairs = (_OPTION_RE.match(arg) for arg in args)
    return {pair.group(1) or pair.group(2): pair.group(3).strip() for pair in pairs if pair}


@dataclass(frozen=True)
class RailsViews:
    """How one app's mailer views read: `locales` (a regex of its English locale files' paths),
    `consts` (values of its constants, helpers and variables, filled before mailfiles.fill is
    asked), where its mailers and views are, the layout that wraps every view, and the scope
    its locale keys may be written without."""

    locales: str
    consts: dict[str, str] = field(default_factory=dict)
    mailers: str = "app/mailers"
    views: str = "app/views"
    layout: str = ""
    scope: str = ""  # the prefix of a key not found as it is (Spree.t's "spree.")

    def bind(self, files: Files) -> Reader:
        return _Views(self, files).read


class _Views:
    """RailsViews at one commit: the locale read once, the repository's files read on demand."""

    def __init__(self, app: RailsViews, files: Files) -> None:
        self.app, self.files = app, files
        self.strings: dict[str, object] = {}
        for path in sorted(p for p in files.paths if re.search(app.locales, p)):
            tree = yaml.safe_load(files.text(path)) or {}
            self.strings.update(flat(tree.get("en", tree) if isinstance(tree, dict) else {}))

    def scope(self, path: str) -> str:
        """The key prefix of a view's relative t('.key') calls: mailer.view (partials without _)."""
        relative = re.sub(r"\.[\w.]+$", "", path.removeprefix(self.app.views + "/"))
        return re.sub(r"(^|/)_", r"\1", relative).replace("/", ".")

    def value(self, expr: str, scope: str, depth: int = 0) -> str:
        """The text a Ruby expression in a view shows: a string, t() from the locale, _() from its
        source, link_to's text, a known constant; anything else a variable mailfiles.fill fills."""
        expr = _CHAINED_RE.sub("", re.sub(r"\s+(?:if|unless)\s+[^\"']*$", "", expr.strip()))  # `x if y`: x
        if depth > 6 or not expr:
            return ""
        if literal := _LITERAL_RE.fullmatch(expr):
            if literal.group(1) is not None:
                return literal.group(1)
            inner = lambda m: self.value(m.group(1), scope, depth + 1)  # noqa: E731
            return re.sub(r"#\{([^{}]*)\}", inner, literal.group(2))
        if assigned := re.match(r"@?\w+\s*=(?!=)", expr):  # `<%= @sub_title = t(...) %>` shows the value
            return self.value(expr[assigned.end():], scope, depth + 1)
        alternative = _scan(expr, lambda i, char, depth: char == "|" == expr[i + 1: i + 2] and depth == 0)
        if alternative >= 0:  # `@header || message.subject`: the first alternative
            return self.value(expr[:alternative], scope, depth + 1)
        dotted = expr.removeprefix("@").split(".")
        for known in (".".join(dotted[i:]) for i in range(len(dotted))):
            if known in self.app.consts:
                return self.app.consts[known]
        constant = re.match(r"[A-Z]\w*(?:::\w+)*", expr)  # `Spree::Money.new(...)`: the constant's value
        if constant and constant.group() in self.app.consts:
            return self.app.consts[constant.group()]
        if found := call(expr):
            name, args = found
            if name in {"t", "translate"} and args:
                return self.translate(args, scope, depth)
            if name in {"_", "n_", "gettext"} and args:
                text = "".join(a or b for a, b in _LITERAL_RE.findall(args[0]))
                # gettext's {{law_used_full}} names the app's own term: the consts before the call's
                options = {k: v for k, v in _options(args[1:]).items() if k not in self.app.consts}
                return self.placed(text.replace("\\'", "'").replace('\\"', '"'), r"\{\{\s*(\w+)\s*\}\}",
                                   options, scope, depth)
            if name == "content_tag" and len(args) > 1:
                return self.value(args[1], scope, depth + 1)
            if name == "mail_to" and len(args) > 1:  # mail_to(address, text): the text
                return self.value(args[1], scope, depth + 1)
            if name in {"link_to", "mail_to", "raw", "sanitize", "simple_format", "strip_tags", "h"} and args:
                return "" if re.search(r"\bdo\s*$", expr) else self.value(args[0], scope, depth + 1)
            if name in self.app.consts:
                return self.app.consts[name]
        if expr == "yield":
            return YIELD
        names = re.findall(r"@?[a-z_][\w.]*", expr)
        if not names or expr.startswith(("render", "image_tag", "stylesheet", "javascript")):
            return ""
        return "{{" + names[0].lstrip("@") + "}}"

    def placed(self, text: str, placeholder: str, options: dict[str, str], scope: str, depth: int) -> str:
        """`text` with each placeholder filled: from the call's options, the consts, else fill()."""
        def one(match: re.Match) -> str:
            name = match.group(1)
            if options.get(name):
                return self.value(options[name], scope, depth + 1)
            return self.app.consts.get(name) or fill(name)

        return re.sub(placeholder, one, text)

    def translate(self, args: list[str], scope: str, depth: int) -> str:
        """t('key', var: expr, scope: ..., default: ...) from the locale."""
        key = re.fullmatch(r"[\"':]([\w.]+)[\"']?", args[0].strip())
        if not key:
            return ""  # a key computed at run time
        options = _options(args[1:])
        name = key.group(1)
        if "scope" in options:
            name = ".".join([*re.findall(r"\w+", options["scope"]), name])
        name = scope + name if name.startswith(".") else name
        found = self.strings.get(name, self.strings.get(f"{self.app.scope}.{name}"))
        if found is None and "default" in options:
            return self.value(options["default"], scope, depth + 1)
        if isinstance(found, dict):
            found = found.get("other") or found.get("one") or ""
        if isinstance(found, list):
            found = "\n".join(str(x) for x in found if x)
        return self.placed(found, r"%\{(\w+)\}", options, scope, depth) if isinstance(found, str) else ""

    def partial(self, name: str, path: str) -> str:
        """The path of a rendered partial 'a/b' (or 'b' beside the view); "" when it is not there."""
        folder, _, leaf = name.rpartition("/")
        folder = f"{self.app.views}/{folder}" if folder else path.rpartition("/")[0]
        kind = "text" if ".text." in path else "html"
        for extension in (f".{kind}.erb", ".html.erb", ".text.erb", ".erb"):
            if f"{folder}/_{leaf}{extension}" in self.files.paths:
                return f"{folder}/_{leaf}{extension}"
        return ""

    def expand(self, text: str, path: str, depth: int = 0) -> str:
        """A view with its output tags as text and its partials inlined; control tags stay for ERB."""
        scope = self.scope(path)

        def tag(match: re.Match) -> str:
            expr = match.group(1).strip()
            render = re.match(r"render\s*\(?\s*(?:partial:\s*)?[\"']([\w/]+)[\"']", expr)
            if not render:
                return self.value(expr, scope)
            inner = self.partial(render.group(1), path)
            return self.expand(self.files.text(inner), inner, depth + 1) if inner and depth < 3 else ""

        return re.sub(r"<%==?(.*?)-?=?%>", tag, re.sub(r"<%#.*?%>", "", text, flags=re.S), flags=re.S)

    def subject(self, path: str) -> str:
        """From the locale's <mailer>.<view>.subject, else the `subject:` of the mailer method."""
        scope = self.scope(path)
        if isinstance(self.strings.get(f"{scope}.subject"), str):
            return self.value(f"t('{scope}.subject')", scope)
        mailer, _, view = scope.rpartition(".")
        code = self.files.text(f"{self.app.mailers}/{mailer.replace('.', '/')}.rb")
        method = re.search(rf"\bdef {view}\b(.*?)(?=\n\s*def |\Z)", code, re.S)
        found = method and re.search(
            r"subject:\s*(?:->\s*\{\s*)?((?:t|I18n\.t|_)\s*\((?:[^()]|\([^()]*\))*\)"
            r"|\"[^\"\n]*\"|'[^'\n]*'|[a-z_]\w*(?=\s*[,)\n]))", method.group(1), re.S)
        return self.value(found.group(1), scope) if found else ""

    def read(self, path: str, data: bytes) -> Iterator[Message | Skipped]:
        body = self.expand(decode(data).replace("\r\n", "\n"), path)
        if self.app.layout in self.files.paths:
            body = self.expand(self.files.text(self.app.layout), self.app.layout).replace(YIELD, body, 1)
        body = body.replace(YIELD, "")  # a partial's yield, its block not inlined
        body = substitute(ERB, body)
        subject = " ".join(self.subject(path).split())
        yield from read_template(path, f"Subject: {subject}\n{body}".encode())


# ---- Laravel Blade mails whose words are in a PHP language file ----------------------------------

_PHP_PAIR = re.compile(r"'(\w+)'\s*=>\s*(?:'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\")")
_TRANS = re.compile(r"\{\{\s*(?:\(string\)\s*)?(?:trans|__)\(\s*'([\w.]+)'\s*(?:,\s*\[(.*?)\])?\s*\)\s*\}\}",
                    re.S)


@dataclass(frozen=True)
class LaravelViews:
    """How one Laravel app's Blade mails read: `lang` (a regex of its English language files, each a
    flat PHP array `'key' => 'text'` read as `<file name>.<key>`), `consts` (values of its view
    variables), and `code` (the folder of the Mail and Notification classes that give the subject
    of the view they name)."""

    lang: str
    consts: dict[str, str] = field(default_factory=dict)
    code: str = "app/"

    def bind(self, files: Files) -> Reader:
        strings: dict[str, str] = {}
        for path in sorted(p for p in files.paths if re.search(self.lang, p)):
            stem = path.rpartition("/")[2].removesuffix(".php")
            for key, single, double in _PHP_PAIR.findall(files.text(path)):
                strings[f"{stem}.{key}"] = re.sub(r"\\(['\"\\])", r"\1", single or double)
        code = {p: "" for p in files.paths if p.startswith(self.code) and p.endswith(".php")}

        def said(key: str, args: str) -> str:
            options = dict(re.findall(r"'(\w+)'\s*=>\s*([^,\]]+)", args or ""))

            def one(match: re.Match) -> str:
                name = match.group(1)
                if name in self.consts:
                    return self.consts[name]
                variable = re.findall(r"\$(\w+)(?:->(\w+))?", options.get(name, ""))
                return fill(variable[-1][1] or variable[-1][0]) if variable else fill(name)

            return re.sub(r":([a-zA-Z_]\w*)", one, strings.get(key, ""))

        def subject(view: str) -> str:
            for path, text in code.items():
                text = text or files.text(path)
                code[path] = text
                if f"'{view}'" in text:
                    found = re.search(r"subject\s*=\s*(?:\(string\)\s*)?trans\(\s*'([\w.]+)'"
                                      r"|subject\(\s*(?:\(string\)\s*)?trans\(\s*'([\w.]+)'", text)
                    return said(found.group(1) or found.group(2), "") if found else ""
            return ""

        def read(path: str, data: bytes) -> Iterator[Message | Skipped]:
            text = _TRANS.sub(lambda m: said(m.group(1), m.group(2)), decode(data))
            for name, value in self.consts.items():
                text = re.sub(r"\{\{\s*\$" + name + r"\b[^{}]*\}\}", value, text)
            view = re.sub(r"^.*?/views/|\.blade\.php$", "", path).replace("/", ".")
            yield from read_template(path, f"Subject: {subject(view)}\n{text}".encode())

        return read


# ---- e-mails kept whole in a YAML locale file -----------------------------------------------------

_BODY_KEYS = ("body", "email_body", "body_html", "html", "text", "content", "message")
_SUBJECT_KEYS = ("subject", "email_subject", "title")
_HTML_RE = re.compile(r"</?(p|div|a|br|ul|li|strong)\b")


def _mails(tree: object, key: str = "") -> Iterator[tuple[str, str, str]]:
    """(key, subject, body) of every mapping in a locale tree with a subject and a body."""
    if not isinstance(tree, dict):
        return
    subject = next((tree[k] for k in _SUBJECT_KEYS if isinstance(tree.get(k), str)), None)
    body = next((tree[k] for k in _BODY_KEYS if isinstance(tree.get(k), str)), None)
    if subject is not None and body is not None and "subject" in " ".join(map(str, tree)):
        yield key, subject, body
    for name, value in tree.items():
        yield from _mails(value, f"{key}.{name}" if key else str(name))


def _placeholders(text: str, values: dict[str, str]) -> str:
    """%{var}, <<Client.Var>> and {{var}} filled: from `values` by full or last name, else fill()."""
    def one(name: str) -> str:
        last = name.rpartition(".")[2]
        return values.get(name) or values.get(last) or fill(last)

    text = re.sub(r"<<\s*([\w.]+)\s*>>", lambda m: one(m.group(1)), text)
    return re.sub(r"%\{(\w+)\}|\{\{\s*([\w.]+)\s*\}\}", lambda m: one(m.group(1) or m.group(2)), text)


def yaml_mail(values: dict[str, str], macros: tuple[str, str] = ("", "")) -> Reader:
    """Each mapping of a YAML locale file with a `subject` and a `body` as a message, placeholders
    filled (`values` first). With `macros` (a regex of dotted keys, a subject), each string under
    a matching key is a message with that subject too (the canned replies staff send)."""
    def reader(path: str, data: bytes) -> Iterator[Message | Skipped]:
        tree = yaml.safe_load(decode(data)) or {}
        if isinstance(tree, dict) and isinstance(tree.get("en"), dict):
            tree = tree["en"]
        found = list(_mails(tree))
        if macros[0]:
            found += [(key, macros[1], text) for key, text in flat(tree).items()
                      if isinstance(text, str) and re.search(macros[0], key)]
        for key, subject, body in found:
            text = _placeholders(body, values)
            subject = " ".join(_placeholders(subject, values).split())
            if _HTML_RE.search(text):
                yield from read_template(f"{path}#{key}", f"Subject: {subject}\n{text}".encode())
            else:
                yield Message(f"{path}#{key}", subject, text)

    return reader


# ---- the apps' values ----------------------------------------------------------------------------

_SHOP_ORDER = {
    "variant.sku": "TSH-ORG-M", "product.name": "Organic Cotton T-Shirt",
    "options_text": "Size: M, Colour: Navy", "quantity": "2", "single_money": "$25.00",
    "display_amount": "$50.00", "display_item_total": "$50.00", "display_total": "$58.49",
    "label": "SPRING10", "Spree::Money": "$4.99", "seller.name": "Green Thread Studio",
    "current_store.name": "Harbor Outfitters", "store.name": "Harbor Outfitters",
    "display_additional_tax_total.to_html": "$3.50", "display_gift_card_total.to_html": "$10.00",
    "fee.label": "Handling fee", "adjustment.label": "Sales tax", "adjustment.display_amount": "$3.50",
    "number": "R123456789", "order.number": "R123456789", "tracking": "1Z999AA10123456784",
    "tracking_url": "https://www.ups.com/track?tracknum=1Z999AA10123456784",
    "display_total_amount_refunded": "$25.00"}
_FOI_BODY, _FOI_TITLE = "Leeds City Council", "Bin collection schedules 2024"
READERS: dict[str, Reader | RailsViews | LaravelViews] = {
    # Login.gov: the product's name and a partner agency in the place of its variables
    "login_gov": RailsViews(r"^config/locales/en\.yml$", {
        "APP_NAME": "Login.gov", "app_name": "Login.gov", "app_name_html": "Login.gov", "sp_name": "USAJOBS",
        "header": "", "intro": "Thanks for submitting your email address.",
        "first_sentence": "Thanks for submitting your email address.", "confirmation_period": "24 hours",
        "account_reset_deletion_period_interval": "24 hours", "waiting_period": "24 hours",
        "interval": "24 hours", "expires": "10 minutes", "service_provider_or_app_name": "USAJOBS",
        "sp_or_app_name": "USAJOBS", "barcode_heading_text": "Your barcode expires on March 3, 2025",
        "date": "March 3, 2025", "hours": "8:00 a.m. to 8:00 p.m. ET"}),
    # GOV.UK Signon: its layout gives the greeting and sign-off
    "govuk_signon": RailsViews(r"^config/locales/[\w.]*en\.yml$", {
        "app_name": "GOV.UK Signon", "account_name": "account", "instance_name": "",
        "GovukEnvironment.current": "", "suspension_time": "in 7 days",
        "unlock_time": "4:15pm, 14 March 2025", "locked_time": "3:15pm, 14 March 2025",
        "suspension_reminder_subject": "Your GOV.UK Signon account will be suspended in 7 days",
        "suspension_notification_subject": "Your GOV.UK Signon account has been suspended"},
        layout="app/views/layouts/user_mailer.text.erb"),
    # RubyGems.org: one gem, its owner's handle, one time stamp
    "rubygems": RailsViews(r"^config/locales/en\.yml$", {
        "Gemcutter::HOST_DISPLAY": "RubyGems.org", "Gemcutter::HOST": "rubygems.org", "host": "RubyGems.org",
        "handle": "alexm", "display_handle": "alexm", "user.name": "Alex Morgan", "user_handle": "alexm",
        "rubygem.name": "tidy_json", "gem": "tidy_json", "to_title": "tidy_json (2.4.1)", "name": "tidy_json",
        "to_formatted_s(:rfc822)": "Fri, 09 May 2025 10:30:00 +0000", "label": "",
        "url": "https://rubygems.org/profile/edit", "nickname": "YubiKey 5C", "scope": "push_rubygem",
        "scopes.to_sentence": "push rubygem and yank rubygem", "api_key.name": "ci-release",
        "human_attribute_name(:oidc_api_key_role)": "OIDC API key role",
        "human_attribute_name(:expires_at)": "Expires at", "oidc_api_key_role.name": "github-actions-release",
        "last_success": "March 3, 2025 at 10:30 UTC", "failures_since_last_success": "12",
        "delete_command": "gem webhook --remove https://ci.example.com/hook"}),
    # Spree and Solidus: one line item, its totals and shipping
    "spree": RailsViews(r"^spree/core/config/locales/en\.yml$", _SHOP_ORDER, "spree/emails/app/mailers",
                        "spree/emails/app/views", scope="spree"),
    "solidus": RailsViews(r"^core/config/locales/en\.yml$", _SHOP_ORDER, "core/app/mailers",
                          "core/app/views"),
    # Devise: the default account mails of the Rails apps that use it
    "devise": RailsViews(r"^config/locales/en\.yml$"),
    # Firefly III: a sign-in's address and browser, a bill
    "firefly_iii": LaravelViews(r"^resources/lang/en_US/(email|firefly)\.php$", {
        "host": "pool-203-0-113-7.example.net", "ip": "203.0.113.7", "time": "Friday, May 9, 2025 10:30",
        "userAgent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/128.0", "count": "2",
        "link": "https://firefly.example.com/", "url": "https://firefly.example.com/profile",
        "address": "https://firefly.example.com", "group": "Household budget", "name": "Budget sync",
        "date": "June 1, 2025", "email": "alex@example.com", "invitee": "priya.shah@example.com",
        "admin": "admin@example.com"}),
    # Alaveteli (WhatDoTheyKnow): gettext source strings, one Freedom of Information request
    "alaveteli": RailsViews(r"^$", {
        "site_name": "WhatDoTheyKnow", "pro_site_name": "WhatDoTheyKnow Pro", "public_body.name": _FOI_BODY,
        "public_body_name": _FOI_BODY, "public_body": _FOI_BODY, "authority_name": _FOI_BODY,
        "law_used_short": "FOI", "law_used_full": "Freedom of Information", "law_used": "FOI",
        "info_request.title": _FOI_TITLE, "request_title": _FOI_TITLE, "title": _FOI_TITLE,
        "info_request_title": _FOI_TITLE,
        "contact_from_name_and_email": "WhatDoTheyKnow <help@example.org>"}),
    # GetYourRefund, GetCTC, FileYourStateTaxes (Code for America)
    "vita_min": yaml_mail({
        "primary_first_name": "Alex", "first_name": "Alex", "PreferredName": "Alex", "state_name": "Arizona",
        "service_name": "FileYourStateTaxes", "ClientId": "10482913", "ClientID": "10482913",
        "intake_id": "10482913", "AssignedOrganization": "Tax Help Colorado", "doc_type": "ID",
        "submitted_or_resubmitted": "submitted", "state_code": "AZ", "TaxYear": "2024",
        "Preparer.FirstName": "Jordan", "Documents.List": "- Photo ID\n- W-2 from your employer",
        "GetYourRefund.PhoneNumber": "(555) 010-0000"},
        (r"^hub\.status_macros\.\w+$", "Update from GetYourRefund")),
}
