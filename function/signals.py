"""What a careful reader checks beside the words: whether a link goes where its text says, whether
the sender's address belongs to the brand its name claims, and whether a text that names a brand
links to an imitation of it.

They are shown with the reasons (`explain`), in words ("the link says paypal.com and goes to
paypa1-secure.example"); the score does not use them. The commercially usable scam corpora keep
the body text only, without links or senders, so no weight for such a signal could be learned or
judged on sources left out; docs/api.md gives how often each fires on real mail
(`python -m export.signal_rates`)."""

from __future__ import annotations

import dataclasses
import email.utils
import itertools
import re
from urllib.parse import urlsplit

from function import markup, mime
from function.contract import MAX_SIGNALS, Prediction, Signal
from function.limits import MAX_CHARS

MAX_TEXT_LINKS = 200  # links read of one text

# Brands that scams imitate, with the stems of the domains they send from and link to.
BRANDS: dict[str, tuple[str, ...]] = {
    "paypal": ("paypal",), "amazon": ("amazon", "amzn"), "apple": ("apple", "icloud"),
    "icloud": ("apple", "icloud"), "microsoft": ("microsoft", "outlook", "live", "office"),
    "outlook": ("microsoft", "outlook", "live", "office"), "office 365": ("microsoft", "office"),
    "netflix": ("netflix",), "ebay": ("ebay",), "google": ("google", "gmail"), "dhl": ("dhl",),
    "fedex": ("fedex",), "usps": ("usps",), "royal mail": ("royalmail",),
    "hmrc": ("hmrc", "gov"), "irs": ("irs", "gov"), "wells fargo": ("wellsfargo", "wf"),
    "bank of america": ("bankofamerica", "bofa"), "jpmorgan chase": ("chase", "jpmorgan"),
    "facebook": ("facebook", "facebookmail", "meta", "fb"), "instagram": ("instagram", "facebookmail"),
    "whatsapp": ("whatsapp",), "linkedin": ("linkedin",), "dropbox": ("dropbox",),
    "docusign": ("docusign",), "coinbase": ("coinbase",), "binance": ("binance",),
    "spotify": ("spotify",), "adobe": ("adobe",), "hsbc": ("hsbc",), "barclays": ("barclays",),
    "lloyds": ("lloyds",), "natwest": ("natwest",), "santander": ("santander",),
    "american express": ("americanexpress", "aexp", "amex"), "walmart": ("walmart",),
    "costco": ("costco",), "dpd": ("dpd",), "evri": ("evri",),
}
_BRAND_RE = re.compile(r"\b(" + "|".join(sorted(map(re.escape, BRANDS), key=len, reverse=True)) + r")\b",
                       re.IGNORECASE)
# A domain as a link's text names it: "paypal.com", "www.paypal.co.uk/signin", "https://...".
_DOMAIN_RE = re.compile(r"^(?:https?://)?((?:[a-z0-9-]{1,63}\.){1,8}[a-z]{2,24})(?:[/:?#]\S*)?$",
                        re.IGNORECASE)
# A link as a text writes it, "https://..." or bare ("usps-redelivery.com/pay"): only where a word
# starts, so a long run of letters is read once.
_TEXT_LINK_RE = re.compile(r"(?<![\w@.-])(?:https?://)?((?:[a-z0-9-]{1,63}\.){1,8}[a-z]{2,24}"
                           r"|[0-9]{1,3}(?:\.[0-9]{1,3}){3})(?![\w-])", re.IGNORECASE)
_IP_RE = re.compile(r"^[0-9.]+$")  # (a host without a dot, IPv6 among them, is never compared)
# Hosts where each subdomain has its own owner ("apple.github.io" is Apple's page), as public suffixes.
_HOSTING = frozenset({"github.io", "gitlab.io", "blogspot.com", "netlify.app", "vercel.app", "pages.dev",
                      "web.app", "firebaseapp.com", "herokuapp.com", "azurewebsites.net", "wordpress.com"})
# File names that look like hosts ("targets.html"): not links.
_FILE_ENDINGS = frozenset({"html", "htm", "php", "asp", "aspx", "jsp", "pdf", "png", "jpg", "jpeg", "gif",
                           "txt", "md", "js", "css", "json", "xml", "zip", "doc", "docx", "xls", "xlsx"})
_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "gov", "ac", "edu", "ne", "or"})


def registrable(host: str) -> str:
    """The part of a host its owner registers: "mail.paypal.co.uk" -> "paypal.co.uk"."""
    labels = host.lower().rstrip(".").split(".")
    hosted = ".".join(labels[-2:]) in _HOSTING
    keep = 3 if len(labels) >= 3 and (hosted or (len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL)) else 2
    return ".".join(labels[-keep:])


