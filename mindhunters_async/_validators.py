"""Client-side checks that mirror the server's, usable for callers' own forms too.

Each validator returns the normalised value or raises `RequestValidationError`
with the field, the code the server would answer with, and how to fix it.
"""

from __future__ import annotations

import re
import urllib.parse
import uuid
from typing import Any

from ._exceptions import ErrorCode, RequestValidationError

__all__ = ["is_e164", "is_uuid", "validate_e164", "validate_uuid"]

# ASCII classes on purpose: `\d` would accept Arabic-Indic and other digits,
# and fullmatch (not `$`) refuses a trailing newline.
_E164 = re.compile(r"\+[1-9][0-9]{1,14}", re.ASCII)
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def is_e164(value: object) -> bool:
    """True when `value` is a string in E.164 format: `+`, then 2 to 15 digits, the first not 0."""
    return isinstance(value, str) and _E164.fullmatch(value) is not None


def is_uuid(value: object) -> bool:
    """True when `value` is a `uuid.UUID` or a hyphenated 8-4-4-4-12 hex string."""
    return isinstance(value, uuid.UUID) or (
        isinstance(value, str) and _UUID.fullmatch(value) is not None
    )


def validate_e164(value: Any, field: str = "number") -> str:
    """Return `value` if it is an E.164 phone number, else raise `RequestValidationError`.

    >>> validate_e164("+14155552671")
    '+14155552671'
    """
    if is_e164(value):
        return value  # type: ignore[no-any-return]
    if value is None or value == "":
        raise missing(field)
    raise RequestValidationError(
        field,
        ErrorCode.INVALID_FORMAT,
        "Phone number must be in E.164 format (e.g., +1234567890), got"
        f" {_described(value)}: a '+', the country code, then the number, digits only,"
        " 15 digits at most",
    )


def validate_uuid(value: Any, field: str = "id") -> str:
    """Return `value` as a UUID string if it is one, else raise `RequestValidationError`.

    Accepts `uuid.UUID` objects and hyphenated 8-4-4-4-12 hex strings; refuses
    braces, `urn:uuid:` prefixes and unhyphenated forms, as the server does.
    """
    if isinstance(value, uuid.UUID):
        return str(value)
    if is_uuid(value):
        return value  # type: ignore[no-any-return]
    if value is None or value == "":
        raise missing(field)
    raise RequestValidationError(
        field,
        ErrorCode.INVALID_UUID,
        f"{field} must be a valid UUID (e.g., 550e8400-e29b-41d4-a716-446655440000),"
        f" got {_shown(value)}",
    )


def missing(field: str) -> RequestValidationError:
    """The error for a required value that is missing or empty."""
    return RequestValidationError(
        field, ErrorCode.VALIDATION_ERROR, f"The {field} field is required"
    )


def _described(value: object) -> str:
    # A phone number is personal data: say what is wrong with it without
    # copying it into exception text, and from there into logs.
    if not isinstance(value, str):
        return f"a {type(value).__name__}"
    if not value.startswith("+"):
        return f"{len(value)} characters without the leading '+'"
    return f"{len(value)} characters"


def _shown(value: object) -> str:
    # Bounded, so that a megabyte of garbage does not end up in a log line.
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# The checks below are the resources' own (not part of the public surface): one
# copy each, so every group words the same mistake the same way.


def check_text(value: object, field: str) -> None:
    """Refuse anything but a string with something other than spaces in it."""
    if not isinstance(value, str) or not value.strip():
        raise RequestValidationError(
            field, ErrorCode.VALIDATION_ERROR, f"{field} must be a non-empty string"
        )


def check_secret(value: object, field: str) -> None:
    """Refuse anything but a non-empty string, never showing the value: a secret."""
    if not isinstance(value, str) or not value:
        raise RequestValidationError(
            field, ErrorCode.VALIDATION_ERROR, f"{field} must be a non-empty string"
        )


def check_flag(value: object, field: str) -> None:
    """Refuse anything but True or False."""
    if not isinstance(value, bool):
        raise RequestValidationError(
            field, ErrorCode.VALIDATION_ERROR, f"{field} must be true or false"
        )


def url_problem(value: object, schemes: tuple[str, ...]) -> str | None:
    """What is wrong with `value` as a URL with one of `schemes` and a host, or None."""
    if not isinstance(value, str):
        return f"got a {type(value).__name__}"
    if not value or any(c.isspace() or not c.isprintable() for c in value):
        return "got an empty string or one with spaces or control characters"
    try:
        parts = urllib.parse.urlsplit(value)
        host = parts.hostname
    except ValueError:
        return "got a string that is not a URL"
    if parts.scheme.lower() not in schemes:
        scheme = parts.scheme or "no"
        return f"got a URL with {scheme[:10]!r} as its scheme"
    if not host:
        return "got a URL without a host"
    return None


def _check_url(value: object, field: str, schemes: tuple[str, ...]) -> None:
    # The value is not echoed: a URL may carry credentials or tokens in its query.
    problem = url_problem(value, schemes)
    if problem is not None:
        wanted = " or ".join(f"{scheme}://" for scheme in schemes)
        raise RequestValidationError(
            field, ErrorCode.INVALID_FORMAT, f"{field} must be an {wanted} URL, {problem}"
        )


def check_https_url(value: object, field: str) -> None:
    """Refuse anything but an https:// URL with a host (webhooks: they carry tokens)."""
    _check_url(value, field, ("https",))


def check_web_url(value: object, field: str) -> None:
    """Refuse anything but an http:// or https:// URL with a host."""
    _check_url(value, field, ("http", "https"))


def wire_id(value: Any) -> Any:
    """A `uuid.UUID` as the string JSON and queries take; anything else as given, for
    the endpoint's rules to judge."""
    return str(value) if isinstance(value, uuid.UUID) else value
