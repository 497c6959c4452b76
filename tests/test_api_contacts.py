"""client.contacts and client.pools, on the wire and against the fake."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest
import respx
from support import PHONE, ok

import mindhunters_async as mh
from mindhunters_async._models.contacts import (
    Contact,
    ContactTag,
    Pool,
    PoolContact,
    PoolContactsAdded,
)
from mindhunters_async.testing import FakeMindhunters

pytestmark = pytest.mark.anyio

CONTACT_ID = "9b2d8c1e-4f5a-4b6c-8d7e-0f1a2b3c4d5e"
OTHER_ID = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
POOL_ID = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
TAG_UUID = "7d1e2f3a-4b5c-4d6e-8f7a-8b9c0d1e2f3a"
CONTACT = {
    "uuid": CONTACT_ID,
    "name": "Ada",
    "surname": "Lovelace",
    "email": "ada@example.com",
    "phone_number": PHONE,
    "status": "Active",
    "created_at": "2023-11-07T05:31:56Z",
    "tags": [{"id": 7, "name": "vip"}, {"uuid": TAG_UUID, "name": "lead"}],
    "tier": "Gold",
    "order_ref": "",
}
POOL = {
    "uuid": POOL_ID,
    "name": "VIP customers",
    "description": "High-value leads",
    "type": "LIFO",
    "max_parallel_items": 10,
    "max_retries": 3,
    "is_active": True,
    "contacts_count": 2,
}


def laravel(items: list[Any], *, page: int = 1, last_page: int = 1) -> dict[str, Any]:
    return {"current_page": page, "data": items, "last_page": last_page, "total": len(items)}


def envelope(data: Any) -> Any:
    return ok(data).json()


def query_of(route: respx.Route) -> dict[str, str]:
    return dict(route.calls.last.request.url.params)


def body_of(route: respx.Route) -> Any:
    return json.loads(route.calls.last.request.content)


# Contacts on the wire


async def test_list_sends_every_filter_and_reads_custom_fields(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    route = api.get("/contacts").respond(json=envelope(laravel([CONTACT])))
    page = await client.contacts.list(
        per_page=50,
        search="ada",
        status="Active",
        contact_channel="WhatsApp",
        stage_uuid=OTHER_ID,
        campaign_uuid=POOL_ID,
        tag_uuid=TAG_UUID,
        pool_uuid=POOL_ID,
    )
    assert query_of(route) == {
        "per_page": "50",
        "page": "1",
        "search": "ada",
        "status": "Active",
        "contact_channel": "WhatsApp",
        "stage_uuid": OTHER_ID,
        "campaign_uuid": POOL_ID,
        "tag_uuid": TAG_UUID,
        "pool_uuid": POOL_ID,
    }
    [contact] = page.items
    assert isinstance(contact, Contact)
    assert (contact.id, contact.phone_number, contact.surname) == (CONTACT_ID, PHONE, "Lovelace")
    assert contact.tags == (ContactTag(id="7", name="vip"), ContactTag(id=TAG_UUID, name="lead"))
    # Custom fields are flat on the wire; an empty string is a field without a value.
    assert contact.custom_fields == {"tier": "Gold", "order_ref": ""}


@pytest.mark.parametrize("name", ["stage_uuid", "campaign_uuid", "tag_uuid", "pool_uuid"])
async def test_list_refuses_a_bad_uuid_filter(
    api: respx.MockRouter, client: mh.AsyncMindhunters, name: str
) -> None:
    route = api.get("/contacts")
    with pytest.raises(mh.RequestValidationError) as raised:
        await client.contacts.list(**{name: "12"})
    assert raised.value.field == name
    assert not route.called


async def test_create_sends_fields_and_flat_custom_fields(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    route = api.post("/contacts").respond(201, json=envelope(CONTACT))
    contact = await client.contacts.create(
        name="Ada",
        phone_number=PHONE,
        custom_fields={"tier": "Gold"},
        timezone="Europe/London",
        extra_body={"source": "import"},
    )
    assert body_of(route) == {
        "name": "Ada",
        "phone_number": PHONE,
        "tier": "Gold",
        "timezone": "Europe/London",
        "source": "import",
    }
    assert contact.id == CONTACT_ID


@pytest.mark.parametrize("number", ["4155552671", "+1 415 555 2671", "+0155552671"])
async def test_create_and_update_refuse_a_number_that_is_not_e164(
    api: respx.MockRouter, client: mh.AsyncMindhunters, number: str
) -> None:
    route = api.route()
    with pytest.raises(mh.RequestValidationError) as raised:
        await client.contacts.create(name="Ada", phone_number=number)
    assert (raised.value.field, raised.value.code) == ("phone_number", mh.ErrorCode.INVALID_FORMAT)
    with pytest.raises(mh.RequestValidationError):
        await client.contacts.update(CONTACT_ID, phone_number=number)
    assert not route.called


async def test_get(api: respx.MockRouter, client: mh.AsyncMindhunters) -> None:
    route = api.get(f"/contacts/{CONTACT_ID}").respond(json=envelope(CONTACT))
    contact = await client.contacts.get(CONTACT_ID)
    assert route.called
    assert (contact.id, contact.email, contact.custom_fields["tier"]) == (
        CONTACT_ID,
        "ada@example.com",
        "Gold",
    )


async def test_update_puts_the_given_fields_and_null_clears(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    route = api.put(f"/contacts/{CONTACT_ID}").respond(json=envelope(CONTACT))
    contact = await client.contacts.update(
        CONTACT_ID, status="Inactive", custom_fields={"tier": None}, order_ref=""
    )
    assert body_of(route) == {"tier": None, "status": "Inactive", "order_ref": ""}
    assert contact.id == CONTACT_ID


async def test_delete(api: respx.MockRouter, client: mh.AsyncMindhunters) -> None:
    route = api.delete(f"/contacts/{CONTACT_ID}").respond(json=envelope({}))
    assert await client.contacts.delete(CONTACT_ID) is None
    assert route.called


async def test_a_bad_contact_id_is_refused_before_sending(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    route = api.route()
    for call in (
        client.contacts.get("42"),
        client.contacts.update("42", name="x"),
        client.contacts.delete("42"),
        client.contacts.add_tag("42", 7),
        client.contacts.blacklist("42", reason="spam"),
    ):
        with pytest.raises(mh.RequestValidationError) as raised:
            await call
        assert raised.value.field == "contact_id"
    assert not route.called


@pytest.mark.parametrize(("method", "path"), [("add_tag", "add-tag"), ("remove_tag", "remove-tag")])
async def test_tags_send_an_integer_tag_id(
    api: respx.MockRouter, client: mh.AsyncMindhunters, method: str, path: str
) -> None:
    route = api.post(f"/contacts/{CONTACT_ID}/{path}").respond(json=envelope(CONTACT))
    contact = await getattr(client.contacts, method)(CONTACT_ID, 7)
    assert body_of(route) == {"tag_id": 7}
    assert contact is not None
    assert contact.id == CONTACT_ID


async def test_tag_answer_without_the_contact_is_none(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    api.post(f"/contacts/{CONTACT_ID}/add-tag").respond(json=envelope({}))
    assert await client.contacts.add_tag(CONTACT_ID, 7) is None


@pytest.mark.parametrize("tag_id", ["7", TAG_UUID, True, 7.0])
async def test_tag_id_must_be_an_integer(
    api: respx.MockRouter, client: mh.AsyncMindhunters, tag_id: Any
) -> None:
    route = api.route()
    with pytest.raises(mh.RequestValidationError) as raised:
        await client.contacts.add_tag(CONTACT_ID, tag_id)
    assert raised.value.field == "tag_id"
    assert not route.called


async def test_blacklist(api: respx.MockRouter, client: mh.AsyncMindhunters) -> None:
    answer = {
        "uuid": CONTACT_ID,
        "status": "Blacklisted",
        "blacklist": {"type": "Phone", "reason": "abuse", "is_permanent": False},
    }
    route = api.post(f"/contacts/{CONTACT_ID}/blacklist").respond(json=envelope(answer))
    contact = await client.contacts.blacklist(
        CONTACT_ID, reason="abuse", type="Phone", is_permanent=False, expires_at="2031-12-31"
    )
    assert body_of(route) == {
        "reason": "abuse",
        "type": "Phone",
        "is_permanent": False,
        "expires_at": "2031-12-31",
    }
    assert (contact.status, contact.blacklist["type"]) == ("Blacklisted", "Phone")
    # The nested `blacklist` object is a known field, not a custom one.
    assert contact.custom_fields == {}


# Pools on the wire


async def test_pools_list(api: respx.MockRouter, client: mh.AsyncMindhunters) -> None:
    route = api.get("/pools").respond(json=envelope({"items": [POOL]}))
    page = await client.pools.list(per_page=20, search="VIP")
    assert query_of(route) == {"per_page": "20", "page": "1", "search": "VIP"}
    [pool] = page.items
    assert isinstance(pool, Pool)
    assert (pool.id, pool.strategy, pool.contacts_count) == (POOL_ID, "LIFO", 2)


async def test_pools_create_sends_the_strategy_as_type(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    route = api.post("/pools").respond(201, json=envelope(POOL))
    pool = await client.pools.create(
        "VIP customers", description="High-value leads", strategy="LIFO", max_retries=3
    )
    assert body_of(route) == {
        "name": "VIP customers",
        "description": "High-value leads",
        "type": "LIFO",
        "max_retries": 3,
    }
    assert (pool.id, pool.name, pool.is_active) == (POOL_ID, "VIP customers", True)


async def test_pools_refuse_an_unknown_strategy(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    route = api.route()
    with pytest.raises(mh.RequestValidationError) as raised:
        await client.pools.create("VIP customers", description="x", strategy="fifo")
    assert raised.value.field == "type"
    with pytest.raises(mh.RequestValidationError):
        await client.pools.update(POOL_ID, strategy="Random")
    assert not route.called


async def test_pools_update_puts(api: respx.MockRouter, client: mh.AsyncMindhunters) -> None:
    route = api.put(f"/pools/{POOL_ID}").respond(json=envelope(POOL))
    pool = await client.pools.update(POOL_ID, strategy="Parallel", max_parallel_items=20)
    assert body_of(route) == {"type": "Parallel", "max_parallel_items": 20}
    assert pool.id == POOL_ID


async def test_pools_contacts(api: respx.MockRouter, client: mh.AsyncMindhunters) -> None:
    member = {
        "contact_uuid": CONTACT_ID,
        "name": "Ada",
        "phone_number": PHONE,
        "status": "Pending",
        "priority": 5,
        "retry_count": 0,
        "added_at": "2023-11-07T05:31:56Z",
    }
    data = {"pool_uuid": POOL_ID, **laravel([member]), "per_page": 25}
    route = api.get(f"/pools/{POOL_ID}/contacts").respond(json=envelope(data))
    page = await client.pools.contacts(POOL_ID, status="Pending", search="ada")
    assert query_of(route) == {"page": "1", "status": "Pending", "search": "ada"}
    [read] = page.items
    assert isinstance(read, PoolContact)
    assert (read.id, read.status, read.priority, page.per_page) == (CONTACT_ID, "Pending", 5, 25)


async def test_pools_add_contacts(api: respx.MockRouter, client: mh.AsyncMindhunters) -> None:
    answer = {
        "pool_uuid": POOL_ID,
        "contacts_added": 1,
        "contacts_skipped": 1,
        "contact_uuids_not_found": [OTHER_ID],
        "tasks_created": 0,
        "running_campaign_uuids": [],
    }
    route = api.post(f"/pools/{POOL_ID}/contacts").respond(json=envelope(answer))
    added = await client.pools.add_contacts(POOL_ID, [uuid.UUID(CONTACT_ID), OTHER_ID], priority=2)
    assert body_of(route) == {"contact_uuids": [CONTACT_ID, OTHER_ID], "priority": 2}
    assert isinstance(added, PoolContactsAdded)
    assert (added.contacts_added, added.contacts_skipped) == (1, 1)
    assert added.contact_uuids_not_found == (OTHER_ID,)


async def test_pools_add_one_contact_id_as_a_string(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    route = api.post(f"/pools/{POOL_ID}/contacts").respond(json=envelope(None))
    added = await client.pools.add_contacts(POOL_ID, CONTACT_ID)
    assert body_of(route) == {"contact_uuids": [CONTACT_ID]}
    assert added.contacts_added is None  # an answer without data is read leniently


@pytest.mark.parametrize(
    ("contact_ids", "field"),
    [([CONTACT_ID, "nope"], "contact_uuids.1"), ([], "contact_uuids")],
)
async def test_pools_add_contacts_refuses_bad_ids(
    api: respx.MockRouter, client: mh.AsyncMindhunters, contact_ids: list[str], field: str
) -> None:
    route = api.route()
    with pytest.raises(mh.RequestValidationError) as raised:
        await client.pools.add_contacts(POOL_ID, contact_ids)
    assert raised.value.field == field
    assert not route.called


async def test_pools_duplicate_always_says_whether_to_copy(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    route = api.post(f"/pools/{POOL_ID}/duplicate").respond(
        201, json=envelope({**POOL, "contacts_copied": 2})
    )
    await client.pools.duplicate(POOL_ID)
    assert body_of(route) == {"copy_contacts": False}
    pool = await client.pools.duplicate(POOL_ID, with_contacts=True, name="VIP 2")
    assert body_of(route) == {"copy_contacts": True, "name": "VIP 2"}
    assert pool.contacts_copied == 2


async def test_a_bad_pool_id_is_refused_before_sending(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    route = api.route()
    for call in (
        client.pools.update("p1", name="x"),
        client.pools.contacts("p1"),
        client.pools.add_contacts("p1", [CONTACT_ID]),
        client.pools.duplicate("p1"),
    ):
        with pytest.raises(mh.RequestValidationError) as raised:
            await call
        assert raised.value.field == "pool_id"
    assert not route.called


# Contacts against the fake


async def test_fake_contact_lifecycle() -> None:
    fake = FakeMindhunters()
    async with fake.client() as client:
        created = await client.contacts.create(name="Ada", phone_number=PHONE)
        assert (created.name, created.phone_number, created.status) == ("Ada", PHONE, "Active")
        assert (await client.contacts.get(created.id)).phone_number == PHONE
        listed = await client.contacts.list()
        assert [c.id for c in listed.items] == [created.id]
        updated = await client.contacts.update(created.id, surname="Lovelace")
        assert (updated.name, updated.surname) == ("Ada", "Lovelace")
        await client.contacts.delete(created.id)
        with pytest.raises(mh.NotFoundError):
            await client.contacts.get(created.id)
    assert fake.records("contacts") == {}


async def test_fake_refuses_a_contact_without_a_name() -> None:
    fake = FakeMindhunters()
    async with fake.client() as client:
        with pytest.raises(mh.UnprocessableEntityError) as raised:
            await client.contacts.create(phone_number=PHONE)
    assert raised.value.field == "name"


async def test_fake_custom_fields_must_be_registered() -> None:
    fake = FakeMindhunters()
    fake.add_record("contact_fields", key="tier")
    async with fake.client() as client:
        contact = await client.contacts.create(name="Ada", custom_fields={"tier": "Gold"})
        assert contact.custom_fields == {"tier": "Gold"}
        with pytest.raises(mh.UnprocessableEntityError) as raised:
            await client.contacts.update(contact.id, favourite_colour="blue")
        assert raised.value.field == "favourite_colour"
        cleared = await client.contacts.update(contact.id, tier="")
        assert cleared.custom_fields == {"tier": ""}


async def test_fake_tags() -> None:
    fake = FakeMindhunters()
    contact_id = fake.add_record("contacts", name="Ada", tags=[])
    async with fake.client() as client:
        tagged = await client.contacts.add_tag(contact_id, 7)
        assert tagged is not None
        assert tagged.tags == (ContactTag(id="7"),)
        untagged = await client.contacts.remove_tag(contact_id, 7)
        assert untagged is not None
        assert untagged.tags == ()
        with pytest.raises(mh.NotFoundError):
            await client.contacts.add_tag(OTHER_ID, 7)


async def test_fake_blacklist() -> None:
    fake = FakeMindhunters()
    contact_id = fake.add_record("contacts", name="Ada", status="Active")
    async with fake.client() as client:
        with pytest.raises(mh.UnprocessableEntityError) as raised:
            await client.contacts.blacklist(contact_id)
        assert raised.value.field == "reason"
        with pytest.raises(mh.UnprocessableEntityError) as raised:
            await client.contacts.blacklist(contact_id, reason="abuse", is_permanent=False)
        assert raised.value.field == "expires_at"
        contact = await client.contacts.blacklist(contact_id, reason="abuse", type="Phone")
        assert (contact.status, contact.blacklist["type"]) == ("Blacklisted", "Phone")
        assert (await client.contacts.get(contact_id)).status == "Blacklisted"


async def test_fake_contacts_list_filters_and_walks_three_pages() -> None:
    fake = FakeMindhunters()
    ids = [
        fake.add_record(
            "contacts", name=f"Person {i}", status="Active", phone_number=f"+1555000{i}"
        )
        for i in range(5)
    ]
    inactive = fake.add_record("contacts", name="Grace", status="Inactive")
    async with fake.client() as client:
        walked = [c.id async for c in client.contacts.list(per_page=2)]
        assert walked == [inactive, *reversed(ids)]
        assert len(fake.requests_to("GET", "/contacts")) == 3
        found = await client.contacts.list(search="grace")
        assert [c.id for c in found.items] == [inactive]
        active = [c.id async for c in client.contacts.list(status="Active")]
        assert sorted(active) == sorted(ids)


# Pools against the fake


async def test_fake_pool_create_update_list() -> None:
    fake = FakeMindhunters()
    async with fake.client() as client:
        with pytest.raises(mh.UnprocessableEntityError) as raised:
            await client.pools.create("VIP customers")
        assert raised.value.field == "description"
        pool = await client.pools.create("VIP customers", description="Leads")
        assert (pool.strategy, pool.max_parallel_items, pool.contacts_count) == ("FIFO", 10, 0)
        updated = await client.pools.update(pool.id, strategy="Parallel", is_active=False)
        assert (updated.id, updated.strategy, updated.is_active) == (pool.id, "Parallel", False)
        listed = await client.pools.list()
        assert [(p.id, p.strategy) for p in listed.items] == [(pool.id, "Parallel")]
        with pytest.raises(mh.NotFoundError):
            await client.pools.update(POOL_ID, name="Nobody")


async def test_fake_pool_members_skip_duplicates() -> None:
    fake = FakeMindhunters()
    first = fake.add_record("contacts", name="Ada", phone_number=PHONE)
    second = fake.add_record("contacts", name="Grace")
    async with fake.client() as client:
        pool = await client.pools.create("VIP customers", description="Leads")
        added = await client.pools.add_contacts(pool.id, [first, first, OTHER_ID])
        assert (added.pool_uuid, added.contacts_added, added.contacts_skipped) == (pool.id, 1, 0)
        assert added.contact_uuids_not_found == (OTHER_ID,)
        again = await client.pools.add_contacts(pool.id, [first, second], priority=3)
        assert (again.contacts_added, again.contacts_skipped) == (1, 1)
        members = await client.pools.contacts(pool.id)
        assert [(m.id, m.name, m.status) for m in members.items] == [
            (first, "Ada", "Pending"),
            (second, "Grace", "Pending"),
        ]
        assert (members.per_page, members.items[1].priority) == (25, 3)
        assert (await client.contacts.list(pool_uuid=pool.id)).total == 2
        assert (await client.pools.list()).items[0].contacts_count == 2
        with pytest.raises(mh.NotFoundError):
            await client.pools.add_contacts(POOL_ID, [first])


async def test_fake_pool_contacts_walk_three_pages() -> None:
    fake = FakeMindhunters()
    contacts = [fake.add_record("contacts", name=f"Person {i}") for i in range(6)]
    async with fake.client() as client:
        pool = await client.pools.create("Big pool", description="Many")
        await client.pools.add_contacts(pool.id, contacts)
        walked = [m.id async for m in client.pools.contacts(pool.id, per_page=2)]
    assert walked == contacts
    assert len(fake.requests_to("GET", f"/pools/{pool.id}/contacts")) == 3


async def test_fake_pool_contacts_answer_carries_the_pool_uuid() -> None:
    fake = FakeMindhunters()
    pool_id = fake.add_record("pools", name="VIP", description="x")
    async with fake.client() as client:
        raw = await client.pools.with_raw_response.contacts(pool_id)
    assert raw.http_response.json()["data"]["pool_uuid"] == pool_id
    assert raw.status_code == 200
    assert raw.parse().items == ()
    assert raw.rate_limit is not None
    assert raw.rate_limit.remaining is not None


async def test_fake_pool_duplicate() -> None:
    fake = FakeMindhunters()
    contact_id = fake.add_record("contacts", name="Ada")
    async with fake.client() as client:
        pool = await client.pools.create("VIP customers", description="Leads", strategy="LIFO")
        await client.pools.add_contacts(pool.id, [contact_id])
        empty = await client.pools.duplicate(pool.id)
        assert (empty.name, empty.strategy, empty.contacts_copied) == (
            "VIP customers (copy)",
            "LIFO",
            0,
        )
        assert (await client.pools.contacts(empty.id)).items == ()
        full = await client.pools.duplicate(pool.id, with_contacts=True, name="VIP again")
        assert (full.name, full.contacts_copied) == ("VIP again", 1)
        assert [m.id for m in (await client.pools.contacts(full.id)).items] == [contact_id]


async def test_fake_extra_body_reaches_the_wire() -> None:
    fake = FakeMindhunters()
    pool_id = fake.add_record("pools", name="VIP", description="x")
    async with fake.client() as client:
        pool = await client.pools.update(pool_id, extra_body={"max_retries": 9})
    assert pool.max_retries == 9
    [request] = fake.requests_to("PUT", f"/pools/{pool_id}")
    assert request.json == {"max_retries": 9}


async def test_raw_response_of_a_contact(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    api.get(f"/contacts/{CONTACT_ID}").mock(
        return_value=httpx.Response(
            200, json=envelope(CONTACT), headers={"X-RateLimit-Limit": "1000"}
        )
    )
    raw = await client.contacts.with_raw_response.get(CONTACT_ID)
    assert (raw.status_code, raw.parse().id) == (200, CONTACT_ID)
    assert raw.rate_limit is not None
    assert raw.rate_limit.limit == 1000
