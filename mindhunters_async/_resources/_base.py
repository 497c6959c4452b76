"""What every resource shares: sending an operation, paging, raw responses, extras.

A resource module declares its operations as `Endpoint`s (method, path template,
pre-validation rules) next to the methods that call them; each method is a few
lines over `Resource._send` or `Resource._pager`. Adding an operation is one
`Endpoint` and one method.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

import attrs
import httpx

from .._converter import decoder, structure, unstructure, unwrap
from .._exceptions import ErrorCode, RequestValidationError
from .._pagination import AsyncPager, decode_page
from .._pipeline import Endpoint, Rule, Upload, result_of
from .._validators import validate_uuid

if TYPE_CHECKING:
    from .._client import AsyncMindhunters
    from .._models import Page

__all__ = [
    "RateLimitInfo",
    "RawResponse",
    "RawResponses",
    "Resource",
    "fields",
    "paging_rules",
    "uuid_path",
    "wire",
    "with_id",
]

T = TypeVar("T")


@attrs.frozen
class RateLimitInfo:
    """The server's rate-limit headers (`X-RateLimit-Limit`, `-Remaining`, `-Reset`)."""

    limit: int | None
    remaining: int | None
    reset: float | None

    @classmethod
    def from_headers(cls, headers: httpx.Headers) -> RateLimitInfo | None:
        """None when the server sent none of them."""
        values = [headers.get(f"x-ratelimit-{name}") for name in ("limit", "remaining", "reset")]
        if not any(values):
            return None
        limit, remaining, reset = (_number(value) for value in values)
        return cls(
            limit=None if limit is None else int(limit),
            remaining=None if remaining is None else int(remaining),
            reset=reset,
        )


def _number(value: str | None) -> float | None:
    if value is None:
        return None
    text = value.strip()
    if not text.replace(".", "", 1).isdigit() or len(text) > 20:
        return None
    return float(text)


class RawResponse(Generic[T]):
    """An operation's reply with its metadata: `client.calls.with_raw_response.get(id)`.

    `parse()` gives what the plain method returns; `status_code`, `headers`,
    `request_id` and `rate_limit` (`RateLimitInfo`, or None when the server sent no
    rate-limit headers) describe the reply; `http_response` is the `httpx.Response`.
    """

    __slots__ = ("_result", "http_response")

    def __init__(self, result: T, http_response: httpx.Response) -> None:
        self._result = result
        self.http_response = http_response

    def parse(self) -> T:
        """The decoded result: a model, a `Page`, or the JSON for `client.request`."""
        return self._result

    @property
    def status_code(self) -> int:
        """The HTTP status of the reply."""
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        """The headers of the reply."""
        return self.http_response.headers

    @property
    def request_id(self) -> str | None:
        """The server's request id, when it sent one."""
        from ..middleware._errors import _request_id

        return _request_id(self.http_response.headers)

    @property
    def rate_limit(self) -> RateLimitInfo | None:
        """The rate-limit headers, when the server sent them."""
        return RateLimitInfo.from_headers(self.http_response.headers)

    def __repr__(self) -> str:
        return f"<RawResponse {self.status_code} {self._result!r}>"


class RawResponses(Protocol):
    """A resource whose methods return `RawResponse`s (see `Resource.with_raw_response`)."""

    def __getattr__(self, name: str) -> Callable[..., Awaitable[RawResponse[Any]]]: ...


