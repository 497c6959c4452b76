"""mindhunters-async: the async Python SDK for the Mindhunters (Mihu AI) API.

::

    import mindhunters_async as mh

    async with mh.AsyncMindhunters(api_token="...", tenant="acme") as client:
        call = await client.calls.create(
            agent_id="550e8400-e29b-41d4-a716-446655440000",
            participant={"number": "+14155552671"},
        )
"""

from typing import TYPE_CHECKING, Any

from . import middleware
from ._client import AsyncMindhunters
from ._exceptions import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadGatewayError,
    BadRequestError,
    ClientStateError,
    ConfigurationError,
    ConflictError,
    ErrorCode,
    InternalServerError,
    MindhuntersError,
    NotFoundError,
    Outcome,
    PermissionDeniedError,
    RateLimitError,
    RequestValidationError,
    ResponseDecodeError,
    ServerError,
    ServiceUnavailableError,
    UnprocessableEntityError,
    WebhookError,
)
from ._governor import RateLimit
from ._models import (
    AgentRef,
    Call,
    CallAction,
    Message,
    Page,
    Participant,
    Prompt,
)
from ._pagination import AsyncPager
from ._resources._base import RateLimitInfo, RawResponse
from ._stats import ClientStats
from ._support import SupportInfo
from ._validators import (
    is_e164,
    is_uuid,
    validate_e164,
    validate_uuid,
)
from ._version import __version__
from .middleware import OpenTelemetry, RetryBudget, RetryPolicy

if TYPE_CHECKING:
    from . import webhooks
    from ._bulk import BulkDial, DialResult, DialStatus, Reconciliation, Verdict
    from ._journal import Journal, JournalEntry, JournalState, SQLiteJournal
    from ._journal_redis import RedisJournal
    from ._models.agent_setup import Channel, Intent, IntentEvent, IntentWebhook
    from ._models.agents import Agent, AgentWebhook, WebhookEvent
    from ._models.analytics import CallAnalytics, CallAnalyticsPeriod, CallTotals
    from ._models.campaigns import Campaign, ContactRule, Task
    from ._models.contacts import Contact, ContactTag, Pool, PoolContact, PoolContactsAdded
    from ._models.conversations import (
        ContactSummary,
        Conversation,
        ConversationMessage,
        ConversationSession,
    )
    from ._models.datasets import Dataset, DatasetRecord
    from ._models.evaluations import (
        Analyzer,
        ContactApproval,
        ContactField,
        Evaluation,
        EvaluationScore,
        EvaluationSettings,
        UpdateBehavior,
    )
    from ._models.flows import Flow, FlowStep, FlowStepTest, FlowTestSample
    from ._models.listings import Listing, ListingContactsAdded
    from ._models.messaging import (
        AgenticSearchResult,
        SentMessage,
        TemplateCategory,
        WhatsAppTemplate,
    )
    from ._models.phone_numbers import PhoneNumber, PhoneNumberRate
    from ._models.scheduling import (
        Appointment,
        AppointmentRequest,
        AppointmentRequestStatus,
        AppointmentStatus,
        Schedule,
    )
    from ._models.telephony import SipTrunkConnection, Trunk
    from ._models.transcriptions import (
        Transcript,
        TranscriptConversation,
        Transcription,
        TranscriptMessage,
    )
    from ._models.webhooks import WorkspaceWebhook
    from ._redis import RedisRateLimit

