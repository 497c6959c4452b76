"""datasets and their records: the requests they send, their decoding, and the fake."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
import respx
from support import AGENT_ID, ok

import mindhunters_async as mh
from mindhunters_async._models.datasets import Dataset, DatasetRecord
from mindhunters_async.testing import FakeMindhunters

pytestmark = pytest.mark.anyio

DATASET_ID = "8a9b0c1d-2e3f-4a5b-8c6d-7e8f9a0b1c2d"
UNKNOWN = "00000000-0000-4000-8000-00000000dead"
DATASET = {
    "uuid": DATASET_ID,
    "name": "Prices",
    "description": "By city",
    "status": "ready",
    "columns": ["Location", "Price"],
    "records_count": 2,
}
PASTED = "Location\tPrice\nNew York\t1999\nParis\t2499\n"


def body_of(route: respx.Route) -> Any:
    return json.loads(route.calls.last.request.content)


# Request by request ----------------------------------------------------------------------


async def test_create_posts_the_pasted_text(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    route = api.post("/data/import/copypaste").mock(return_value=ok(DATASET, status=201))
    dataset = await client.datasets.create(name="Prices", data=PASTED, description="By city")
    assert body_of(route) == {"name": "Prices", "data": PASTED, "description": "By city"}
    assert dataset == Dataset(
        id=DATASET_ID,
        name="Prices",
        description="By city",
        status="ready",
        columns=["Location", "Price"],
        records_count=2,
    )


async def test_get_reads_the_dataset(api: respx.MockRouter, client: mh.AsyncMindhunters) -> None:
    route = api.get(f"/data/{DATASET_ID}").mock(return_value=ok(DATASET))
    dataset = await client.datasets.get(uuid.UUID(DATASET_ID))
    assert route.calls.last.request.content == b""
    assert (dataset.id, dataset.name, dataset.records_count) == (DATASET_ID, "Prices", 2)


async def test_records_sends_the_paging_and_reads_a_laravel_page(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    paginator = {
        "current_page": 2,
        "data": [
            {"id": 3, "dataset_uuid": DATASET_ID, "data": {"Location": "Rome"}},
            # Columns as top-level keys, and a string id: both read.
            {"id": "rec_4", "Location": "Oslo", "Price": "12"},
        ],
        "last_page": 3,
        "per_page": 2,
        "total": 6,
    }
    route = api.get(f"/data/{DATASET_ID}/records").mock(return_value=ok(paginator))
    page = await client.datasets.records(DATASET_ID, page=2, per_page=2)
    assert dict(route.calls.last.request.url.params) == {"page": "2", "per_page": "2"}
    assert page.items == (
        DatasetRecord(id="3", dataset_uuid=DATASET_ID, data={"Location": "Rome"}),
        DatasetRecord(id="rec_4", data={"Location": "Oslo", "Price": "12"}),
    )
    assert (page.current_page, page.last_page, page.total) == (2, 3, 6)


async def test_add_record_posts_the_columns_under_record(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    answer = {"id": 7, "dataset_uuid": DATASET_ID, "data": {"Location": "Rome", "Unit price": "9"}}
    route = api.post(f"/data/{DATASET_ID}/records").mock(return_value=ok(answer, status=201))
    record = await client.datasets.add_record(DATASET_ID, Location="Rome", **{"Unit price": "9"})
    assert body_of(route) == {"record": {"Location": "Rome", "Unit price": "9"}}
    assert record == DatasetRecord(
        id="7", dataset_uuid=DATASET_ID, data={"Location": "Rome", "Unit price": "9"}
    )


@pytest.mark.parametrize("record_id", [7, "7", "rec_7-b"])
async def test_update_record_puts_the_columns(
    api: respx.MockRouter, client: mh.AsyncMindhunters, record_id: int | str
) -> None:
    route = api.put(f"/data/{DATASET_ID}/records/{record_id}").mock(return_value=ok({}))
    record = await client.datasets.update_record(DATASET_ID, record_id, Price="2499")
    assert body_of(route) == {"record": {"Price": "2499"}}
    # The answer shows no record: the id written to stands in.
    assert record == DatasetRecord(id=str(record_id))


async def test_delete_record_sends_a_delete(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    route = api.delete(f"/data/{DATASET_ID}/records/12").mock(return_value=ok({}))
    assert await client.datasets.delete_record(DATASET_ID, 12) is None
    assert route.called


async def test_sync_and_assign_post_and_read_a_bare_answer(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    synced = api.post(f"/data/{DATASET_ID}/sync").mock(return_value=ok({}, message="Syncing"))
    assigned = api.post(f"/data/{DATASET_ID}/assign").mock(
        return_value=ok({**DATASET, "agent_uuids": [AGENT_ID]})
    )
    after_sync = await client.datasets.sync(DATASET_ID)
    after_assign = await client.datasets.assign(DATASET_ID, agent_id=uuid.UUID(AGENT_ID))
    assert body_of(synced) == {}
    assert body_of(assigned) == {"agent_uuid": AGENT_ID}
    assert after_sync == Dataset(id=DATASET_ID)
    assert after_assign.agent_uuids == (AGENT_ID,)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda c: c.datasets.create(name="x", data=""), "data"),
        (lambda c: c.datasets.create(name="", data="a,b"), "name"),
        (lambda c: c.datasets.get("prices"), "dataset_id"),
        (lambda c: c.datasets.records(DATASET_ID, per_page=101), "per_page"),
        (lambda c: c.datasets.records("7"), "dataset_id"),
        (lambda c: c.datasets.add_record(DATASET_ID), "record"),
        (lambda c: c.datasets.update_record(DATASET_ID, "../7", Price="1"), "record_id"),
        (lambda c: c.datasets.update_record(DATASET_ID, "7/x", Price="1"), "record_id"),
        (lambda c: c.datasets.update_record(DATASET_ID, 7), "record"),
        (lambda c: c.datasets.delete_record(DATASET_ID, -1), "record_id"),
        (lambda c: c.datasets.delete_record(DATASET_ID, True), "record_id"),
        (lambda c: c.datasets.delete_record(DATASET_ID, ""), "record_id"),
        (lambda c: c.datasets.delete_record(DATASET_ID, "a b"), "record_id"),
        (lambda c: c.datasets.sync("x"), "dataset_id"),
        (lambda c: c.datasets.assign(DATASET_ID, agent_id="agent-7"), "agent_uuid"),
    ],
)
async def test_bad_input_is_refused_before_sending(
    api: respx.MockRouter, client: mh.AsyncMindhunters, call: Any, field: str
) -> None:
    route = api.route(url__regex=r".*/data.*").mock(return_value=ok(DATASET))
    with pytest.raises(mh.RequestValidationError) as info:
        await call(client)
    assert info.value.field == field
    assert not route.called


# Against the fake ------------------------------------------------------------------------


async def test_datasets_against_the_fake() -> None:
    fake = FakeMindhunters()
    agent = fake.add_agent("Concierge")
    async with fake.client() as client:
        dataset = await client.datasets.create(name="Prices", data=PASTED)
        added = await client.datasets.add_record(dataset.id, Location="Rome", Price="999")
        changed = await client.datasets.update_record(dataset.id, int(added.id), Price="1")
        await client.datasets.delete_record(dataset.id, "1")
        rows = [record async for record in client.datasets.records(dataset.id)]
        synced = await client.datasets.sync(dataset.id)
        assigned = await client.datasets.assign(dataset.id, agent_id=agent)
        again = await client.datasets.assign(dataset.id, agent_id=agent)
        got = await client.datasets.get(dataset.id)
        with pytest.raises(mh.NotFoundError):
            await client.datasets.get(UNKNOWN)
        with pytest.raises(mh.NotFoundError):
            await client.datasets.delete_record(dataset.id, 1)  # gone already
        with pytest.raises(mh.NotFoundError):
            await client.datasets.update_record(UNKNOWN, 2, Price="0")
        with pytest.raises(mh.NotFoundError):
            await client.datasets.assign(dataset.id, agent_id=UNKNOWN)
    assert (dataset.name, dataset.columns, dataset.records_count) == (
        "Prices",
        ["Location", "Price"],
        2,
    )
    assert added.id == "3"  # the pasted lines took 1 and 2
    assert changed.data == {"Location": "Rome", "Price": "1"}  # merged
    assert [(r.id, r.data["Location"]) for r in rows] == [("2", "Paris"), ("3", "Rome")]
    assert (synced.status, synced.synced_at is not None) == ("synced", True)
    assert assigned.agent_uuids == again.agent_uuids == (agent,)
    assert (got.records_count, got.agent_uuids) == (2, (agent,))


async def test_the_fake_refuses_what_the_sdk_would_not_send() -> None:
    fake = FakeMindhunters()
    dataset = fake.add_record("datasets", name="Raw")
    async with fake.client() as client:
        with pytest.raises(mh.UnprocessableEntityError) as no_data:
            await client.request("POST", "/data/import/copypaste", json={"name": "x"})
        with pytest.raises(mh.UnprocessableEntityError) as no_record:
            await client.request("POST", f"/data/{dataset}/records", json={"record": {}})
        with pytest.raises(mh.UnprocessableEntityError) as no_agent:
            await client.request("POST", f"/data/{dataset}/assign", json={})
    assert (no_data.value.field, no_record.value.field) == ("data", "record")
    assert no_agent.value.field == "agent_uuid"
    assert not fake.records("dataset_records")


async def test_records_walk_three_pages() -> None:
    fake = FakeMindhunters()
    dataset = fake.add_record("datasets", name="Cities")
    for n in range(5):
        fake.add_record("dataset_records", dataset_uuid=dataset, id=n + 1, data={"n": str(n)})
    fake.add_record("dataset_records", dataset_uuid=UNKNOWN, id=9, data={"n": "other"})
    async with fake.client() as client:
        seen = [record.id async for record in client.datasets.records(dataset, per_page=2)]
    assert seen == ["1", "2", "3", "4", "5"]
    requests = fake.requests_to("GET", f"/data/{dataset}/records")
    assert [r.query["page"] for r in requests] == ["1", "2", "3"]
