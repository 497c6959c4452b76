"""The fake behind each adapter: MockTransport, respx, ASGI in process, uvicorn on a socket."""

from __future__ import annotations

import sys

import httpx
import pytest
import respx

from mindhunters_async.testing import FakeMindhunters, Fault

pytestmark = pytest.mark.anyio

AGENT = FakeMindhunters.DEFAULT_AGENT_ID
NEW_CALL = {"agentId": AGENT, "participant": {"number": "+14155552671"}}
AUTH = {"Authorization": f"Bearer {FakeMindhunters.DEFAULT_TOKEN}"}


async def place_and_list(client: httpx.AsyncClient) -> None:
    created = await client.post("/call", json=NEW_CALL, headers=AUTH)
    assert created.status_code == 201
    listed = await client.get("/calls", headers=AUTH)
    assert [item["uuid"] for item in listed.json()["data"]["data"]] == [
        created.json()["data"]["id"]
    ]


async def test_mock_transport(fake: FakeMindhunters) -> None:
    async with httpx.AsyncClient(
        transport=fake.transport(), base_url=fake.DEFAULT_BASE_URL
    ) as client:
        await place_and_list(client)
        fake.fail(Fault.CONNECT_ERROR)
        with pytest.raises(httpx.ConnectError):
            await client.get("/calls", headers=AUTH)
    assert len(fake.calls) == 1


async def test_respx_with_its_own_router(fake: FakeMindhunters) -> None:
    with fake.mock() as router:
        async with httpx.AsyncClient(base_url=fake.DEFAULT_BASE_URL) as client:
            await place_and_list(client)
            missing = await client.get("https://fake.mindhunters.ai/elsewhere")
            assert missing.json()["error"]["code"] == "ENDPOINT_NOT_FOUND"
            fake.fail(Fault.READ_TIMEOUT)
            with pytest.raises(httpx.ReadTimeout):
                await client.get("/calls", headers=AUTH)
        assert router.calls.call_count == 4
    assert [r.status for r in fake.requests] == [201, 200, 404, None]


async def test_respx_with_a_given_router_and_base_url(fake: FakeMindhunters) -> None:
    base_url = "https://acme.mindhunters.ai/api/v1"
    with respx.mock(assert_all_called=False) as router:
        other = router.get("https://example.com/").respond(204)
        with fake.mock(router, base_url=base_url) as given:
            assert given is router
            async with httpx.AsyncClient(base_url=base_url) as client:
                await place_and_list(client)
                assert (await client.get("https://example.com/")).status_code == 204
        assert list(router.routes) == [other]
        assert other.call_count == 1


async def test_asgi_app_in_process(fake: FakeMindhunters) -> None:
    transport = httpx.ASGITransport(app=fake.asgi_app)
    async with httpx.AsyncClient(transport=transport, base_url=fake.DEFAULT_BASE_URL) as client:
        await place_and_list(client)
        fake.fail(Fault.CONNECT_TIMEOUT)
        # In process, the app's error reaches the client as it is.
        with pytest.raises(httpx.ConnectTimeout):
            await client.get("/calls", headers=AUTH)
    assert fake.requests[0].url == "https://fake.mindhunters.ai/api/v1/call"


async def test_served_by_uvicorn_on_loopback(fake: FakeMindhunters) -> None:
    with fake.serve() as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        assert base_url.endswith("/api/v1")
        async with httpx.AsyncClient(base_url=base_url) as client:
            await place_and_list(client)
            anonymous = await client.get("/calls")
            assert anonymous.json()["error"]["code"] == "MISSING_AUTH_TOKEN"
            fake.fail(Fault.BAD_GATEWAY_HTML)
            html = await client.get("/calls", headers=AUTH)
            assert (html.status_code, html.headers["content-type"]) == (502, "text/html")
            page = (await client.get("/calls", params={"per_page": 1}, headers=AUTH)).json()
            assert page["data"]["path"] == f"{base_url}/calls"
    assert fake.requests[0].url.host == "127.0.0.1"
    with pytest.raises(httpx.ConnectError):
        async with httpx.AsyncClient() as client:
            await client.get(base_url + "/calls")


@pytest.mark.parametrize("fault", [Fault.CONNECT_ERROR, Fault.READ_TIMEOUT_AFTER_COMMIT])
async def test_transport_faults_drop_the_connection_over_a_socket(
    fake: FakeMindhunters, fault: Fault
) -> None:
    fake.fail(fault)
    with fake.serve() as base_url:
        async with httpx.AsyncClient(base_url=base_url) as client:
            with pytest.raises(httpx.RemoteProtocolError):
                await client.post("/call", json=NEW_CALL, headers=AUTH)
            # The server goes on serving after a dropped connection.
            assert (await client.get("/agents", headers=AUTH)).status_code == 200
    assert len(fake.calls) == (1 if fault.after_commit else 0)


async def test_two_servers_at_once(fake: FakeMindhunters) -> None:
    with fake.serve() as first, FakeMindhunters().serve() as second:
        assert first != second
        async with httpx.AsyncClient() as client:
            await client.post(first + "/call", json=NEW_CALL, headers=AUTH)
            listed = await client.get(second + "/calls", headers=AUTH)
        assert listed.json()["data"]["total"] == 0
    assert len(fake.calls) == 1


async def test_asgi_lifespan(fake: FakeMindhunters) -> None:
    incoming = iter([{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])
    sent: list[dict[str, str]] = []

    async def receive() -> dict[str, str]:
        return next(incoming)

    async def send(message: dict[str, str]) -> None:
        sent.append(message)

    await fake.asgi_app({"type": "lifespan"}, receive, send)
    assert sent == [{"type": "lifespan.startup.complete"}, {"type": "lifespan.shutdown.complete"}]


@pytest.mark.parametrize(("module", "method"), [("respx", "mock"), ("uvicorn", "serve")])
def test_missing_optional_dependency_is_named(
    fake: FakeMindhunters, monkeypatch: pytest.MonkeyPatch, module: str, method: str
) -> None:
    monkeypatch.setitem(sys.modules, module, None)
    monkeypatch.delitem(sys.modules, "mindhunters_async.testing._respx", raising=False)
    with (
        pytest.raises(ImportError, match=f"{method}\\(\\) needs {module}"),
        getattr(fake, method)(),
    ):
        pass
