"""analytics.calls: the query it sends, the bare report it reads, and the fake's numbers."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import respx
from support import AGENT_ID, ok

import mindhunters_async as mh
from mindhunters_async._models.analytics import CallAnalytics, CallAnalyticsPeriod, CallTotals
from mindhunters_async.testing import FakeMindhunters

pytestmark = pytest.mark.anyio

CAMPAIGN_ID = "3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b"
PARIS = timezone(timedelta(hours=2))
START = datetime(2026, 3, 1, tzinfo=PARIS)
END = datetime(2026, 3, 8, tzinfo=PARIS)
TOTALS = {
    "calls": 12,
    "inbound": 5,
    "outbound": 7,
    "answered": 9,
    "missed": 2,
    "failed": 1,
    "ai_handled": 8,
    "human_handled": 1,
}
REPORT = {
    "meta": {"from": "2026-03-01T00:00:00+02:00", "granularity": "day"},
    "totals": TOTALS,
    "duration_sec": {"total": 3600, "average": 300},
    "buckets": [{"start": "2026-03-01", "calls": 12}],
    "outcome": {"completed": 9},
    "cost": {"total": 4.2, "currency": "USD"},
    "previous": {"totals": {**TOTALS, "calls": 10}},
}


# Request by request -------------------------------------------------------------------------


async def test_calls_sends_the_window_with_its_offset_and_reads_a_bare_object(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    route = api.get("/analytics/calls").respond(200, json=REPORT)
    report = await client.analytics.calls(
        from_=START,
        to=END,
        compare_prev=True,
        granularity="day",
        channel="call",
        agent_uuid=AGENT_ID,
        campaign_uuid=CAMPAIGN_ID,
    )
    url = route.calls.last.request.url
    assert dict(url.params) == {
        "from": "2026-03-01T00:00:00+02:00",
        "to": "2026-03-08T00:00:00+02:00",
        "compare_prev": "1",
        "granularity": "day",
        "channel": "call",
        "agent_uuid": AGENT_ID,
        "campaign_uuid": CAMPAIGN_ID,
    }
    # A bare "+" in a query reads as a space on the server: it must go as %2B.
    assert b"from=2026-03-01T00%3A00%3A00%2B02%3A00" in url.query
    assert report.totals == CallTotals(**TOTALS)
    assert report.duration_sec == {"total": 3600, "average": 300}
    assert report.buckets == [{"start": "2026-03-01", "calls": 12}]
    assert report.cost == {"total": 4.2, "currency": "USD"}
    assert report.meta == REPORT["meta"]
    assert report.previous == CallAnalyticsPeriod(totals=CallTotals(**{**TOTALS, "calls": 10}))


async def test_calls_sends_only_what_is_given(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    route = api.get("/analytics/calls").respond(200, json=REPORT)
    await client.analytics.calls(from_=START, to=END, compare_prev=False)
    assert set(route.calls.last.request.url.params) == {"from", "to", "compare_prev"}
    assert route.calls.last.request.url.params["compare_prev"] == "0"


@pytest.mark.parametrize(
    "body",
    [
        {"success": True, "message": "OK", "data": REPORT},
        {"data": {key: value for key, value in REPORT.items() if key != "meta"}, "meta": {"x": 1}},
    ],
    ids=["success envelope", "data beside meta"],
)
async def test_calls_also_reads_the_report_inside_an_envelope(
    api: respx.MockRouter, client: mh.AsyncMindhunters, body: dict[str, Any]
) -> None:
    api.get("/analytics/calls").respond(200, json=body)
    report = await client.analytics.calls(from_=START, to=END)
    assert report.totals == CallTotals(**TOTALS)
    assert report.meta == (REPORT["meta"] if "success" in body else {"x": 1})


async def test_an_unexpected_report_decodes_leniently(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    api.get("/analytics/calls").mock(return_value=ok({"totals": {"calls": "12", "missed": "x"}}))
    report = await client.analytics.calls(from_=START, to=END)
    assert report == CallAnalytics(totals=CallTotals(calls=12))


@pytest.mark.parametrize(
    ("window", "field"),
    [
        ({"from_": datetime(2026, 3, 1), "to": END}, "from"),
        ({"from_": START, "to": datetime(2026, 3, 8)}, "to"),
        ({"from_": "2026-03-01T00:00:00Z", "to": END}, "from"),
    ],
)
async def test_a_naive_window_is_refused_with_the_fix(
    api: respx.MockRouter, client: mh.AsyncMindhunters, window: dict[str, Any], field: str
) -> None:
    route = api.get("/analytics/calls").respond(200, json=REPORT)
    with pytest.raises(mh.RequestValidationError) as info:
        await client.analytics.calls(**window)
    assert info.value.field == field
    assert "pass an aware datetime, e.g. datetime.now(timezone.utc)" in str(info.value)
    assert not route.called


@pytest.mark.parametrize("name", ["agent_uuid", "campaign_uuid"])
async def test_a_bad_filter_id_is_refused_before_sending(
    api: respx.MockRouter, client: mh.AsyncMindhunters, name: str
) -> None:
    route = api.get("/analytics/calls").respond(200, json=REPORT)
    with pytest.raises(mh.RequestValidationError) as info:
        await client.analytics.calls(from_=START, to=END, **{name: "agent-7"})
    assert info.value.field == name
    assert not route.called


# Against the fake -----------------------------------------------------------------------------


def place(fake: FakeMindhunters, when: str, **call: Any) -> None:
    fake.add_call(created_at=datetime.fromisoformat(when), **call)


async def test_the_fake_counts_its_own_calls_in_the_window() -> None:
    fake = FakeMindhunters()
    other_agent = fake.add_agent("Other")
    # The window starts at midnight in Paris, 22:00 UTC the day before: a call at
    # 22:30 UTC is in it only if the offset made it to the server.
    place(fake, "2026-02-28T21:30:00+00:00", direction="inbound", status="busy")
    place(fake, "2026-02-28T22:30:00+00:00", direction="inbound", status="completed", duration=60)
    place(fake, "2026-03-02T12:00:00+00:00", direction="outbound", status="completed", duration=120)
    place(fake, "2026-03-03T12:00:00+00:00", direction="outbound", status="no-answer")
    place(
        fake,
        "2026-03-04T12:00:00+00:00",
        direction="outbound",
        status="failed",
        agent_id=other_agent,
    )
    place(fake, "2026-03-07T22:00:00+00:00", direction="inbound", status="completed")  # `to`: out
    place(fake, "2026-02-27T12:00:00+00:00", direction="outbound", status="busy")
    async with fake.client() as client:
        report = await client.analytics.calls(
            from_=START, to=END, compare_prev=True, granularity="day"
        )
        mine = await client.analytics.calls(from_=START, to=END, agent_uuid=fake.DEFAULT_AGENT_ID)
        texts = await client.analytics.calls(from_=START, to=END, channel="sms")
    assert report.totals == CallTotals(
        calls=4,
        inbound=1,
        outbound=3,
        answered=2,
        missed=1,
        failed=1,
        ai_handled=2,
        human_handled=0,
    )
    assert report.duration_sec == {"total": 180, "average": 45}
    assert [(b["start"][:10], b["calls"], b["answered"]) for b in report.buckets] == [
        ("2026-02-28", 1, 1),
        ("2026-03-02", 1, 1),
        ("2026-03-03", 1, 0),
        ("2026-03-04", 1, 0),
    ]
    assert report.outcome == {"completed": 2, "no-answer": 1, "failed": 1}
    assert report.previous is not None
    assert report.previous.totals == CallTotals(
        calls=2,
        inbound=1,
        outbound=1,
        answered=0,
        missed=2,
        failed=0,
        ai_handled=0,
        human_handled=0,
    )
    assert mine.totals is not None
    assert mine.totals.calls == 3
    assert mine.previous is None
    assert texts.totals is not None
    assert texts.totals.calls == 0


async def test_the_fake_refuses_a_window_without_an_offset() -> None:
    fake = FakeMindhunters()
    async with fake.client() as client:
        with pytest.raises(mh.UnprocessableEntityError) as info:
            await client.analytics.calls(
                from_=START, to=END, extra_query={"from": "2026-03-01T00:00:00"}
            )
    assert info.value.field == "from"


async def test_with_raw_response_gives_the_report_and_the_rate_limit() -> None:
    fake = FakeMindhunters()
    fake.add_call(created_at=datetime.now(timezone.utc))
    now = datetime.now(timezone.utc)
    async with fake.client() as client:
        raw = await client.analytics.with_raw_response.calls(
            from_=now - timedelta(hours=1), to=now + timedelta(hours=1)
        )
    assert raw.status_code == 200
    report = raw.parse()
    assert isinstance(report, CallAnalytics)
    assert report.totals is not None
    assert report.totals.calls == 1
    assert raw.rate_limit == mh.RateLimitInfo(limit=1000, remaining=999, reset=None)


async def test_extras_reach_the_wire(api: respx.MockRouter, client: mh.AsyncMindhunters) -> None:
    route = api.get("/analytics/calls").respond(200, json=REPORT)
    await client.analytics.calls(
        from_=START, to=END, extra_query={"timezone": "Europe/Paris"}, extra_headers={"X-A": "1"}
    )
    request = route.calls.last.request
    assert request.url.params["timezone"] == "Europe/Paris"
    assert request.headers["x-a"] == "1"
