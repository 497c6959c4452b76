"""Hostile responses: whatever the server sends, only `MindhuntersError`s come out."""

from __future__ import annotations

import gzip
import json
import tracemalloc
from typing import Any

import anyio
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import AGENT_ID, CALL_ID, TOKEN

import mindhunters_async as mh
from mindhunters_async._converter import structure
from mindhunters_async._pagination import decode_page
from mindhunters_async.middleware._errors import error_from_response

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=20)
    | st.sampled_from(
        ["2024-01-01T00:00:00Z", "+14155552671", CALL_ID, "nan", "", "²", "-٣", "9" * 5000]
    ),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "id",
                    "uuid",
                    "agentId",
                    "agent",
                    "createdAt",
                    "duration",
                    "participant",
                    "data",
                    "items",
                    "current_page",
                    "last_page",
                    "per_page",
                    "total",
                    "meta",
                    "success",
                    "message",
                    "error",
                    "code",
                    "details",
                    "field",
                    "retryAfter",
                    "errors",
                    "number",
                ]
            )
            | st.text(max_size=8),
            children,
            max_size=6,
        )
    ),
    max_leaves=25,
)
bodies = st.one_of(
    st.binary(max_size=300),
    json_values.map(lambda v: json.dumps(v).encode()),
    json_values.map(lambda v: json.dumps(v).encode()[:-1]),  # truncated
    st.just(b"<html><body>502 Bad Gateway</body></html>"),
    st.just(b"\xff\xfe{not utf-8"),
    st.just(b"[" * 5_000),  # nested deeper than the recursion limit
)
header_values = st.sampled_from(
    [
        "",
        "nan",
        "inf",
        "-1",
        "1e999",
        "Wed, 21 Oct 2015 07:28:00 GMT",
        "Thu, 99 Foo",
        "3",
        "x" * 300,
    ]
)


def response(status: int, content: bytes, headers: dict[str, str]) -> httpx.Response:
    request = httpx.Request("POST", "https://acme.mindhunters.ai/api/v1/call")
    return httpx.Response(status, content=content, headers=headers, request=request)


@settings(max_examples=400, deadline=None)
@given(
    status=st.integers(100, 599).filter(lambda s: not 200 <= s < 300),
    content=bodies,
    retry_after=header_values,
    request_id=st.text(max_size=40).filter(lambda s: "\n" not in s and "\r" not in s),
)
def test_error_decoder_accepts_anything(
    status: int, content: bytes, retry_after: str, request_id: str
) -> None:
    headers = {"retry-after": retry_after, "retry-after-ms": retry_after}
    if request_id.isascii():
        headers["x-request-id"] = request_id
    err = error_from_response(response(status, content, headers))
    assert isinstance(err, mh.APIStatusError)
    assert err.status_code == status
    # One line, whatever the server put in its message: no forged log lines.
    assert "\n" not in str(err)
    assert "\r" not in str(err)
    assert err.retry_after is None or 0 < err.retry_after < float("inf")


@settings(max_examples=400, deadline=None)
@given(value=json_values)
def test_model_decoding_raises_only_sdk_errors(value: Any) -> None:
    try:
        call = structure(value, mh.Call)
    except mh.ResponseDecodeError:
        return
    assert isinstance(call.id, str)


@settings(max_examples=400, deadline=None)
@given(value=json_values)
def test_page_decoding_raises_only_sdk_errors(value: Any) -> None:
    async def fetch(number: int) -> mh.Page[mh.Call]:
        raise AssertionError("not called")

    try:
        page = decode_page(value, mh.Call, fetch)
    except mh.ResponseDecodeError:
        return
    assert all(isinstance(item, mh.Call) for item in page.items)
    assert page.current_page >= 0


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(status=st.integers(200, 599), content=bodies, gzipped=st.booleans())
def test_whole_client_raises_only_sdk_errors(
    backend: str, status: int, content: bytes, gzipped: bool
) -> None:
    headers = {"content-type": "application/json"}
    if gzipped:
        content = gzip.compress(content)
        headers["content-encoding"] = "gzip"

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=content, headers=headers)

    async def main() -> None:
        policy = mh.RetryPolicy(max_retries=0)
        async with mh.AsyncMindhunters(
            api_token=TOKEN,
            tenant="acme",
            retry=policy,
            transport=httpx.MockTransport(handler),
            max_response_bytes=50_000,
        ) as client:
            for operation in (
                lambda: client.calls.create(agent_id=AGENT_ID, participant={"number": "+1415555"}),
                lambda: client.calls.get(CALL_ID),
                lambda: client.calls.list(),
            ):
                errors.append(None)
                try:
                    await operation()
                except mh.MindhuntersError as exc:
                    errors[-1] = exc

    errors: list[mh.MindhuntersError | None] = []

    anyio.run(main, backend=backend)
    assert len(errors) == 3
    for err in errors:
        assert err is None or TOKEN not in str(err)
        # An error status is always its typed error, whatever (or however large) the body.
        if status >= 300:
            assert isinstance(err, mh.APIStatusError)
            assert err.status_code == status


