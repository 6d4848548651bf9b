"""docs/api.md's error table lists every code of function/contract.py's ErrorCode, with its status."""

from __future__ import annotations

import re

from function.contract import ErrorCode
from tests.support import ROOT


def test_the_error_table_is_the_contracts():
    lines = (ROOT / "docs" / "api.md").read_text().splitlines()
    rows = [line.split("|") for line in lines if re.match(r"\| \d{3} \|", line)]
    documented = {(code, int(row[1])) for row in rows for code in re.findall(r"`([a-z_]+)`", row[2])}
    assert documented == {(code.value, code.status) for code in ErrorCode}