class Resource:
    """The base of every resource (`client.calls`, `client.agents`, ...)."""

    __slots__ = ("_client", "_raw")

    def __init__(self, client: AsyncMindhunters, *, raw: bool = False) -> None:
        self._client = client
        self._raw = raw

    @property
    def with_raw_response(self) -> RawResponses:
        """The same operations, each returning a `RawResponse` (the model through
        `.parse()`, and the status, headers, request id and rate-limit headers).

        A list operation returns a pager whose `await` gives a `RawResponse` of the
        `Page`; walk pages with the plain method."""
        return type(self)(self._client, raw=True)  # type: ignore[return-value]

    async def _send(
        self,
        endpoint: Endpoint,
        decode: Callable[[Any], Any] | None,
        *,
        path: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        raw: bool | None = None,
        upload: Upload | None = None,
    ) -> Any:
        """Send one operation; its result (or a `RawResponse` in raw mode, or when
        `raw` says so).

        `params` leaves out None values (the JSON body is sent as given: build it
        with `fields`); the extras are merged last, so they win. `upload` is a
        streamed body sent instead of JSON (its fields take `extra_body` themselves).
        """
        query = _drop_none(params)
        if extra_query:
            query = {**(query or {}), **extra_query}
        body = json
        if extra_body:
            body = {**(body or {}), **extra_body}
        all_headers = dict(headers) if headers else {}
        if extra_headers:
            all_headers.update(extra_headers)
        request, response = await self._client._exchange(
            endpoint,
            decode,
            path_params=path,
            params=query,
            json=body,
            headers=all_headers or None,
            upload=upload,
        )
        result = result_of(request, response)
        return RawResponse(result, response) if (self._raw if raw is None else raw) else result

    def _pager(
        self,
        endpoint: Endpoint,
        cls: type[T],
        *,
        path: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
        page: int = 1,
        per_page: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> AsyncPager[T]:
        """A pager over a list operation, in any of the API's four list shapes."""
        base = {**(_drop_none(params) or {})}
        if per_page is not None:
            base["per_page"] = per_page

        def request(number: int, raw: bool) -> Awaitable[Any]:
            def decode(body: Any) -> Page[T]:
                return decode_page(body, cls, fetch, page=number, per_page=per_page)

            return self._send(
                endpoint,
                decode,
                path=path,
                params={**base, "page": number},
                extra_headers=extra_headers,
                extra_query=extra_query,
                raw=raw,
            )

        async def fetch(number: int) -> Page[T]:
            # Pages fetched by walking (`async for`, `next_page()`) are plain pages,
            # raw mode or not: only the page awaited first is a RawResponse.
            page_: Page[T] = await request(number, False)
            return page_

        if not self._raw:
            return AsyncPager(fetch, page)

        async def first(number: int) -> Any:
            return await request(number, True)

        return AsyncPager(fetch, page, first=first)


def _drop_none(values: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if values is None:
        return None
    return {key: value for key, value in values.items() if value is not None}


def fields(**values: Any) -> dict[str, Any]:
    """A JSON body of the given fields, models on the wire and None values left out."""
    return {key: wire(value) for key, value in values.items() if value is not None}


def wire(value: Any) -> Any:
    """A model as it goes on the wire (camelCase, None left out); anything else as given."""
    return unstructure(value) if attrs.has(type(value)) else value


def uuid_path(*names: str) -> tuple[Rule, ...]:
    """Rules: each of these path parameters is a UUID."""
    return tuple(Rule(name, validate_uuid, "path") for name in names)


def paging_rules(max_per_page: int = 100, *extra: Rule) -> tuple[Rule, ...]:
    """Rules of a list operation: `page` from 1, `per_page` from 1 to `max_per_page`."""

    def page_number(value: Any, field: str) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise RequestValidationError(
                field,
                ErrorCode.VALIDATION_ERROR,
                f"{field} must be a whole number from 1, got {value!r}",
            )
        if field == "per_page" and value > max_per_page:
            raise RequestValidationError(
                field,
                ErrorCode.VALIDATION_ERROR,
                f"per_page must be at most {max_per_page} here, got {value}: walk the pages"
                " instead",
            )

    return (
        Rule("page", page_number, "params", required=False),
        Rule("per_page", page_number, "params", required=False),
        *extra,
    )


def with_id(cls: type[T], known_id: Any, key: str = "uuid") -> Callable[[Any], T]:
    """The decoder of `cls` from a write on the object `known_id`: the docs show no
    answer (or one without the id) for many writes, so an answer without the
    object's id still reads, with the id the caller sent under `key`; an id the
    server sends, under any of its names, wins."""

    def decode(body: Any) -> T:
        data = unwrap(body)
        data = dict(data) if isinstance(data, dict) else {}
        if known_id is not None:
            data.setdefault(key, known_id if isinstance(known_id, (str, int)) else str(known_id))
        return structure(data, cls)

    return decode


def model(cls: type[T]) -> Callable[[Any], T]:
    """The decoder of one `cls` from a reply (the envelope unwrapped)."""
    return decoder(cls)