def _owned(host: str, stems: tuple[str, ...]) -> bool:
    """Whether a host's owner is one of `stems`, or a brand's own compound of one ("amazonses",
    "microsoftonline"); a hyphenated one ("paypal-secure", "usps-redelivery") is an imitation."""
    owner = registrable(host).split(".")[0]
    return any(owner == stem or (owner.startswith(stem) and "-" not in owner) for stem in stems)


def _one_edit(a: str, b: str) -> bool:
    """Whether a and b differ by at most one letter changed, added or left out."""
    if abs(len(a) - len(b)) > 1:
        return False
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return a[i + 1:] == b[i + 1:] or a[i + 1:] == b[i:] or a[i:] == b[i + 1:]
    return True


def _imitates(host: str, names: tuple[str, ...]) -> bool:
    """Whether a host dresses up as one of `names` without being it: a bare IP address, or a name
    (or one letter off it: "paypa1") among the words of a host owned by someone else. A redirect
    of a newsletter's links (clickthru.online.com for "dilbert.com") imitates nothing."""
    if _IP_RE.match(host):
        return True
    if _owned(host, names):
        return False
    words = re.split(r"[.-]", host.lower())
    return any(_like(word, name) for word in words for name in names if len(name) >= 4)


def _like(word: str, name: str) -> bool:
    """"paypal", "paypa1", "paypalx" and "mypaypal" are like "paypal"; "applecore" is not "apple"."""
    return (word == name or (min(len(word), len(name)) >= 5 and _one_edit(word, name))
            or (len(word) - len(name) <= 3 and (word.startswith(name) or word.endswith(name))))


def link_signal(href: str, text: str) -> Signal | None:
    """A link whose text names a domain or a brand, and whose target imitates it from elsewhere."""
    try:
        host = urlsplit(href).hostname if "//" in href else None
    except ValueError:
        return None
    if not host or "." not in host:
        return None  # mailto:, relative links, placeholders
    named = _DOMAIN_RE.match(text.strip())
    if named:
        owner = registrable(named.group(1))
        if owner != registrable(host) and _imitates(host, (owner.split(".")[0],)):
            return Signal("link_elsewhere", named.group(1).lower(), host)
        return None
    brand = _BRAND_RE.search(text)
    if brand and _imitates(host, BRANDS[brand.group(1).lower()]):
        return Signal("link_elsewhere", brand.group(1), host)
    return None


def sender_signal(sender: str) -> Signal | None:
    """A sender whose name claims a brand that the address's domain does not belong to."""
    name, address = email.utils.parseaddr(sender)
    domain = address.rpartition("@")[2]
    brand = _BRAND_RE.search(name)
    if brand and "." in domain and not _owned(domain, BRANDS[brand.group(1).lower()]):
        return Signal("sender_not_brand", name.strip(), address.lower())
    return None


def attach(predictions: list[Prediction], texts: list[str | bytes],
           messages: list[mime.Parsed | None]) -> list[Prediction]:
    """The predictions with the signals of each raw or pasted message (as function.mail.read
    parsed it), or of each other text."""
    found = []
    for prediction, text, parsed in zip(predictions, texts, messages, strict=True):  # (a loop: a short path)
        seen = of_message(parsed) if parsed is not None else of_text(text) if isinstance(text, str) else ()
        found.append(dataclasses.replace(prediction, signals=seen))
    return found


def of_text(text: str) -> tuple[Signal, ...]:
    """A text (an SMS, a pasted body) that names a brand and links to a host imitating it."""
    text = text[:MAX_CHARS]
    links = list(itertools.islice(_TEXT_LINK_RE.finditer(text), MAX_TEXT_LINKS))
    if not links:
        return ()
    words = _TEXT_LINK_RE.sub(" ", text)  # a brand only a link spells is not named by the text
    brands: dict[str, str] = {}  # each brand as the text first writes it
    for match in itertools.islice(_BRAND_RE.finditer(words), MAX_TEXT_LINKS):
        brands.setdefault(match.group(1).lower(), match.group(1))
    found = []
    for link in links:
        host = link.group(1).lower()
        if host.rpartition(".")[2] in _FILE_ENDINGS:
            continue
        for brand, written in brands.items():
            if _imitates(host, BRANDS[brand]):
                found.append(Signal("names_brand_links_elsewhere", written, host))
                break
    return tuple(dict.fromkeys(found))[:MAX_SIGNALS]


def of_message(parsed: mime.Parsed) -> tuple[Signal, ...]:
    found = [sender_signal(parsed.sender),
             *(link_signal(href, shown) for part in parsed.markup for href, shown in markup.links(part))]
    return tuple(dict.fromkeys(s for s in found if s is not None))[:MAX_SIGNALS]
