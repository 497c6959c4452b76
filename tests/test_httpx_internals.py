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
from urllib.parse import quote

import anyio
import anyio.lowlevel
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


# Sending through the client's transport (`is_plain`, `build_request`, `send_plain`)


@pytest.mark.parametrize(
    ("params", "content"),
    [
        (None, None),
        ({"per_page": 100, "page": 2}, None),
        ({"a": [1, 2], "b": None, "c": True, "d": "x y&z", "e": 1.5}, None),
        (None, b'{"agentId": "x"}'),
    ],
)
def test_a_plain_request_is_what_build_request_builds(params: Any, content: Any) -> None:
    client = httpx.AsyncClient(
        headers={"Accept": "application/json", "X-Team": "voice"}, cookies={"sticky": "node-2"}
    )
    url = httpx.URL("https://acme.mindhunters.ai/api/v1/calls")
    headers = httpx.Headers({"accept": "text/plain", "Authorization": "Bearer sk-1"})
    timeout = httpx.Timeout(5.0, connect=2.0)
    ours = _httpx.build_request(
        client,
        "POST",
        url,
        params=params,
        content=content,
        headers=headers,
        timeout=timeout,
        plain=True,
    )
    theirs = client.build_request(
        "POST", url, params=params, content=content, headers=headers, timeout=timeout
    )
    assert (ours.method, ours.url, ours.content) == (theirs.method, theirs.url, theirs.content)
    assert ours.headers.raw == theirs.headers.raw  # the same headers, in the same order
    assert ours.headers["accept"] == "text/plain"  # the request's header over the client's
    assert ours.extensions == theirs.extensions


def _plain_client(**kwargs: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.MockTransport(lambda r: httpx.Response(200)), **kwargs)