# Imported on first use, so that `import mindhunters_async` stays light: the API's
# groups, webhook deliveries, bulk dialing and the Redis pieces load when touched.
_LAZY: dict[str, str] = {
    "webhooks": ".webhooks",
    "Agent": "._models.agents",
    "AgentWebhook": "._models.agents",
    "AgenticSearchResult": "._models.messaging",
    "Analyzer": "._models.evaluations",
    "Appointment": "._models.scheduling",
    "AppointmentRequest": "._models.scheduling",
    "AppointmentRequestStatus": "._models.scheduling",
    "AppointmentStatus": "._models.scheduling",
    "BulkDial": "._bulk",
    "CallAnalytics": "._models.analytics",
    "CallAnalyticsPeriod": "._models.analytics",
    "CallTotals": "._models.analytics",
    "Campaign": "._models.campaigns",
    "Channel": "._models.agent_setup",
    "Contact": "._models.contacts",
    "ContactApproval": "._models.evaluations",
    "ContactField": "._models.evaluations",
    "ContactRule": "._models.campaigns",
    "ContactSummary": "._models.conversations",
    "ContactTag": "._models.contacts",
    "Conversation": "._models.conversations",
    "ConversationMessage": "._models.conversations",
    "ConversationSession": "._models.conversations",
    "Dataset": "._models.datasets",
    "DatasetRecord": "._models.datasets",
    "DialResult": "._bulk",
    "DialStatus": "._bulk",
    "Evaluation": "._models.evaluations",
    "EvaluationScore": "._models.evaluations",
    "EvaluationSettings": "._models.evaluations",
    "Flow": "._models.flows",
    "FlowStep": "._models.flows",
    "FlowStepTest": "._models.flows",
    "FlowTestSample": "._models.flows",
    "Intent": "._models.agent_setup",
    "IntentEvent": "._models.agent_setup",
    "IntentWebhook": "._models.agent_setup",
    "Journal": "._journal",
    "JournalEntry": "._journal",
    "JournalState": "._journal",
    "Listing": "._models.listings",
    "ListingContactsAdded": "._models.listings",
    "PhoneNumber": "._models.phone_numbers",
    "PhoneNumberRate": "._models.phone_numbers",
    "Pool": "._models.contacts",
    "PoolContact": "._models.contacts",
    "PoolContactsAdded": "._models.contacts",
    "Reconciliation": "._bulk",
    "RedisJournal": "._journal_redis",
    "RedisRateLimit": "._redis",
    "SQLiteJournal": "._journal",
    "Schedule": "._models.scheduling",
    "SentMessage": "._models.messaging",
    "SipTrunkConnection": "._models.telephony",
    "Task": "._models.campaigns",
    "TemplateCategory": "._models.messaging",
    "Transcript": "._models.transcriptions",
    "TranscriptConversation": "._models.transcriptions",
    "TranscriptMessage": "._models.transcriptions",
    "Transcription": "._models.transcriptions",
    "Trunk": "._models.telephony",
    "UpdateBehavior": "._models.evaluations",
    "Verdict": "._bulk",
    "WebhookEvent": "._models.agents",
    "WhatsAppTemplate": "._models.messaging",
    "WorkspaceWebhook": "._models.webhooks",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    loaded = importlib.import_module(module, __name__)
    value = loaded if name == "webhooks" else getattr(loaded, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "Agent",
    "AgentRef",
    "AgentWebhook",
    "AgenticSearchResult",
    "Analyzer",
    "Appointment",
    "AppointmentRequest",
    "AppointmentRequestStatus",
    "AppointmentStatus",
    "AsyncMindhunters",
    "AsyncPager",
    "AuthenticationError",
    "BadGatewayError",
    "BadRequestError",
    "BulkDial",
    "Call",
    "CallAction",
    "CallAnalytics",
    "CallAnalyticsPeriod",
    "CallTotals",
    "Campaign",
    "Channel",
    "ClientStateError",
    "ClientStats",
    "ConfigurationError",
    "ConflictError",
    "Contact",
    "ContactApproval",
    "ContactField",
    "ContactRule",
    "ContactSummary",
    "ContactTag",
    "Conversation",
    "ConversationMessage",
    "ConversationSession",
    "Dataset",
    "DatasetRecord",
    "DialResult",
    "DialStatus",
    "ErrorCode",
    "Evaluation",
    "EvaluationScore",
    "EvaluationSettings",
    "Flow",
    "FlowStep",
    "FlowStepTest",
    "FlowTestSample",
    "Intent",
    "IntentEvent",
    "IntentWebhook",
    "InternalServerError",
    "Journal",
    "JournalEntry",
    "JournalState",
    "Listing",
    "ListingContactsAdded",
    "Message",
    "MindhuntersError",
    "NotFoundError",
    "OpenTelemetry",
    "Outcome",
    "Page",
    "Participant",
    "PermissionDeniedError",
    "PhoneNumber",
    "PhoneNumberRate",
    "Pool",
    "PoolContact",
    "PoolContactsAdded",
    "Prompt",
    "RateLimit",
    "RateLimitError",
    "RateLimitInfo",
    "RawResponse",
    "Reconciliation",
    "RedisJournal",
    "RedisRateLimit",
    "RequestValidationError",
    "ResponseDecodeError",
    "RetryBudget",
    "RetryPolicy",
    "SQLiteJournal",
    "Schedule",
    "SentMessage",
    "ServerError",
    "ServiceUnavailableError",
    "SipTrunkConnection",
    "SupportInfo",
    "Task",
    "TemplateCategory",
    "Transcript",
    "TranscriptConversation",
    "TranscriptMessage",
    "Transcription",
    "Trunk",
    "UnprocessableEntityError",
    "UpdateBehavior",
    "Verdict",
    "WebhookError",
    "WebhookEvent",
    "WhatsAppTemplate",
    "WorkspaceWebhook",
    "is_e164",
    "is_uuid",
    "middleware",
    "validate_e164",
    "validate_uuid",
    "webhooks",
    "__version__",
]
