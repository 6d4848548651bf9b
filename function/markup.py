"""HTML -> the text a reader sees. Part of function.mail (what the model reads).

A tokenizer of its own, in the HTML standard's terms, that reads each character a bounded number
of times: html.parser rescans to the end for "-->" at every unterminated "<!--" (8.4 s for
200 KB of "<!--a>"), and for "]]>" at every "<![CDATA[". Here every construct, closed or not,
is one regular-expression match that consumes it, so markup costs time in proportion to its
length, whatever its shape.

What a reader does not see does not count: the text of elements hidden by the `hidden`
attribute, by inline styles or by a style sheet's plain class rules (display:none,
visibility:hidden, opacity:0, a zero font size, zero width or height with overflow hidden,
text in the colour of its background), and of script, style and title. Where the markup leaves
it unclear whether text is hidden, it counts: a hidden element ends where a browser would end
it (an open <p> is closed by a <div>, a <td> by the next <td>, a table moves stray text out of
itself), or sooner, never later; colours, sizes and selectors this reader does not know hide
nothing.
"""

from __future__ import annotations

import html
import re
from typing import NamedTuple

from function.limits import MAX_CHARS

# A tag's attributes: anything but ">", except that after "=" a quoted value may hold ">". An
# unterminated value or tag runs to the end, as in a browser (which then drops it).
_ATTRS = r"""(?:[^>="']++|["']|=\s*+(?:"[^"]*+"?|'[^']*+'?|[^\s>]*+))*+"""
_TOKEN_RE = re.compile(
    r"<!--(?:-?>|.*?--!?>|.*)"  # a comment, closed or running to the end
    r"|<[!?][^>]*+>?"  # doctype, CDATA section, processing instruction: a bogus comment in HTML
    r"|</(?![a-zA-Z])[^>]*+>?"  # "</" without a name: a bogus comment too
    r"|<(?P<end>/)?(?P<name>[a-zA-Z][^\s/>]*+)(?P<attrs>" + _ATTRS + r")>?",
    re.DOTALL,
)
_ATTR_RE = re.compile(r"""([^\s/>=]++)(?:\s*+=\s*+(?:"([^"]*+)"?|'([^']*+)'?|([^\s>]*+)))?""")
_STYLED_RE = re.compile(r"style|hidden|color|background", re.IGNORECASE)
_CLASSED_RE = re.compile(r"class", re.IGNORECASE)
_CLASS_SELECTOR_RE = re.compile(r"[a-z0-9]*\.(-?[_a-z][\w-]*)")  # "div.note" or ".note", and nothing else
_MENTIONED_CLASS_RE = re.compile(r"\.(-?[_a-z][\w-]*)")

# A decimal character reference of more than 4,300 digits makes html.unescape raise (int()'s digit
# limit). Past 7 digits (leading zeros aside) any is beyond U+10FFFF, which unescape reads as U+FFFD.
_LONG_CHARREF_RE = re.compile(r"&#([0-9]{8,})")

MAX_LINKS = 200  # links read of one HTML text
MAX_LINK_CHARS = 300  # of a link's href and of its text

_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
                   "source", "track", "wbr", "keygen"})
# Elements whose content is text, not markup, up to their end tag: shown or not.
_RAW_SHOWN = {"textarea": True, "xmp": True, "plaintext": True, "script": False, "style": False,
              "title": False, "iframe": False, "noembed": False, "noframes": False}
_RAW_END = {name: re.compile(rf"</{name}(?=[\s/>]|\Z)", re.IGNORECASE) for name in _RAW_SHOWN
            if name != "plaintext"}  # (which has no end)
_BREAK = frozenset({"br", "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote",
                    "ul", "ol", "hr", "pre", "center", "dd", "dt", "section", "article", "header",
                    "footer", "address", "form"})
