"""What the SDK shows of a request anywhere but on the wire: phone numbers masked, secrets dropped.

Logs, spans, `client.stats()` and `APIError.support_info()` all go through these two
functions, so that "the last 4 digits only" and "never a secret" are decided once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["SECRET_KEY", "mask_phones", "sanitize"]

# A number written with a leading "+" (also percent-encoded, as in a path segment),
# in any common layout, or a bare run of 10 to 15 digits. The look-arounds keep
# UUIDs, request ids and dates whole: their digit runs touch letters or dashes.
_PHONE = re.compile(
    r"(?<![\w.+%-])(?:(?:\+|%2[Bb])\d[\d ().-]{5,22}\d|\d{10,15})(?![\w-])",
)
_MIN_DIGITS = 7

SECRET_KEY = re.compile(
    r"token|secret|passw|authori[sz]ation|api[-_]?key|credential|private[-_]?key|cookie|signature",
    re.IGNORECASE,
)
"""Keys whose values `sanitize` drops, whatever they hold (webhook secrets, tokens...)."""


def _mask(match: re.Match[str]) -> str:
    text = match.group()
    plus = text.startswith(("+", "%2B", "%2b"))
    digits = "".join(c for c in (text[3:] if text.startswith("%") else text) if c.isdigit())
    if len(digits) < _MIN_DIGITS:
        return text
    return ("+" if plus else "") + "*" * (len(digits) - 4) + digits[-4:]


def mask_phones(text: str) -> str:
    """`text` with every phone number in it masked but for its last 4 digits
    ("+14155552671" -> "+*******2671")."""
    return _PHONE.sub(_mask, text)


def sanitize(value: Any) -> Any:
    """A JSON-like value fit to show: phone numbers masked in every string, and every
    entry whose key looks like a secret (token, secret, password, ...) dropped."""
    if isinstance(value, str):
        return mask_phones(value)
    if isinstance(value, Mapping):
        return {
            str(key): sanitize(item)
            for key, item in value.items()
            if not SECRET_KEY.search(str(key))
        }
    if isinstance(value, (list, tuple)):
        return [sanitize(item) for item in value]
    if isinstance(value, int) and not isinstance(value, bool) and 10 <= len(str(abs(value))) <= 15:
        # A phone number sent as a JSON number.
        return mask_phones(str(value))
    return value
