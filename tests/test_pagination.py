"""Pagination: one Page when awaited, every item when iterated, in each list shape of the API."""

from __future__ import annotations

import gc
import warnings
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import respx
from support import AGENT_ID, ENDPOINT_NOT_FOUND

import mindhunters_async as mh

pytestmark = pytest.mark.anyio


def call_ids(page: int, count: int = 2) -> list[str]:
    return [f"00000000-0000-4000-8000-{page:06d}{i:06d}" for i in range(count)]


def items(ids: list[str]) -> list[dict[str, Any]]:
    return [{"uuid": i, "status": "completed"} for i in ids]


def laravel(page: int, last_page: int, ids: list[str], per_page: int = 2) -> dict[str, Any]:
    """A Laravel paginator inside the success envelope."""
    return {
        "success": True,
        "message": "Calls retrieved",
        "data": {
            "current_page": page,
            "data": items(ids),
            "first_page_url": "...",
            "from": (page - 1) * per_page + 1,
            "last_page": last_page,
            "per_page": per_page,
            "to": page * per_page,
            "total": last_page * per_page,
        },
    }


def paged(api: respx.MockRouter, body: Callable[[int], Any]) -> respx.Route:
    """GET /calls answered by `body(page)`, `page` read from the query."""

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=body(int(request.url.params["page"])))

    return api.get("/calls").mock(side_effect=answer)


def pages_requested(route: respx.Route) -> list[str]:
    return [c.request.url.params["page"] for c in route.calls]


async def test_await_gives_one_page(api: respx.MockRouter, client: mh.AsyncMindhunters) -> None:
    route = paged(api, lambda n: laravel(n, 3, call_ids(n)))
    page = await client.calls.list(per_page=2)
    assert isinstance(page, mh.Page)
    assert [c.id for c in page.items] == call_ids(1)
    assert all(isinstance(c, mh.Call) for c in page.items)
    assert len(page) == 2
    assert (page.current_page, page.last_page, page.per_page, page.total) == (1, 3, 2, 6)
    assert page.has_next_page
    assert pages_requested(route) == ["1"]


