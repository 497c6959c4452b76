"""client.agentic_search: a question researched on the web, answered with citations."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from .._converter import decoder
from .._exceptions import ErrorCode, RequestValidationError
from .._models.messaging import AgenticSearchResult
from .._pipeline import Endpoint, Rule
from ._base import Resource, fields

__all__ = ["AgenticSearch"]

QUERY_MAX_LENGTH: Final = 4000
"""The longest query the API accepts, in characters."""


def _query(value: object, field: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise RequestValidationError(
            field, ErrorCode.VALIDATION_ERROR, f"{field} must be a non-empty string"
        )
    if len(value) > QUERY_MAX_LENGTH:
        raise RequestValidationError(
            field,
            ErrorCode.VALIDATION_ERROR,
            f"{field} must be at most {QUERY_MAX_LENGTH} characters, got {len(value)}:"
            " ask a shorter, more specific question",
        )


def _coordinate(value: object, field: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise RequestValidationError(
            field, ErrorCode.VALIDATION_ERROR, f"{field} must be a number of degrees"
        )


RUN = Endpoint(
    "agentic_search.run",
    "POST",
    "/agentic-search",
    rules=(
        Rule("query", _query),
        Rule("search_latitude", _coordinate, required=False),
        Rule("search_longitude", _coordinate, required=False),
    ),
)

_result = decoder(AgenticSearchResult)


class AgenticSearch(Resource):
    """Agentic search: `run` a research question, get an answer with its sources."""

    __slots__ = ()

    async def run(
        self,
        *,
        query: str,
        language: str | None = None,
        search_preset: str | None = None,
        search_country: str | None = None,
        search_region: str | None = None,
        search_city: str | None = None,
        search_latitude: float | None = None,
        search_longitude: float | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> AgenticSearchResult:
        """Research `query` (1 to 4,000 characters, checked before sending) and answer it.

        `language` is the answer's language (ISO 639-1, the workspace's by default);
        `search_preset` picks the search depth ("fast-search" in the docs);
        `search_country` (ISO 3166-1 alpha-2), `search_region`, `search_city` and
        `search_latitude`/`search_longitude` localize the search. Returns an
        `AgenticSearchResult`: the `answer` and its `citations` (URLs). A search can
        take a while: give this call a longer `timeout` through `with_options` if
        the default cuts it short.
        """
        payload = fields(
            query=query,
            language=language,
            search_preset=search_preset,
            search_country=search_country,
            search_region=search_region,
            search_city=search_city,
            search_latitude=search_latitude,
            search_longitude=search_longitude,
        )
        result: AgenticSearchResult = await self._send(
            RUN,
            _result,
            json=payload,
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        return result
