"""Each use of httpx's internals (`mindhunters_async/_httpx.py`) still applies.

An httpx upgrade that moved one of them would leave every behaviour test green
while, for example, `calls.create` silently lost its cookie shortcut: these
tests fail instead.
"""

from __future__ import annotations

import gc
import http.cookiejar
import warnings
from typing import Any

import anyio
import httpx
import pytest

import mindhunters_async as mh
from mindhunters_async import _httpx
from mindhunters_async.testing import FakeMindhunters

pytestmark = pytest.mark.anyio


async def test_the_cookie_shortcut_applies(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Any] = []
    real = http.cookiejar.CookieJar.extract_cookies

    def counting(self: http.cookiejar.CookieJar, response: Any, request: Any) -> None:
        calls.append(response)
        real(self, response, request)

    monkeypatch.setattr(http.cookiejar.CookieJar, "extract_cookies", counting)
    fake = FakeMindhunters()
    async with fake.client() as client:
        assert isinstance(client._shared.http_client, _httpx.HTTPClient)
        for _ in range(3):
            await client.calls.list()
    # No Set-Cookie in any reply: the standard library's jar was never asked.
    assert calls == []

    def with_cookie(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"id": "x"}, headers={"set-cookie": "s=1; Path=/"})

    own = _httpx.HTTPClient(transport=httpx.MockTransport(with_cookie))
    async with own:
        await own.get("https://acme.mindhunters.ai/api/v1/calls/x")
    # A reply that sets one still goes through it, and the cookie is kept.
    assert len(calls) == 1
    assert own.cookies.get("s") == "1"


async def test_a_callers_client_gets_the_shortcut_and_keeps_its_jar(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[Any] = []
    real = http.cookiejar.CookieJar.extract_cookies

    def counting(self: http.cookiejar.CookieJar, response: Any, request: Any) -> None:
        calls.append(response)
        real(self, response, request)

    monkeypatch.setattr(http.cookiejar.CookieJar, "extract_cookies", counting)
    fake = FakeMindhunters()
    own = httpx.AsyncClient(transport=fake.transport(), cookies={"team": "voice"})
    jar = own.cookies
    async with mh.AsyncMindhunters(
        api_token=fake.DEFAULT_TOKEN, base_url=fake.DEFAULT_BASE_URL, http_client=own
    ) as client:
        await client.calls.list()
    assert calls == []
    assert own.cookies is jar  # the same jar, the same cookies
    assert dict(own.cookies) == {"team": "voice"}
    assert fake.requests[-1].headers.get("cookie") == "team=voice"
    await own.aclose()


def test_set_content_is_what_content_reads() -> None:
    response = httpx.Response(200, stream=httpx.ByteStream(b"ignored"))
    _httpx.set_content(response, b'{"ok":true}')
    assert response.content == b'{"ok":true}'
    assert response.json() == {"ok": True}


def test_request_of_a_response_without_one() -> None:
    assert _httpx.request_of(httpx.Response(200)) is None
    request = httpx.Request("GET", "https://x.test/")
    assert _httpx.request_of(httpx.Response(200, request=request)) is request


async def test_request_bodies_iterate_without_an_async_generator() -> None:
    request = httpx.Request("POST", "https://x.test/", content=b"{}")
    _httpx.use_body_stream(request)
    assert isinstance(request.stream, _httpx.BodyStream)
    assert request.content == b"{}"  # what mock transports read
    iterator = request.stream.__aiter__()
    assert not hasattr(iterator, "aclose")  # a plain object: nothing to abandon
    assert [chunk async for chunk in request.stream] == [b"{}"]
    assert list(request.stream) == [b"{}"]


async def test_pool_connections_sees_httpcores_pool() -> None:
    fake = FakeMindhunters()
    with fake.serve() as base_url:
        async with mh.AsyncMindhunters(api_token=fake.DEFAULT_TOKEN, base_url=base_url) as client:
            assert _httpx.pool_connections(client._shared.http_client) == []
            await client.calls.list()
            (connection,) = _httpx.pool_connections(client._shared.http_client)
            assert connection.is_idle()
    mock = httpx.AsyncClient(transport=httpx.MockTransport(lambda r: httpx.Response(200)))
    assert _httpx.pool_connections(mock) == []
    await mock.aclose()


def test_abandon_connections_closes_sockets_of_a_dead_loop() -> None:
    fake = FakeMindhunters()
    with fake.serve() as base_url:
        client = mh.AsyncMindhunters(api_token=fake.DEFAULT_TOKEN, base_url=base_url)

        async def use() -> None:
            await client.calls.list()

        anyio.run(use)  # its loop is closed now, with a pooled connection open
        (connection,) = _httpx.pool_connections(client._shared.http_client)
        sock = connection._connection._network_stream.get_extra_info("socket")
        assert sock.fileno() != -1
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            _httpx.abandon_connections(client._shared.http_client)
            del connection
            gc.collect()
        assert sock.fileno() == -1
        assert [w for w in caught if issubclass(w.category, ResourceWarning)] == []
        assert _httpx.pool_connections(client._shared.http_client) == []
        client._shared.sender.closed = True  # nothing left to close; no unclosed warning


def test_abandon_connections_closes_tls_sockets_of_a_dead_loop() -> None:
    import socket
    import ssl
    import threading

    import trustme

    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_context)
    client_context = ssl.create_default_context()
    ca.configure_trust(client_context)
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    accepted: list[ssl.SSLSocket] = []
    body = b'{"success":true,"data":{"id":"6ba7b810-9dad-11d1-80b4-00c04fd430c8"}}'

    def serve_one() -> None:
        conn, _ = listener.accept()
        tls = server_context.wrap_socket(conn, server_side=True)
        accepted.append(tls)
        tls.recv(65536)
        tls.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
        )

    thread = threading.Thread(target=serve_one, daemon=True)
    thread.start()
    client = mh.AsyncMindhunters(
        api_token="sk-test-tls",
        base_url=f"https://127.0.0.1:{port}/api/v1",
        transport=httpx.AsyncHTTPTransport(verify=client_context),
    )

    async def use() -> None:
        await client.calls.get("6ba7b810-9dad-11d1-80b4-00c04fd430c8")

    anyio.run(use)  # asyncio: the pooled TLS connection outlives its loop
    thread.join(5)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        anyio.run(client.aclose)  # another loop
        gc.collect()
    (server_side,) = accepted
    server_side.settimeout(5)
    try:
        assert server_side.recv(1) == b""  # the client closed its end
    finally:
        server_side.close()
        listener.close()
    assert [w for w in caught if issubclass(w.category, ResourceWarning)] == []
