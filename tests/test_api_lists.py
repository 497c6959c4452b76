"""Every list operation walks a 3-page list through `async for`, one request a page,
against the fake, in the list shape that endpoint documents."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import pytest

import mindhunters_async as mh
from mindhunters_async.testing import FakeMindhunters

pytestmark = pytest.mark.anyio

CONVERSATION = "9b2c7d4e-1f3a-4b5c-8d6e-7f8091a2b3c4"
POOL = "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"
DATASET = "2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a"


def seed(fake: FakeMindhunters, collection: str, **fields: Any) -> None:
    for i in range(5):
        fake.add_record(collection, name=f"{collection} {i}", **fields)


def seed_pool(fake: FakeMindhunters) -> None:
    fake.add_record("pools", uuid=POOL, name="Leads", type="FIFO")
    for i in range(5):
        contact = fake.add_record("contacts", name=f"Lead {i}", phone_number="+14155550100")
        fake.add_record("pool_contacts", pool_uuid=POOL, contact_uuid=contact, status="Pending")


# list -> (seeding the fake with 5 items, the list call, the path it pages)
LISTS: dict[str, tuple[Callable[[FakeMindhunters], None], Callable[..., Any], str]] = {
    "calls.list": (
        lambda fake: [fake.add_call(f"+1415555010{i}") for i in range(5)],
        lambda client: client.calls.list(per_page=2),
        "/calls",
    ),
    "agents.list": (
        lambda fake: [fake.add_agent(f"Agent {i}") for i in range(4)],  # 5 with the default
        lambda client: client.agents.list(per_page=2),
        "/agents",
    ),
    "contacts.list": (
        lambda fake: seed(fake, "contacts", phone_number="+14155550100"),
        lambda client: client.contacts.list(per_page=2),
        "/contacts",
    ),
    "conversations.list": (
        lambda fake: seed(fake, "conversations", status="completed"),
        lambda client: client.conversations.list(per_page=2),
        "/conversations",
    ),
    "conversations.messages": (
        lambda fake: (
            fake.add_record("conversations", uuid=CONVERSATION),
            seed(fake, "conversation_messages", conversation_uuid=CONVERSATION, content="hi"),
        ),
        lambda client: client.conversations.messages(CONVERSATION, per_page=2),
        f"/conversations/{CONVERSATION}/messages",
    ),
    "conversations.sessions": (
        lambda fake: (
            fake.add_record("conversations", uuid=CONVERSATION),
            seed(fake, "conversation_sessions", conversation_uuid=CONVERSATION),
        ),
        lambda client: client.conversations.sessions(CONVERSATION, per_page=2),
        f"/conversations/{CONVERSATION}/sessions",
    ),
    "pools.list": (
        lambda fake: seed(fake, "pools", type="FIFO"),
        lambda client: client.pools.list(per_page=2),
        "/pools",
    ),
    "pools.contacts": (
        lambda fake: seed_pool(fake),
        lambda client: client.pools.contacts(POOL, per_page=2),
        f"/pools/{POOL}/contacts",
    ),
    "rules.list": (
        lambda fake: seed(fake, "rules"),
        lambda client: client.rules.list(per_page=2),
        "/rules",
    ),
    "tasks.list": (
        lambda fake: seed(fake, "tasks", status="pending"),
        lambda client: client.tasks.list(per_page=2),
        "/tasks",
    ),
    "phone_numbers.list": (
        lambda fake: seed(fake, "phone_numbers", number="+14155550100"),
        lambda client: client.phone_numbers.list(per_page=2),
        "/phone-numbers",
    ),
    "phone_numbers.rates": (
        lambda fake: seed(fake, "phone_number_rates", country="US"),
        lambda client: client.phone_numbers.rates(per_page=2),
        "/phone-numbers/rates",
    ),
    "phone_numbers.trunks.list": (
        lambda fake: [
            fake.add_record("phone_number_trunks", number=f"+1415555010{i}", channel="call")
            for i in range(5)
        ],
        lambda client: client.phone_numbers.trunks.list(per_page=2),
        "/phone-numbers/trunks",
    ),
    "listings.list": (
        lambda fake: seed(fake, "listings"),
        lambda client: client.listings.list(per_page=2),
        "/listings",
    ),
    "datasets.records": (
        lambda fake: (
            fake.add_record("datasets", uuid=DATASET),
            seed(fake, "dataset_records", dataset_uuid=DATASET),
        ),
        lambda client: client.datasets.records(DATASET, per_page=2),
        f"/data/{DATASET}/records",
    ),
}


@pytest.mark.parametrize("name", list(LISTS))
async def test_a_three_page_list_is_walked_one_request_a_page(name: str) -> None:
    fill, listing, path = LISTS[name]
    fake = FakeMindhunters()
    fill(fake)
    async with fake.client() as client:
        items = [item async for item in listing(client)]
        first = await listing(client)
    assert len(items) == 5
    assert len({item.id for item in items if item.id is not None}) == len(
        [item for item in items if item.id is not None]
    )
    assert len(fake.requests_to("GET", path)) == 3 + 1  # three pages, then the awaited one
    assert isinstance(first, mh.Page)
    assert len(first.items) == 2


def test_every_list_operation_is_walked_here() -> None:
    # A list is a method that returns an AsyncPager. The groups whose seeding is
    # their own walk their lists beside their other tests, in the same way.
    from test_api_coverage import endpoints
    from test_api_evaluations import LISTS as EVALUATION_LISTS
    from test_api_scheduling import LISTS as SCHEDULING_LISTS

    client = mh.AsyncMindhunters(api_token="t", tenant="acme")
    listed = {e.name for e in endpoints() if _returns_a_pager(client, e.name)}
    walked = set(LISTS) | set(EVALUATION_LISTS) | set(SCHEDULING_LISTS)
    assert listed == walked, listed ^ walked


def _returns_a_pager(client: mh.AsyncMindhunters, name: str) -> bool:
    target: Any = client
    for part in name.split("."):
        target = getattr(target, part)
    return str(inspect.signature(target).return_annotation).startswith("AsyncPager[")
