"""validate: check the request against its endpoint's rules before anything is sent."""

from __future__ import annotations

from typing import Any

import httpx

from .._pipeline import CallNext, Request
from .._validators import missing

_ABSENT: Any = object()


async def validate(request: Request, call_next: CallNext) -> httpx.Response:
    """Raise `RequestValidationError` (and send nothing) when a value breaks a rule.

    The rules are the endpoint's (`Endpoint.rules`): E.164 for phone numbers,
    UUIDs for ids and path ids, and presence for required values. A required
    value that is missing, None or empty is `VALIDATION_ERROR`.
    """
    for rule in request.endpoint.rules:
        if rule.source == "json":
            value = _lookup(request.json, rule.field)
        elif rule.source == "path":
            value = request.path_params.get(rule.field, _ABSENT)
        else:
            value = (request.params or {}).get(rule.field, _ABSENT)
        if value is _ABSENT or value is None:
            if rule.required:
                raise missing(rule.field)
            continue
        rule.check(value, rule.field)
    return await call_next(request)


def _lookup(body: Any, dotted: str) -> Any:
    value = body
    for part in dotted.split("."):
        if not isinstance(value, dict):
            return _ABSENT
        value = value.get(part, _ABSENT)
        if value is _ABSENT:
            return _ABSENT
    return value
