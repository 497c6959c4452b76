"""What the fake records of each request it receives."""

from __future__ import annotations

from typing import Any

import attrs
import httpx

from ._faults import Fault

__all__ = ["RecordedRequest"]


@attrs.frozen(eq=False)
class RecordedRequest:
    """One request as the fake received it, and what became of it.

    `path` is below the API prefix ("/call", "/calls/<uuid>"); for a URL outside
    `/api/v1` it is the whole path. `route` names the endpoint that matched
    ("GET /calls/{uuid}"), None for an unknown endpoint. `json` is the parsed body,
    None when the body is empty or not JSON (`content` has the bytes).

    `served` tells whether the fake's API acted on the request (it may then have
    changed state, even when a fault struck afterwards); `fault` is the injected
    fault, if any; `status` is the status the client received, None when it got
    an exception instead. The repr of `headers` hides the Authorization value.
    """

    method: str
    url: httpx.URL
    path: str
    route: str | None
    query: httpx.QueryParams
    headers: httpx.Headers
    json: Any
    content: bytes = attrs.field(repr=False)
    served: bool
    fault: Fault | None
    status: int | None

    @property
    def idempotency_key(self) -> str | None:
        """The Idempotency-Key header the request carried, if any."""
        key: str | None = self.headers.get("Idempotency-Key")
        return key
