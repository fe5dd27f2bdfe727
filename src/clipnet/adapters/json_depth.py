"""How deeply a JSON document nests, measured on the raw bytes before any parser sees them.

Python's JSON parsers recurse once per level, so a small body nested thousands deep ends in
``RecursionError`` (a 2 KB body is enough). Every JSON body ClipNET reads — the API's request
bodies and the signed webhooks — is measured here first and refused when it nests deeper than
``MAX_JSON_DEPTH``; no real payload comes close (webhooks nest under ten levels).
"""

from __future__ import annotations

import re
from itertools import accumulate

MAX_JSON_DEPTH = 64

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = bytes(sorted(set(range(256)) - set(b"[]{}")))


def too_deep(body: bytes | str, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether ``body`` opens more than ``limit`` arrays/objects inside one another.

    Brackets inside strings do not count. Broken JSON is left to the parser to refuse.
    """
    raw = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body
    brackets = _STRING.sub(b"", raw).translate(None, _NOT_BRACKET)
    if brackets.count(b"[") + brackets.count(b"{") <= limit:
        return False  # the usual case: too few brackets to nest that deep at all
    steps = (1 if byte in b"[{" else -1 for byte in brackets)
    return max(accumulate(steps)) > limit