async def test_async_for_walks_every_page(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    route = paged(api, lambda n: laravel(n, 3, call_ids(n)))
    seen = [call.id async for call in client.calls.list(per_page=2)]
    assert seen == call_ids(1) + call_ids(2) + call_ids(3)
    assert pages_requested(route) == ["1", "2", "3"]


async def test_pages_iterates_pages(api: respx.MockRouter, client: mh.AsyncMindhunters) -> None:
    route = paged(api, lambda n: laravel(n, 2, call_ids(n)))
    numbers = [page.current_page async for page in client.calls.list().pages()]
    assert numbers == [1, 2]
    assert pages_requested(route) == ["1", "2"]


async def test_iteration_starts_at_the_requested_page(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    route = paged(api, lambda n: laravel(n, 4, call_ids(n)))
    seen = [call.id async for call in client.calls.list(page=3)]
    assert seen == call_ids(3) + call_ids(4)
    assert pages_requested(route) == ["3", "4"]
    page = await client.calls.list(page=2)
    assert page.current_page == 2


async def test_items_shape(api: respx.MockRouter, client: mh.AsyncMindhunters) -> None:
    route = api.get("/calls").respond(
        200, json={"success": True, "data": {"items": items(call_ids(1, 3))}}
    )
    page = await client.calls.list()
    assert [c.id for c in page.items] == call_ids(1, 3)
    assert page.current_page == 1
    assert (page.last_page, page.total) == (None, None)
    assert not page.has_next_page
    assert [c.id async for c in client.calls.list()] == call_ids(1, 3)
    assert route.call_count == 2


async def test_list_in_data_with_meta(api: respx.MockRouter, client: mh.AsyncMindhunters) -> None:
    def body(n: int) -> dict[str, Any]:
        return {
            "success": True,
            "data": items(call_ids(n)),
            "meta": {"current_page": n, "last_page": 2, "per_page": 2, "total": 4},
            "links": {"next": None},
        }

    route = paged(api, body)
    page = await client.calls.list()
    assert (page.current_page, page.last_page, page.per_page, page.total) == (1, 2, 2, 4)
    assert [c.id async for c in client.calls.list()] == call_ids(1) + call_ids(2)
    assert pages_requested(route) == ["1", "1", "2"]


async def test_camel_case_meta(api: respx.MockRouter, client: mh.AsyncMindhunters) -> None:
    api.get("/calls").respond(
        200,
        json={
            "data": items(call_ids(1)),
            "meta": {"currentPage": 1, "lastPage": 7, "perPage": 2, "total": 14},
        },
    )
    page = await client.calls.list()
    assert (page.current_page, page.last_page, page.per_page, page.total) == (1, 7, 2, 14)


async def test_bare_list(api: respx.MockRouter, client: mh.AsyncMindhunters) -> None:
    route = api.get("/calls").respond(200, json=items(call_ids(1, 3)))
    page = await client.calls.list()
    assert [c.id for c in page.items] == call_ids(1, 3)
    assert not page.has_next_page
    assert await page.next_page() is None
    assert route.call_count == 1


async def test_empty_page_stops(api: respx.MockRouter, client: mh.AsyncMindhunters) -> None:
    # The server claims five pages but the second is empty: stop there.
    route = paged(api, lambda n: laravel(n, 5, call_ids(n) if n == 1 else []))
    seen = [c.id async for c in client.calls.list()]
    assert seen == call_ids(1)
    assert pages_requested(route) == ["1", "2"]


async def test_empty_first_page(api: respx.MockRouter, client: mh.AsyncMindhunters) -> None:
    route = api.get("/calls").respond(200, json=laravel(1, 1, []))
    page = await client.calls.list()
    assert page.items == ()
    assert not page.has_next_page
    assert [c async for c in client.calls.list()] == []
    assert route.call_count == 2


async def test_server_that_ignores_page_does_not_loop_forever(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    route = paged(api, lambda n: laravel(1, 5, call_ids(1)))
    seen = []
    async for call in client.calls.list():
        seen.append(call.id)
        assert len(seen) < 50, "iteration does not stop"
    assert route.call_count <= 2


async def test_server_that_ignores_page_yields_each_item_once(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    paged(api, lambda n: laravel(1, 5, call_ids(1)))
    seen = [c.id async for c in client.calls.list()]
    assert seen == call_ids(1)


async def test_breaking_out_early_fetches_no_more_and_leaves_nothing_behind(
    api: respx.MockRouter,
    client: mh.AsyncMindhunters,
) -> None:
    route = paged(api, lambda n: laravel(n, 3, call_ids(n)))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        async for _ in client.calls.list():
            break
        gc.collect()
    assert route.call_count == 1
    assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []


async def test_has_more_false_ends_the_walk_whatever_else_is_sent(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    # `data.items` with `data.pagination` (phone numbers, trunks, rates): `has_more`
    # is the server's own word, so it wins over a full page.
    def body(page: int, has_more: bool) -> dict[str, Any]:
        pagination = {"current_page": page, "per_page": 2, "has_more": has_more}
        return {"success": True, "data": {"items": items(call_ids(page)), "pagination": pagination}}

    route = api.get("/calls").mock(
        side_effect=[
            httpx.Response(200, json=body(1, True)),
            httpx.Response(200, json=body(2, False)),
        ]
    )
    found = [call.id async for call in client.calls.list(per_page=2)]
    assert found == call_ids(1) + call_ids(2)
    assert route.call_count == 2


async def test_a_repeated_page_without_numbers_ends_the_walk(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    # `data.items` alone (agents), from a server that ignores `page`.
    route = api.get("/calls").respond(200, json={"data": {"items": items(call_ids(1))}})
    found = [call.id async for call in client.calls.list(per_page=2)]
    assert found == call_ids(1)
    assert route.call_count == 2  # the second answer repeated the first: the end


async def test_a_page_longer_than_asked_for_is_all_there_is(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    route = api.get("/calls").respond(200, json={"data": {"items": items(call_ids(1, 5))}})
    found = [call.id async for call in client.calls.list(per_page=2)]
    assert len(found) == 5
    assert route.call_count == 1


async def test_next_page_and_has_next_page(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    route = paged(api, lambda n: laravel(n, 2, call_ids(n)))
    first = await client.calls.list(per_page=2, status="completed")
    assert first.has_next_page
    second = await first.next_page()
    assert second is not None
    assert second.current_page == 2
    assert [c.id for c in second.items] == call_ids(2)
    assert not second.has_next_page
    assert await second.next_page() is None
    assert pages_requested(route) == ["1", "2"]
    # The next page keeps the filters of the first.
    params = route.calls.last.request.url.params
    assert (params["per_page"], params["status"]) == ("2", "completed")


@pytest.mark.parametrize(
    ("numbers", "count", "expected"),
    [
        ({"current_page": 1, "last_page": 2}, 2, True),
        ({"current_page": 2, "last_page": 2}, 2, False),
        ({"current_page": 1, "per_page": 2, "total": 3}, 2, True),
        ({"current_page": 2, "per_page": 2, "total": 4}, 2, False),
        ({"current_page": 1, "per_page": 2}, 2, True),
        ({"current_page": 1, "per_page": 2}, 1, False),
        ({"current_page": 1}, 2, False),
        ({"current_page": 1, "last_page": 3}, 0, False),
    ],
)
async def test_has_next_page_from_the_numbers(
    api: respx.MockRouter,
    client: mh.AsyncMindhunters,
    numbers: dict[str, int],
    count: int,
    expected: bool,
) -> None:
    api.get("/calls").respond(200, json={"data": {**numbers, "data": items(call_ids(1, count))}})
    page = await client.calls.list()
    assert page.has_next_page is expected


async def test_filters_are_sent_as_query_params(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    route = api.get("/calls").respond(200, json=laravel(1, 1, []))
    await client.calls.list(agent_id=AGENT_ID, status="completed", direction="inbound", per_page=50)
    assert dict(route.calls.last.request.url.params) == {
        "agent_id": AGENT_ID,
        "status": "completed",
        "direction": "inbound",
        "per_page": "50",
        "page": "1",
    }
    await client.calls.list()
    assert dict(route.calls.last.request.url.params) == {"page": "1"}


async def test_not_a_list_is_response_decode_error(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    api.get("/calls").respond(200, json={"success": True, "data": {"calls": "none"}})
    with pytest.raises(mh.ResponseDecodeError, match="not a list"):
        await client.calls.list()


async def test_bad_item_is_response_decode_error(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    api.get("/calls").respond(200, json={"data": [{"uuid": "x"}, {"status": "no id"}]})
    with pytest.raises(mh.ResponseDecodeError):
        await client.calls.list()


async def test_error_on_a_later_page_is_raised(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.params["page"] == "1":
            return httpx.Response(200, json=laravel(1, 3, call_ids(1)))
        return ENDPOINT_NOT_FOUND.response()

    api.get("/calls").mock(side_effect=answer)
    seen: list[str] = []

    async def walk() -> None:
        async for call in client.calls.list():
            seen.append(call.id)

    with pytest.raises(mh.NotFoundError):
        await walk()
    assert seen == call_ids(1)
