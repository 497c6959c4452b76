"""Test kit: an in-memory Mindhunters API, and pytest fixtures built on it.

    from mindhunters_async.testing import FakeMindhunters

    fake = FakeMindhunters()
    async with httpx.AsyncClient(transport=fake.transport()) as http:
        ...
    assert len(fake.requests_to("POST", "/call")) == 1

With the SDK installed, pytest gets the fixtures `fake_mindhunters` (a fresh
`FakeMindhunters`) and `mindhunters_client` (an `AsyncMindhunters` bound to it).
"""

from ._clock import ManualClock
from ._fake import FakeMindhunters
from ._faults import Fault
from ._recording import RecordedRequest
from ._state import CallScript, FakeAgent, FakeCall
from ._webhooks import WebhookDelivery

__all__ = [
    "CallScript",
    "FakeAgent",
    "FakeCall",
    "FakeMindhunters",
    "Fault",
    "ManualClock",
    "RecordedRequest",
    "WebhookDelivery",
]