async def test_is_plain_sees_every_way_a_client_adds_to_send(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def hook(_: Any) -> None:
        return None

    assert _httpx.is_plain(_plain_client())
    assert _httpx.is_plain(_httpx.HTTPClient())
    assert not _httpx.is_plain(_plain_client(auth=("user", "pass")))
    assert not _httpx.is_plain(_plain_client(event_hooks={"request": [hook]}))
    assert not _httpx.is_plain(_plain_client(event_hooks={"response": [hook]}))
    assert not _httpx.is_plain(_plain_client(params={"tenant": "acme"}))

    class Instrumented(httpx.AsyncClient):
        async def send(self, request: httpx.Request, **kwargs: Any) -> httpx.Response:
            return await super().send(request, **kwargs)

    class Traced(httpx.AsyncClient):  # a subclass may add to any step
        def _merge_headers(self, headers: Any = None) -> Any:
            merged = httpx.Headers(super()._merge_headers(headers))
            merged["X-Trace"] = "t-1"
            return merged

    assert not _httpx.is_plain(Instrumented())
    assert not _httpx.is_plain(Traced())
    closed = _plain_client()
    await closed.aclose()
    assert not _httpx.is_plain(closed)
    on_instance = _plain_client()
    on_instance.send = on_instance.send  # type: ignore[method-assign]
    assert not _httpx.is_plain(on_instance)
    # An instrumentation patching httpx's class (Sentry and ddtrace patch `send`):
    # seen at once, by clients made before it as well.
    before = _plain_client()
    real_send = httpx.AsyncClient.send

    async def traced(self: httpx.AsyncClient, request: httpx.Request, **kw: Any) -> Any:
        return await real_send(self, request, **kw)

    monkeypatch.setattr(httpx.AsyncClient, "send", traced)
    assert not _httpx.is_plain(before)


async def test_a_patched_send_and_event_hooks_still_see_every_sdk_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = FakeMindhunters()
    seen: list[str] = []

    async def on_request(request: httpx.Request) -> None:
        seen.append(f"hook {request.url.path}")

    hooked = httpx.AsyncClient(transport=fake.transport(), event_hooks={"request": [on_request]})
    async with mh.AsyncMindhunters(
        api_token=fake.DEFAULT_TOKEN, base_url=fake.DEFAULT_BASE_URL, http_client=hooked
    ) as client:
        await client.calls.list()
    await hooked.aclose()

    real_send = httpx.AsyncClient.send

    async def traced(self: httpx.AsyncClient, request: httpx.Request, **kw: Any) -> Any:
        seen.append(f"send {request.url.path}")
        return await real_send(self, request, **kw)

    monkeypatch.setattr(httpx.AsyncClient, "send", traced)
    async with fake.client() as client:  # the SDK's own client, after the patch
        await client.calls.list()
    assert seen == ["hook /api/v1/calls", "send /api/v1/calls"]


async def test_the_plain_path_uses_the_clients_mounts_cookies_and_log_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake = FakeMindhunters()
    unused: list[httpx.Request] = []

    def set_cookie(request: httpx.Request) -> httpx.Response:
        response = fake.transport().handle_request(request)
        response.read()
        return httpx.Response(
            response.status_code,
            headers=[*response.headers.multi_items(), ("set-cookie", "lb=node-7; Path=/")],
            content=response.content,
        )

    mounted = httpx.AsyncClient(
        transport=httpx.MockTransport(lambda r: unused.append(r) or httpx.Response(500)),
        mounts={
            f"https://{httpx.URL(fake.DEFAULT_BASE_URL).host}": httpx.MockTransport(set_cookie)
        },
    )
    assert _httpx.is_plain(mounted)
    caplog.set_level("INFO", logger="httpx")
    async with mh.AsyncMindhunters(
        api_token=fake.DEFAULT_TOKEN, base_url=fake.DEFAULT_BASE_URL, http_client=mounted
    ) as client:
        raw = await client.calls.with_raw_response.list()
        assert raw.status_code == 200
        await client.calls.list()
    assert unused == []  # the mount (a proxy, say) was used, not the default transport
    assert mounted.cookies.get("lb") == "node-7"  # stored, and sent back next time
    assert fake.requests[-1].headers.get("cookie") == "lb=node-7"
    lines = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    assert lines[0] == f'HTTP Request: GET {fake.DEFAULT_BASE_URL}/calls?page=1 "HTTP/1.1 200 OK"'
    await mounted.aclose()


async def test_a_plain_response_has_its_request_and_elapsed_time() -> None:
    fake = FakeMindhunters()
    responses: list[httpx.Response] = []

    async def keep(request: Any, call_next: Any) -> httpx.Response:
        response: httpx.Response = await call_next(request)
        responses.append(response)
        return response

    async with fake.client(middleware=[keep]) as client:
        await client.calls.list()
    (response,) = responses
    assert response.request.url.path == "/api/v1/calls"
    assert response.elapsed.total_seconds() >= 0


@pytest.mark.parametrize("anyio_backend", ["asyncio"])  # trio keeps its own scopes
async def test_anyio_task_states_is_where_anyio_keeps_each_tasks_scopes(
    anyio_backend: str,
) -> None:
    import asyncio

    states = _httpx.anyio_task_states()
    with anyio.CancelScope() as outer, anyio.CancelScope(shield=True) as inner:
        await anyio.lowlevel.checkpoint()
        current = states.get(asyncio.current_task()).cancel_scope
    assert current is inner
    assert inner.shield
    assert current._parent_scope is outer


async def test_a_plain_send_leaves_the_response_and_client_as_send_does() -> None:
    def redirect(request: httpx.Request) -> httpx.Response:
        location = {"/moved": "https://acme.test/elsewhere", "/bad": "http://[::1"}
        return httpx.Response(302, headers={"Location": location[request.url.path]})

    plain = _plain_client()
    plain._transport = httpx.MockTransport(redirect)
    stock = httpx.AsyncClient(transport=httpx.MockTransport(redirect))
    request = plain.build_request("GET", "https://acme.test/moved")
    ours = await _httpx.send_plain(plain, request)
    theirs = await stock.send(stock.build_request("GET", "https://acme.test/moved"))
    assert ours.next_request is not None
    assert theirs.next_request is not None
    assert ours.next_request.url == theirs.next_request.url
    assert ours.request is request
    # The client is open now, as send leaves it: `async with` refuses it.
    for client in (plain, stock):
        with pytest.raises(RuntimeError, match="more than once"):
            async with client:
                pass
    # A Location that is not a URL: no next request, as httpx2 has it (httpx 0.28
    # raises from send; the SDK reports the 3xx as the status error it is).
    bad = await _httpx.send_plain(plain, plain.build_request("GET", "https://acme.test/bad"))
    assert (bad.status_code, bad.next_request) == (302, None)
    await plain.aclose()
    await stock.aclose()


URL_TAILS = [
    "/calls",
    "/calls/6ba7b810-9dad-11d1-80b4-00c04fd430c8",
    "/contacts/" + quote("a b/é.x", safe="").replace(".", "%2E"),  # as the SDK encodes ids
    "/odd path/é",  # not as httpx keeps it: parsed by httpx
    "/a/../b",  # a dot segment, which httpx removes: parsed by httpx
    "/a#b",  # a fragment: parsed by httpx
    "/x%zz",  # a bad escape, which httpx encodes: parsed by httpx
]
URL_QUERIES = [None, "per_page=100&page=2", "q=a+b%26c&tags=1&tags=2", "q=é"]


@pytest.mark.parametrize("tail", URL_TAILS)
@pytest.mark.parametrize("query", URL_QUERIES)
def test_url_with_is_what_httpx_parses(tail: str, query: str | None) -> None:
    base_text = "https://acme.mindhunters.ai/api/v1"
    text = base_text + tail + ("" if query is None else f"?{query}")
    try:
        expected: Any = httpx.URL(text)
    except Exception as exc:  # what httpx refuses, url_with refuses alike
        with pytest.raises(type(exc)):
            _httpx.url_with(httpx.URL(base_text), text, tail, query)
        return
    ours = _httpx.url_with(httpx.URL(base_text), text, tail, query)
    assert (str(ours), ours.raw_path, ours.host, ours.port) == (
        str(expected),
        expected.raw_path,
        expected.host,
        expected.port,
    )
    assert ours == expected


def test_url_with_parses_nothing_for_the_sdks_own_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    base = httpx.URL("https://acme.mindhunters.ai/api/v1")

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("parsed a URL the SDK built")

    # The parser httpx.URL calls, in the namespace of its module.
    monkeypatch.setitem(httpx.URL.__init__.__globals__, "urlparse", refuse)
    url = _httpx.url_with(base, "", URL_TAILS[2], URL_QUERIES[2])
    assert url.path == "/api/v1/contacts/a b/é.x"
    assert url.params.get_list("tags") == ["1", "2"]


@pytest.mark.parametrize("base_text", ["https://acme.test/v1?", "https://acme.test/v1#"])
def test_url_with_leaves_a_base_with_an_empty_query_or_fragment_to_httpx(base_text: str) -> None:
    text = base_text + "/calls"
    ours = _httpx.url_with(httpx.URL(base_text), text, "/calls")
    assert (str(ours), ours.raw_path) == (str(httpx.URL(text)), httpx.URL(text).raw_path)


def test_url_with_refuses_what_httpx_refuses_as_too_long() -> None:
    # The limit is on the whole URL: a long host and a path under the limit alone.
    base_text = "https://" + ".".join(["a" * 60] * 100) + ".test"
    tail = "/x" * 29_900
    with pytest.raises(httpx.InvalidURL):
        httpx.URL(base_text + tail)
    with pytest.raises(httpx.InvalidURL):
        _httpx.url_with(httpx.URL(base_text), base_text + tail, tail)


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_without_its_records_anyio_task_states_says_so(
    anyio_backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from anyio._backends import _asyncio

    assert _httpx.anyio_task_states() is _asyncio._task_states
    monkeypatch.delattr(_asyncio, "_task_states")
    assert _httpx.anyio_task_states() is None  # the I/O boundary then uses a child task


def test_url_with_parses_when_httpx_keeps_urls_otherwise() -> None:
    class Opaque:  # an httpx.URL without the `_uri_reference` the shortcut sets
        pass

    text = "https://acme.test/v1/calls?page=2"
    assert _httpx.url_with(Opaque(), text, "/calls", "page=2") == httpx.URL(text)  # type: ignore[arg-type]
