"""mindhunters-async: the async Python SDK for the Mindhunters (Mihu AI) API.

::

    import mindhunters_async as mh

    async with mh.AsyncMindhunters(api_token="...", tenant="acme") as client:
        call = await client.calls.create(
            agent_id="550e8400-e29b-41d4-a716-446655440000",
            participant={"number": "+14155552671"},
        )
"""

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
)
from ._models import AgentRef, Call, CallAction, Message, Page, Participant, Prompt
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
from ._models.phone_numbers import PhoneNumber, PhoneNumberRate
from ._pagination import AsyncPager
from ._resources._base import RateLimitInfo, RawResponse
from ._validators import is_e164, is_uuid, validate_e164, validate_uuid
from ._version import __version__
from .middleware import RetryBudget, RetryPolicy

__all__ = [
    "ConversationSession",
    "ConversationMessage",
    "Conversation",
    "ContactSummary",
    "PoolContactsAdded",
    "PoolContact",
    "Pool",
    "ContactTag",
    "Contact",
    "PhoneNumberRate",
    "PhoneNumber",
    "Task",
    "ContactRule",
    "Campaign",
    "CallTotals",
    "CallAnalyticsPeriod",
    "CallAnalytics",
    "APIConnectionError",
    "Agent",
    "AgentWebhook",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AgentRef",
    "AsyncMindhunters",
    "AsyncPager",
    "AuthenticationError",
    "BadGatewayError",
    "BadRequestError",
    "Call",
    "CallAction",
    "ClientStateError",
    "ConfigurationError",
    "ConflictError",
    "ErrorCode",
    "InternalServerError",
    "Message",
    "MindhuntersError",
    "NotFoundError",
    "Outcome",
    "Page",
    "Participant",
    "PermissionDeniedError",
    "Prompt",
    "RateLimitError",
    "RateLimitInfo",
    "RawResponse",
    "RequestValidationError",
    "ResponseDecodeError",
    "RetryBudget",
    "RetryPolicy",
    "ServerError",
    "ServiceUnavailableError",
    "UnprocessableEntityError",
    "WebhookEvent",
    "__version__",
    "is_e164",
    "is_uuid",
    "middleware",
    "validate_e164",
    "validate_uuid",
]