def test_decompression_bomb_counts_against_the_cap() -> None:
    bomb = gzip.compress(b"0" * 20_000_000)
    assert len(bomb) < 100_000

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=bomb, headers={"content-encoding": "gzip"})

    async def main() -> mh.ResponseDecodeError:
        async with mh.AsyncMindhunters(
            api_token=TOKEN,
            tenant="acme",
            transport=httpx.MockTransport(handler),
            max_response_bytes=1_000_000,
        ) as client:
            with pytest.raises(mh.ResponseDecodeError) as info:
                await client.calls.get(CALL_ID)
            return info.value

    err = anyio.run(main, backend="trio")
    assert "max_response_bytes=1000000" in str(err)


class Chunks(httpx.AsyncByteStream):
    """A streamed body, as a socket delivers it (a mock's `content=` is read up front)."""

    def __init__(self, data: bytes, size: int = 4096) -> None:
        self.data = data
        self.size = size

    async def __aiter__(self) -> Any:
        for start in range(0, len(self.data), self.size):
            yield self.data[start : start + self.size]


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
@pytest.mark.parametrize("encoding", ["gzip", "deflate", "raw-deflate", "identity"])
def test_streamed_bodies_are_decompressed_under_the_cap(backend: str, encoding: str) -> None:
    import zlib

    payload = json.dumps({"data": {"id": CALL_ID, "about": "x" * 50_000}}).encode()
    raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    packed = {
        "gzip": gzip.compress(payload),
        "deflate": zlib.compress(payload),
        "raw-deflate": raw.compress(payload) + raw.flush(),
        "identity": payload,
    }[encoding]
    header = "deflate" if encoding == "raw-deflate" else encoding

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-encoding": header}, stream=Chunks(packed))

    async def main(limit: int) -> Any:
        async with mh.AsyncMindhunters(
            api_token=TOKEN,
            tenant="acme",
            transport=httpx.MockTransport(handler),
            max_response_bytes=limit,
        ) as client:
            return await client.calls.get(CALL_ID)

    assert anyio.run(main, len(payload), backend=backend).id == CALL_ID
    with pytest.raises(mh.ResponseDecodeError, match="max_response_bytes"):
        anyio.run(main, len(payload) - 1, backend=backend)


def test_a_streamed_bomb_stops_at_the_cap_without_inflating_it() -> None:
    # 256 MiB of zeros, gzipped to about 250 KiB, sent in 64 KiB chunks.
    compressor = zlib_gzip()
    zeros = b"\0" * (1 << 20)
    packed = b"".join(compressor.compress(zeros) for _ in range(256)) + compressor.flush()
    bomb = Chunks(packed, size=1 << 16)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-encoding": "gzip"}, stream=bomb)

    async def main() -> None:
        async with mh.AsyncMindhunters(
            api_token=TOKEN,
            tenant="acme",
            transport=httpx.MockTransport(handler),
            max_response_bytes=1_000_000,
        ) as client:
            with pytest.raises(mh.ResponseDecodeError, match="max_response_bytes"):
                await client.calls.get(CALL_ID)

    tracemalloc.start()
    try:
        anyio.run(main, backend="trio")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # The cap is 1 MB; httpx's own decoder would inflate each 64 KiB chunk whole
    # (about 64 MB). Reading stops at the cap, and the rest is never inflated.
    assert peak < 20_000_000


def zlib_gzip() -> Any:
    import zlib

    return zlib.compressobj(wbits=16 + zlib.MAX_WBITS)
