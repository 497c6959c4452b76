"""listings: the requests they send, their decoding, and the fake."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime, timezone
from typing import Any

import pytest
import respx
from support import AGENT_ID, PHONE, ok

import mindhunters_async as mh
from mindhunters_async._models.listings import Listing, ListingContactsAdded
from mindhunters_async.testing import FakeMindhunters

pytestmark = pytest.mark.anyio

LISTING_ID = "5d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6"
CONTACT_ID = "6e2f3a4b-5c6d-4e7f-9a81-92a3b4c5d6e7"
UNKNOWN = "00000000-0000-4000-8000-00000000dead"
LISTING = {
    "uuid": LISTING_ID,
    "name": "Spring leads",
    "campaign_type": "outbound",
    "agent_uuid": AGENT_ID,
    "rule": {"type": "outbound", "max_calls_per_day": 3},
    "start_date": "2026-03-01",
    "contacts_count": 2,
}


def body_of(route: respx.Route) -> Any:
    return json.loads(route.calls.last.request.content)


# Request by request ----------------------------------------------------------------------


async def test_create_posts_the_listing_with_its_rule_and_contacts(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    route = api.post("/listings").mock(return_value=ok(LISTING, status=201))
    listing = await client.listings.create(
        name="Spring leads",
        agent_uuid=uuid.UUID(AGENT_ID),
        campaign_type="outbound",
        rule={"type": "outbound", "max_calls_per_day": 3},
        contacts=({"phone_number": PHONE, "name": "Ann"}, {"email": "bo@example.com"}),
        start_date=date(2026, 3, 1),
        end_date="2026-03-31",
        auto_start=True,
        priority="high",
    )
    assert route.calls.last.request.method == "POST"
    assert body_of(route) == {
        "name": "Spring leads",
        "campaign_type": "outbound",
        "agent_uuid": AGENT_ID,
        "start_date": "2026-03-01",
        "end_date": "2026-03-31",
        "auto_start": True,
        "rule": {"type": "outbound", "max_calls_per_day": 3},
        "contacts": [{"phone_number": PHONE, "name": "Ann"}, {"email": "bo@example.com"}],
        "priority": "high",
    }
    assert listing == Listing(
        id=LISTING_ID,
        name="Spring leads",
        campaign_type="outbound",
        agent_uuid=AGENT_ID,
        rule={"type": "outbound", "max_calls_per_day": 3},
        start_date="2026-03-01",
        contacts_count=2,
    )


async def test_create_sends_an_empty_contact_list_when_given_none(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    route = api.post("/listings").mock(return_value=ok(LISTING, status=201))
    await client.listings.create(name="Empty")
    assert body_of(route) == {"name": "Empty", "contacts": []}


async def test_list_reads_a_bare_array(api: respx.MockRouter, client: mh.AsyncMindhunters) -> None:
    route = api.get("/listings").mock(return_value=ok([LISTING, {"uuid": CONTACT_ID}]))
    page = await client.listings.list(per_page=5)
    assert dict(route.calls.last.request.url.params) == {"page": "1", "per_page": "5"}
    assert [item.id for item in page.items] == [LISTING_ID, CONTACT_ID]
    assert page.items[0].name == "Spring leads"


async def test_add_contacts_posts_them_and_reads_what_was_done(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    answer = {"contacts_created": 1, "contacts_updated": 1, "contact_uuids": [CONTACT_ID]}
    route = api.post(f"/listings/{LISTING_ID}/contacts").mock(return_value=ok(answer))
    added = await client.listings.add_contacts(
        LISTING_ID, [{"phone_number": PHONE, "surname": "Lee"}, {"email": "bo@example.com"}]
    )
    assert body_of(route) == {
        "contacts": [{"phone_number": PHONE, "surname": "Lee"}, {"email": "bo@example.com"}]
    }
    # The answer does not name the listing: the one written to is filled in.
    assert added == ListingContactsAdded(
        listing_uuid=LISTING_ID,
        contacts_created=1,
        contacts_updated=1,
        contact_uuids=(CONTACT_ID,),
    )


async def test_add_contacts_reads_an_answer_without_data(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    api.post(f"/listings/{LISTING_ID}/contacts").mock(return_value=ok(None, message="Queued"))
    added = await client.listings.add_contacts(LISTING_ID, [{"phone_number": PHONE}])
    assert added == ListingContactsAdded(listing_uuid=LISTING_ID)


async def test_remove_contact_deletes_the_membership(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    route = api.delete(f"/listings/{LISTING_ID}/contacts/{CONTACT_ID}").mock(return_value=ok({}))
    assert await client.listings.remove_contact(LISTING_ID, uuid.UUID(CONTACT_ID)) is None
    assert route.calls.last.request.content == b""


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (
            lambda c: c.listings.create(name="x", contacts=[{"phone_number": "4155552671"}]),
            "contacts.0.phone_number",
        ),
        (
            lambda c: c.listings.create(
                name="x",
                contacts=[
                    {"phone_number": PHONE},
                    {"name": "b"},
                    {"phone_number": PHONE},
                    {"phone_number": "+1 415"},
                ],
            ),
            "contacts.3.phone_number",
        ),
        (
            lambda c: c.listings.create(name="x", contacts=[{"phone_number": PHONE}, "Ann"]),
            "contacts.1",
        ),
        (lambda c: c.listings.create(name="x", contacts={"phone_number": PHONE}), "contacts"),
        (lambda c: c.listings.create(name=" "), "name"),
        (lambda c: c.listings.create(name="x", agent_uuid="agent-7"), "agent_uuid"),
        (
            lambda c: c.listings.create(
                name="x", start_date=datetime(2026, 3, 1, tzinfo=timezone.utc)
            ),
            "start_date",
        ),
        (lambda c: c.listings.add_contacts(LISTING_ID, []), "contacts"),
        (
            lambda c: c.listings.add_contacts(LISTING_ID, [{"phone_number": "+0123"}]),
            "contacts.0.phone_number",
        ),
        (lambda c: c.listings.add_contacts("listing-7", [{"phone_number": PHONE}]), "listing_id"),
        (lambda c: c.listings.remove_contact(LISTING_ID, "7"), "contact_id"),
        (lambda c: c.listings.list(per_page=101), "per_page"),
    ],
)
async def test_bad_input_is_refused_before_sending(
    api: respx.MockRouter, client: mh.AsyncMindhunters, call: Any, field: str
) -> None:
    route = api.route(url__regex=r".*/listings.*").mock(return_value=ok(LISTING))
    with pytest.raises(mh.RequestValidationError) as info:
        await call(client)
    assert info.value.field == field
    assert not route.called


async def test_a_bad_phone_number_is_not_copied_into_the_error(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    with pytest.raises(mh.RequestValidationError) as info:
        await client.listings.create(name="x", contacts=[{"phone_number": "0044 7700 900123"}])
    assert "7700" not in str(info.value)
    assert not api.calls


# Against the fake ------------------------------------------------------------------------


async def test_listings_against_the_fake() -> None:
    fake = FakeMindhunters()
    agent = fake.add_agent("Closer")
    existing = fake.add_record("contacts", name="Ann", phone_number=PHONE)
    async with fake.client() as client:
        listing = await client.listings.create(
            name="Spring",
            agent_uuid=agent,
            rule={"type": "outbound"},
            # Ann's number is known: she is updated, not duplicated.
            contacts=[{"phone_number": PHONE, "surname": "Lee"}, {"email": "bo@example.com"}],
        )
        added = await client.listings.add_contacts(
            listing.id,
            [{"email": "BO@example.com", "name": "Bo"}, {"phone_number": "+14155550111"}],
        )
        await client.listings.remove_contact(listing.id, existing)
        listed = await client.listings.list()
        with pytest.raises(mh.NotFoundError):
            await client.listings.remove_contact(listing.id, existing)
        with pytest.raises(mh.NotFoundError):
            await client.listings.add_contacts(UNKNOWN, [{"phone_number": PHONE}])
        with pytest.raises(mh.UnprocessableEntityError) as no_key:
            await client.listings.add_contacts(listing.id, [{"name": "Nobody"}])
        with pytest.raises(mh.NotFoundError):
            await client.listings.create(name="x", agent_uuid=UNKNOWN)
    assert (listing.name, listing.agent_uuid, listing.rule) == (
        "Spring",
        agent,
        {"type": "outbound"},
    )
    assert listing.contacts_count == 2
    assert (added.contacts_created, added.contacts_updated) == (1, 1)
    assert [item.id for item in listed.items] == [listing.id]
    assert listed.items[0].contacts_count == 2  # Ann left; Bo and the new number stay
    assert no_key.value.field == "contacts.0.phone_number"
    contacts = fake.records("contacts")
    assert len(contacts) == 3
    assert contacts[existing]["surname"] == "Lee"  # upserted by phone
    # Upserted by email, whatever its case: one contact, named on the second call.
    (bo,) = [c for c in contacts.values() if str(c.get("email")).lower() == "bo@example.com"]
    assert bo["name"] == "Bo"
    assert added.contact_uuids[0] == bo["uuid"]
    members = {m["contact_uuid"] for m in fake.records("listing_contacts").values()}
    assert existing in contacts  # the contact stays in the workspace
    assert existing not in members


async def test_the_fake_refuses_what_the_sdk_would_not_send() -> None:
    fake = FakeMindhunters()
    listing = fake.add_record("listings", name="Raw")
    path = f"/listings/{listing}/contacts"
    async with fake.client() as client:
        # Past the SDK's own checks (client.request checks no body), to see the fake's.
        with pytest.raises(mh.UnprocessableEntityError) as bad_number:
            await client.request("POST", path, json={"contacts": [{"phone_number": "555"}]})
        with pytest.raises(mh.UnprocessableEntityError) as no_contacts:
            await client.request("POST", path, json={"contacts": []})
        with pytest.raises(mh.UnprocessableEntityError) as unnamed:
            await client.request("POST", "/listings", json={"contacts": []})
    assert bad_number.value.field == "contacts.0.phone_number"
    assert bad_number.value.code == "INVALID_FORMAT"
    assert no_contacts.value.field == "contacts"
    assert unnamed.value.field == "name"
    assert not fake.records("listing_contacts")


async def test_listings_walk_three_pages() -> None:
    fake = FakeMindhunters()
    for n in range(5):
        fake.add_record("listings", name=f"listing {n}")
    async with fake.client() as client:
        seen = [listing.name async for listing in client.listings.list(per_page=2)]
    assert seen == [f"listing {n}" for n in range(5)][::-1]  # newest first
    requests = fake.requests_to("GET", "/listings")
    assert [r.query["page"] for r in requests] == ["1", "2", "3"]
