"""Workspace webhooks (`client.webhooks`): the requests they send, their decoding, the fake."""

from __future__ import annotations

import json
from typing import Any

import pytest
import respx
from support import ok

import mindhunters_async as mh
from mindhunters_async._models.agents import WebhookEvent
from mindhunters_async._models.webhooks import WorkspaceWebhook
from mindhunters_async.testing import FakeMindhunters

pytestmark = pytest.mark.anyio

HOOK_ID = "9c0d1e2f-3a4b-4c5d-8e6f-7a8b9c0d1e2f"
TARGET = "https://hooks.example.com/mihu?token=s3cret"


def body_of(route: respx.Route) -> Any:
    return json.loads(route.calls.last.request.content)


async def test_subscribe_posts_target_url_and_event(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    answer = {"uuid": HOOK_ID, "targetUrl": TARGET, "event": "voice_evaluation", "is_active": True}
    route = api.post("/webhooks").mock(return_value=ok(answer, status=201))
    hook = await client.webhooks.subscribe(target_url=TARGET, event=WebhookEvent.VOICE_EVALUATION)
    assert body_of(route) == {"targetUrl": TARGET, "event": "voice_evaluation"}
    assert hook == WorkspaceWebhook(
        id=HOOK_ID, target_url=TARGET, event="voice_evaluation", is_active=True
    )


@pytest.mark.parametrize("answer", [None, {}, {"success": True}])
async def test_subscribe_reads_an_answer_that_says_nothing(
    api: respx.MockRouter, client: mh.AsyncMindhunters, answer: Any
) -> None:
    api.post("/webhooks").mock(return_value=ok(answer, message="Subscribed"))
    hook = await client.webhooks.subscribe(target_url=TARGET, event="text_evaluation")
    assert hook == WorkspaceWebhook(target_url=TARGET, event="text_evaluation")


async def test_subscribe_keeps_the_answers_own_url(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    api.post("/webhooks").mock(return_value=ok({"url": "https://canonical.example.com/h"}))
    hook = await client.webhooks.subscribe(target_url=TARGET, event="intent_call")
    assert hook.target_url == "https://canonical.example.com/h"


async def test_unsubscribe_sends_the_url_in_the_delete_body(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    route = api.delete("/webhooks").mock(return_value=ok({}))
    assert await client.webhooks.unsubscribe(target_url=TARGET) is None
    assert body_of(route) == {"targetUrl": TARGET}
    assert dict(route.calls.last.request.url.params) == {}


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (
            lambda c: c.webhooks.subscribe(
                target_url="http://x.example.com/h", event="intent_call"
            ),
            "targetUrl",
        ),
        (
            lambda c: c.webhooks.subscribe(target_url="hooks.example.com", event="intent_call"),
            "targetUrl",
        ),
        (lambda c: c.webhooks.subscribe(target_url=TARGET, event="call_ended"), "event"),
        (lambda c: c.webhooks.subscribe(target_url=TARGET, event=["intent_call"]), "event"),
        (lambda c: c.webhooks.unsubscribe(target_url=""), "targetUrl"),
        (lambda c: c.webhooks.unsubscribe(target_url="ftp://x.example.com"), "targetUrl"),
    ],
)
async def test_bad_input_is_refused_before_sending(
    api: respx.MockRouter, client: mh.AsyncMindhunters, call: Any, field: str
) -> None:
    route = api.route(url__regex=r".*/webhooks.*").mock(return_value=ok({}))
    with pytest.raises(mh.RequestValidationError) as info:
        await call(client)
    assert info.value.field == field
    assert "s3cret" not in str(info.value)
    assert not route.called


async def test_webhooks_against_the_fake() -> None:
    fake = FakeMindhunters()
    other = "https://other.example.com/h"
    async with fake.client() as client:
        first = await client.webhooks.subscribe(target_url=TARGET, event="voice_evaluation")
        # The same URL and event again: idempotent, the same subscription.
        again = await client.webhooks.with_raw_response.subscribe(
            target_url=TARGET, event=WebhookEvent.VOICE_EVALUATION
        )
        second = await client.webhooks.subscribe(target_url=TARGET, event="text_evaluation")
        await client.webhooks.subscribe(target_url=other, event="voice_evaluation")
        await client.webhooks.unsubscribe(target_url=TARGET)
        with pytest.raises(mh.NotFoundError) as gone:
            await client.webhooks.unsubscribe(target_url=TARGET)
        with pytest.raises(mh.UnprocessableEntityError) as plain_http:
            await client.request(
                "POST",
                "/webhooks",
                json={"targetUrl": "http://x.example.com", "event": "intent_call"},
            )
    assert first.id is not None
    assert (again.status_code, again.parse()) == (200, first)
    assert second.id != first.id
    assert (first.target_url, first.event) == (TARGET, "voice_evaluation")
    left = list(fake.records("workspace_webhooks").values())
    assert [(h["targetUrl"], h["event"]) for h in left] == [(other, "voice_evaluation")]
    assert gone.value.code == "RESOURCE_NOT_FOUND"
    assert "s3cret" not in str(gone.value.body)
    assert plain_http.value.field == "targetUrl"