_CELL = frozenset({"td", "th"})  # a cell starts after a space: "<td>a</td><td>b</td>" reads "a b"
_IN_TABLE_ONLY = frozenset({"caption", "colgroup", "col", "tbody", "thead", "tfoot", "tr", "td", "th"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# Where text and elements are moved out of, to just before the table ("foster parenting").
_TABLE_CONTEXT = frozenset({"table", "tbody", "thead", "tfoot", "tr"})
_TABLE_PARTS = frozenset({"caption", "colgroup", "col", "tbody", "thead", "tfoot", "tr", "td", "th", "table",
                          "script", "style", "template", "input", "form"})

# Elements that a start tag closes when one is open in its scope (the standard's "in button
# scope", "list item scope", "table scope"), so that a hidden one ends where a browser ends it.
_BUTTON_SCOPE = frozenset({"applet", "caption", "html", "table", "td", "th", "marquee", "object", "template",
                           "button"})
_TABLE_SCOPE = frozenset({"html", "table", "template"})
_GROUPS = (  # (members, the elements that bound their scope)
    (frozenset({"p"}), _BUTTON_SCOPE),
    (frozenset({"li"}), _BUTTON_SCOPE | {"ol", "ul"}),
    (frozenset({"dd", "dt"}), _BUTTON_SCOPE),
    (frozenset({"td", "th"}), _TABLE_SCOPE),
    (frozenset({"tr"}), _TABLE_SCOPE),
    (frozenset({"tbody", "thead", "tfoot"}), _TABLE_SCOPE),
)
_P, _LI, _DDT, _CELLS, _ROW, _BODY = range(len(_GROUPS))
_SCOPED = frozenset().union(*(members | bounds for members, bounds in _GROUPS))
_CLOSES_P = frozenset({
    "address", "article", "aside", "blockquote", "center", "details", "dialog", "dir", "div", "dl",
    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hgroup", "hr", "main", "menu", "nav", "ol", "p", "pre", "section", "summary", "table", "ul", "li", "dd",
    "dt", "listing", "xmp", "plaintext"})
_CLOSES = {"li": (_P, _LI), "dd": (_P, _DDT), "dt": (_P, _DDT), "td": (_CELLS,), "th": (_CELLS,),
           "tr": (_CELLS, _ROW), "tbody": (_CELLS, _ROW, _BODY), "thead": (_CELLS, _ROW, _BODY),
           "tfoot": (_CELLS, _ROW, _BODY)}
_CLOSES.update({name: (_P,) for name in _CLOSES_P - _CLOSES.keys()})

_NAMED = {"white": (255, 255, 255), "black": (0, 0, 0), "red": (255, 0, 0), "green": (0, 128, 0),
          "blue": (0, 0, 255), "yellow": (255, 255, 0), "gray": (128, 128, 128), "grey": (128, 128, 128),
          "silver": (192, 192, 192), "maroon": (128, 0, 0), "navy": (0, 0, 128), "olive": (128, 128, 0),
          "purple": (128, 0, 128), "teal": (0, 128, 128), "aqua": (0, 255, 255), "cyan": (0, 255, 255),
          "fuchsia": (255, 0, 255), "magenta": (255, 0, 255), "lime": (0, 255, 0), "orange": (255, 165, 0),
          "whitesmoke": (245, 245, 245), "snow": (255, 250, 250), "ivory": (255, 255, 240),
          "ghostwhite": (248, 248, 255), "azure": (240, 255, 255), "lightgray": (211, 211, 211),
          "lightgrey": (211, 211, 211), "gainsboro": (220, 220, 220), "darkgray": (169, 169, 169)}
TRANSPARENT = "transparent"
_COLOUR_RE = re.compile(r"#([0-9a-f]{3,8})\b|rgba?\(([^)]*)\)|\b([a-z]+)\b")
_NUMBER_RE = re.compile(r"(-?[0-9]*\.?[0-9]+)\s*([a-z%]*)")
_CSS_COMMENT_RE = re.compile(r"/\*.*?(?:\*/|\Z)", re.DOTALL)
_IMPORTANT_RE = re.compile(r"!\s*important\s*$")
_SIZES = ("width", "height", "max-width", "max-height")
_MIN_CONTRAST = 1.2  # text against its background below this ratio (WCAG's) is not read

Colour = tuple[int, int, int] | str | None  # None: unknown (never taken as hidden)


def colour(value: str) -> Colour:
    """The first colour in a CSS value: (r, g, b), TRANSPARENT, or None when there is none that
    this reader knows."""
    for match in _COLOUR_RE.finditer(value):
        found = _colour(*match.groups())
        if found is not None:
            return found
    return None


def _colour(hexa: str | None, rgb: str | None, name: str | None) -> Colour:
    if hexa:
        if len(hexa) in (3, 4):
            return tuple(int(c * 2, 16) for c in hexa[:3])
        return tuple(int(hexa[i:i + 2], 16) for i in (0, 2, 4)) if len(hexa) in (6, 8) else None
    if rgb is not None:
        parts = re.split(r"[\s,/]+", rgb.strip())
        try:
            channels = [float(p[:-1]) * 2.55 if p.endswith("%") else float(p) for p in parts[:3]]
            alpha = float(parts[3].rstrip("%")) / (100 if parts[3].endswith("%") else 1) if parts[3:] else 1
            rgb_tuple = tuple(min(255, max(0, round(c))) for c in channels)
        except (ValueError, OverflowError):  # "rgb(nan, inf, x)"
            return None
        if len(rgb_tuple) < 3:
            return None
        return TRANSPARENT if alpha < 0.1 else rgb_tuple
    return TRANSPARENT if name == TRANSPARENT else _NAMED.get(name)


def _luminance(rgb: tuple[int, int, int]) -> float:
    linear = [c / 3294.6 if c <= 10 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def unreadable(fg: Colour, bg: Colour) -> bool:
    """Whether text of colour `fg` on background `bg` cannot be told from it."""
    if fg == TRANSPARENT:
        return True
    if not isinstance(fg, tuple) or not isinstance(bg, tuple):
        return False
    light, dark = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (light + 0.05) / (dark + 0.05) < _MIN_CONTRAST


def _tiny(value: str, parent: bool) -> bool:
    """Whether a font-size makes text too small to read (at most 1px); relative sizes of tiny
    text stay tiny."""
    match = _NUMBER_RE.match(value)
    if not match:
        return False  # keywords (small, x-small, ...) are readable
    number, unit = float(match.group(1)), match.group(2)
    if number <= 0:
        return True
    if unit in ("em", "%", "ex", "ch") and parent:
        return True
    pixels = {"px": 1, "pt": 4 / 3, "rem": 16, "em": 16, "%": 0.16, "ex": 8, "ch": 8}.get(unit, 1) * number
    return pixels <= 1


def _zero(value: str) -> bool:
    """Whether a length or opacity is zero (or as good as zero: an opacity under 0.1)."""
    match = _NUMBER_RE.match(value)
    return bool(match) and float(match.group(1)) < (0.1 if not match.group(2) else 1e-9)


class State(NamedTuple):
    """How an element's text is shown. Gone (display:none, hidden, opacity:0, clipped to
    nothing) holds for everything inside; visibility, font size and colours are inherited and
    may be set again by a descendant."""

    shown: bool
    gone: bool
    invisible: bool
    tiny: bool
    fg: Colour
    bg: Colour


def state(gone: bool, invisible: bool, tiny: bool, fg: Colour, bg: Colour) -> State:
    return State(not (gone or invisible or tiny or unreadable(fg, bg)), gone, invisible, tiny, fg, bg)


ROOT = state(False, False, False, (0, 0, 0), (255, 255, 255))


def _attributes(text: str) -> dict[str, str]:
    """The attributes of a tag, the first of each name (as a browser keeps them)."""
    found: dict[str, str] = {}
    for match in _ATTR_RE.finditer(text):
        name = match.group(1).lower()
        if name not in found:
            value = next((v for v in match.groups()[1:] if v is not None), "")
            found[name] = html.unescape(value) if "&" in value else value
    return found


def _declarations(style: str) -> dict[str, str]:
    """An inline style's properties, each with the value that wins: the last one given, unless an
    earlier one is !important ("display:none;display:block" shows the element)."""
    found: dict[str, str] = {}
    important: set[str] = set()
    for declaration in _CSS_COMMENT_RE.sub("", style.lower()).split(";"):
        prop, _, value = declaration.partition(":")
        prop, value = prop.strip(), value.strip()
        marked = _IMPORTANT_RE.search(value)
        if marked:
            value = value[:marked.start()].rstrip()
        if prop in important and not marked:
            continue
        found[prop] = value
        if marked:
            important.add(prop)
    return found


class Sheet:
    """What the document's style sheets say of classes, as far as that is plain: rules whose
    selector is one class (".note", "div.note"), in their order. A class that any other rule
    mentions (a compound selector, a media query) is not taken as hidden, and only the sheets
    read before an element apply to it: where this reader could be wrong, text counts."""

    def __init__(self) -> None:
        self.rules: dict[str, dict[str, str]] = {}
        self.unsure: set[str] = set()

    def read(self, css: str) -> None:
        css = _CSS_COMMENT_RE.sub("", css.lower())
        nested = False
        for block in css.split("}"):  # linear: no pattern searches far for a brace
            selectors, brace, body = block.rpartition("{")
            if not brace:
                nested = False  # the end of an @media or @supports block
                continue
            if "@" in selectors or "{" in selectors:
                nested = "{" in selectors
            for selector in selectors.rpartition("{")[2].split(","):
                plain = _CLASS_SELECTOR_RE.fullmatch(selector.strip())
                if plain and not nested:
                    self.rules.setdefault(plain.group(1), {}).update(_declarations(body))
                else:
                    self.unsure.update(_MENTIONED_CLASS_RE.findall(selector))

    def style(self, classes: str) -> dict[str, str]:
        """The declarations the sheet gives an element of these classes."""
        found: dict[str, str] = {}
        for name in classes.lower().split():
            if name in self.rules and name not in self.unsure:
                found.update(self.rules[name])
        return found


def _styled(parent: State, attrs: dict[str, str], sheet: Sheet) -> State:
    """The state of an element with these attributes inside `parent`."""
    _, gone, invisible, tiny, fg, bg = parent
    if "color" in attrs:
        fg = colour(attrs["color"].lower())
    if "bgcolor" in attrs:
        bg = colour(attrs["bgcolor"].lower())
    if "background" in attrs:  # an image: what is behind the text cannot be told
        bg = None
    style = _declarations(attrs.get("style", ""))  # over what the sheet says of its classes
    if "class" in attrs and sheet.rules:
        style = {**sheet.style(attrs["class"]), **style}
    display = style.get("display")  # the hidden attribute is a display:none that a style overrides
    gone = gone or (display == "none" if display is not None else "hidden" in attrs)
    gone = gone or _zero(style.get("opacity", "1"))
    clipped = style.get("overflow") == "hidden"
    gone = gone or (clipped and any(_zero(style.get(p, "")) for p in _SIZES))
    if "visibility" in style:
        seen = style["visibility"]
        invisible = seen in ("hidden", "collapse") or (invisible and seen != "visible")
    if "font-size" in style:
        tiny = _tiny(style["font-size"], tiny)
    if "color" in style:
        fg = colour(style["color"])
    for prop, value in style.items():
        if prop in ("background", "background-color", "background-image"):
            if "url(" in value or prop == "background-image":
                bg = None
            elif (found := colour(value)) != TRANSPARENT:
                bg = found if found is not None or prop == "background-color" else bg
    return state(gone, invisible, tiny, fg, bg)


class _Reader:
    """The open elements (name, state, scopes) and the text shown so far."""

    def __init__(self) -> None:
        self.stack: list[tuple[str, State, tuple[int, ...]]] = [("", ROOT, (-1,) * len(_GROUPS))]
        self.open: dict[str, int] = {}
        self.parts: list[str] = []
        self.sheet = Sheet()
        self.links: list[tuple[str, str]] = []  # (href, the text shown for it) of each shown link
        self._link: tuple[str, int] | None = None  # the open <a>: its href, where its text starts

    def _end_link(self) -> None:
        if self._link is not None and len(self.links) < MAX_LINKS:
            href, start = self._link
            shown = " ".join("".join(self.parts[start:]).split())
            self.links.append((href[:MAX_LINK_CHARS], shown[:MAX_LINK_CHARS]))
        self._link = None

    def _pop_to(self, depth: int) -> None:
        """Closes the elements from `depth` up."""
        while len(self.stack) > max(1, depth):
            name, state, _ = self.stack.pop()
            self.open[name] -= 1
            if name == "a":
                self._end_link()
            if name in _BREAK and not state.gone:
                self.parts.append("\n")

    def _fostered(self) -> State:
        """The state of what a table moves out of itself: that of the table's parent."""
        for depth in range(len(self.stack) - 1, max(0, len(self.stack) - 4), -1):
            if self.stack[depth][0] == "table":
                return self.stack[depth - 1][1]
        return self.stack[-1][1]

    def start(self, name: str, attrs: str, markup: str, end: int) -> int:
        """Opens an element; returns where reading goes on (past a raw element's text)."""
        if name in _IN_TABLE_ONLY and not self.open.get("table"):
            return end  # a cell or row outside a table: a browser ignores the tag (not its text)
        closes = _CLOSES.get(name)
        if closes:
            found = [self.stack[-1][2][group] for group in closes if self.stack[-1][2][group] >= 0]
            if found:
                self._pop_to(min(found))
        if name in _HEADINGS and self.stack[-1][0] in _HEADINGS:  # (h1-h6 do not nest)
            self._pop_to(len(self.stack) - 1)
        top = self.stack[-1]
        if name == "table" and top[0] in _TABLE_CONTEXT and self.open.get("table"):  # ends the table
            while self.stack[-1][0] != "table":
                self._pop_to(len(self.stack) - 1)
            self._pop_to(len(self.stack) - 1)
            top = self.stack[-1]
        parent = self._fostered() if top[0] in _TABLE_CONTEXT and name not in _TABLE_PARTS else top[1]
        styled = attrs and (_STYLED_RE.search(attrs) or (self.sheet.rules and _CLASSED_RE.search(attrs)))
        shown = _styled(parent, _attributes(attrs), self.sheet) if styled else parent
        if name in _RAW_SHOWN:
            closing = _RAW_END[name].search(markup, end) if name != "plaintext" else None
            stop = closing.start() if closing else len(markup)
            if name == "style":
                self.sheet.read(markup[end:stop])
            if _RAW_SHOWN[name] and shown.shown:
                self.parts.append(markup[end:stop] if name != "textarea" else html.unescape(markup[end:stop]))
            return stop
        if name in _CELL and not shown.gone:
            self.parts.append(" ")
        if name in _BREAK and not shown.gone:
            self.parts.append("\n")
        if name == "a" and shown.shown:
            self._end_link()  # (a link does not nest in another: a new <a> ends the open one)
            self._link = (_attributes(attrs).get("href", "").strip(), len(self.parts))
        if name not in _VOID:
            scopes = top[2] if name not in _SCOPED else tuple(
                len(self.stack) if name in members else -1 if name in bounds else inherited
                for (members, bounds), inherited in zip(_GROUPS, top[2], strict=True))
            self.stack.append((name, shown, scopes))
            self.open[name] = self.open.get(name, 0) + 1
        return end

    def end(self, name: str) -> None:
        """Closes the innermost open element of that name (and what is open inside it)."""
        if name == "br":
            self.parts.append("\n")
        elif self.open.get(name):
            depth = len(self.stack) - 1
            while self.stack[depth][0] != name:
                depth -= 1
            self._pop_to(depth)

    def text(self, data: str) -> None:
        top = self.stack[-1]
        where = self._fostered() if top[0] in _TABLE_CONTEXT and not data.isspace() else top[1]
        if where.shown:
            self.parts.append(html.unescape(data) if "&" in data else data)


def _charref(match: re.Match) -> str:
    digits = match.group(1).lstrip("0") or "0"
    return "&#" + (digits if len(digits) < 8 else "xFFFD")


def html_to_text(markup: str) -> str:
    """The text a reader sees of HTML; only its first MAX_CHARS characters are read."""
    return "".join(_read(markup).parts)


def links(markup: str) -> list[tuple[str, str]]:
    """(href, text shown) of each link a reader sees in HTML, the first MAX_LINKS of them."""
    reader = _read(markup)
    reader._end_link()
    return reader.links


def _read(markup: str) -> _Reader:
    markup = _LONG_CHARREF_RE.sub(_charref, markup[:MAX_CHARS])
    reader = _Reader()
    at = 0
    while match := _TOKEN_RE.search(markup, at):
        if match.start() > at:
            reader.text(markup[at:match.start()])
        at = match.end()
        name = match.group("name")
        if name is None:
            continue  # a comment
        name = name.lower()
        if match.group("end"):
            reader.end(name)
        else:
            at = reader.start(name, match.group("attrs"), markup, at)
    if at < len(markup):
        reader.text(markup[at:])
    return reader
