"""GET /: the browser page, one self-contained file (page.html) with no external assets.

Its inline script and style are allowed by their hashes in a strict Content-Security-Policy,
so nothing else can run on the page, and it may only talk to this function (connect-src 'self').
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from starlette.responses import Response

if TYPE_CHECKING:
    from function.web.app import Call

PAGE = Path(__file__).with_name("page.html")


def _hashes(html: str, tag: str) -> str:
    bodies = re.findall(rf"<{tag}>(.*?)</{tag}>", html, re.DOTALL)
    digests = (base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() for body in bodies)
    return " ".join(f"'sha256-{digest}'" for digest in digests)


@cache
def _page() -> tuple[bytes, dict[str, str]]:
    html = PAGE.read_text(encoding="utf-8")
    policy = (f"default-src 'none'; script-src {_hashes(html, 'script')}; "
              f"style-src {_hashes(html, 'style')}; connect-src 'self'; img-src data:; "
              "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
    headers = {"Content-Security-Policy": policy, "X-Content-Type-Options": "nosniff",
               "Referrer-Policy": "no-referrer", "Cache-Control": "public, max-age=300"}
    return html.encode("utf-8"), headers


async def page(call: Call) -> Response:
    body, headers = _page()
    return Response(body, headers=headers, media_type="text/html")
