"""client.sms and client.whatsapp: messages sent by an agent, and WhatsApp templates."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

from .._converter import decoder
from .._exceptions import ErrorCode, RequestValidationError
from .._models.messaging import SentMessage, TemplateCategory, WhatsAppTemplate
from .._pipeline import Endpoint, Rule
from .._validators import url_problem, validate_e164, validate_uuid
from .._validators import wire_id as _text_id
from ._base import Resource, fields

__all__ = ["Sms", "WhatsApp"]

SMS_MAX_LENGTH: Final = 1600
"""The longest SMS body the API accepts, in characters."""
_TEMPLATE_NAME_MAX: Final = 512
_HEADER_TYPES: Final = ("image", "video", "document")
_CATEGORIES: Final = frozenset(category.value for category in TemplateCategory)
# Meta's template names: lowercase letters, digits and underscores.
_TEMPLATE_NAME: Final = re.compile(r"[a-z0-9_]+", re.ASCII)
_PARAMETER_KEY: Final = re.compile(r"field[1-9][0-9]*", re.ASCII)


def _invalid(field: str, details: str) -> RequestValidationError:
    return RequestValidationError(field, ErrorCode.VALIDATION_ERROR, details)


def _text(value: object, field: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise _invalid(field, f"{field} must be a non-empty string")


def _sms_body(value: object, field: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise _invalid(field, f"{field} must be a non-empty string")
    if len(value) > SMS_MAX_LENGTH:
        raise _invalid(
            field,
            f"{field} must be at most {SMS_MAX_LENGTH} characters, got {len(value)}:"
            " send it as several messages",
        )


def _parameters(value: object, field: str) -> None:
    # The text is the recipient's data: name the bad key, never echo a value.
    if not isinstance(value, Mapping):
        raise _invalid(field, f"{field} must be an object such as {{'field1': 'John'}}")
    for key in value:
        if not isinstance(key, str) or not _PARAMETER_KEY.fullmatch(key):
            shown = repr(key) if len(repr(key)) <= 40 else repr(key)[:37] + "..."
            raise _invalid(
                field,
                f"{field} has the key {shown}: keys are field1, field2, ... for the"
                " template's {{1}}, {{2}}, ...",
            )


def _header(value: object, field: str) -> None:
    kinds = ", ".join(_HEADER_TYPES)
    if not isinstance(value, Mapping) or value.get("type") not in _HEADER_TYPES:
        raise _invalid(
            field, f"{field} must be {{'type': one of {kinds}, 'url': a public http(s) URL}}"
        )
    if url_problem(value.get("url"), ("http", "https")) is not None:
        # Not echoed: a media URL may carry a signed token in its query.
        raise RequestValidationError(
            f"{field}.url",
            ErrorCode.INVALID_FORMAT,
            f"{field}.url must be a publicly reachable http(s) URL of the media",
        )


def _template_name(value: object, field: str) -> None:
    if (
        not isinstance(value, str)
        or not 1 <= len(value) <= _TEMPLATE_NAME_MAX
        or not _TEMPLATE_NAME.fullmatch(value)
    ):
        raise _invalid(
            field,
            f"{field} must be lowercase snake_case (a-z, 0-9, _), 1 to {_TEMPLATE_NAME_MAX}"
            " characters, such as 'order_confirmation'",
        )


def _category(value: object, field: str) -> None:
    if not isinstance(value, str) or value not in _CATEGORIES:
        raise _invalid(
            field,
            f"{field} must be a TemplateCategory: one of {', '.join(sorted(_CATEGORIES))}",
        )


def _waba_id(value: object, field: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (str, int)) or not str(value).strip():
        raise _invalid(field, f"{field} must be the WhatsApp Business Account id")


def _components(value: object, field: str) -> None:
    if (
        not isinstance(value, (list, tuple))
        or not value
        or not all(isinstance(part, Mapping) for part in value)
    ):
        raise _invalid(
            field,
            f"{field} must be a non-empty list of Meta component objects, such as"
            " [{'type': 'BODY', 'text': 'Hello'}]",
        )


SMS_SEND = Endpoint(
    "sms.send",
    "POST",
    "/sms/send",
    rules=(
        Rule("agentId", validate_uuid),
        Rule("phoneNumber", validate_e164),
        Rule("message", _sms_body),
    ),
)
WHATSAPP_SEND_TEMPLATE = Endpoint(
    "whatsapp.send_template",
    "POST",
    "/whatsapp/template",
    rules=(
        Rule("agentId", validate_uuid),
        Rule("templateId", validate_uuid),
        Rule("phoneNumber", validate_e164),
        Rule("parameters", _parameters, required=False),
        Rule("header", _header, required=False),
    ),
)
WHATSAPP_CREATE_TEMPLATE = Endpoint(
    "whatsapp.create_template",
    "POST",
    "/whatsapp/templates",
    rules=(
        Rule("name", _template_name),
        Rule("language", _text),
        Rule("category", _category),
        Rule("waba_id", _waba_id),
        Rule("components", _components),
    ),
)

_sent = decoder(SentMessage)
_template = decoder(WhatsAppTemplate)


def _parameter_object(parameters: Any) -> Any:
    """`parameters` as the API takes them: a sequence of values becomes `{"field1": ...,
    "field2": ...}`; a mapping (or anything else, for the rule to judge) goes as given."""
    if isinstance(parameters, Sequence) and not isinstance(parameters, (str, bytes)):
        return {f"field{number}": value for number, value in enumerate(parameters, 1)}
    return dict(parameters) if isinstance(parameters, Mapping) else parameters


class Sms(Resource):
    """Text messages sent by an agent: `send`."""

    __slots__ = ()

    async def send(
        self,
        *,
        agent_id: str | Any,
        phone_number: str,
        message: str,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> SentMessage:
        """Send `message` (1 to 1,600 characters) by SMS to `phone_number` (E.164) from
        the agent `agent_id` (a UUID; the agent needs an SMS channel).

        All three are checked before sending: a `RequestValidationError` names the
        field (`agentId`, `phoneNumber` or `message`, the names on the wire) and, for
        a long message, the limit and its length. Returns a `SentMessage` with the
        `message_id` and `conversation_id`. Not retried on an unknown outcome: a retry
        could text the person twice.
        """
        result: SentMessage = await self._send(
            SMS_SEND,
            _sent,
            json={"agentId": _text_id(agent_id), "phoneNumber": phone_number, "message": message},
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        return result


class WhatsApp(Resource):
    """WhatsApp messages sent by an agent: `send_template`, and `create_template` to
    submit a template for Meta's review."""

    __slots__ = ()

    async def send_template(
        self,
        *,
        agent_id: str | Any,
        template_id: str | Any,
        phone_number: str,
        parameters: Mapping[str, Any] | Sequence[Any] | None = None,
        header: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> SentMessage:
        """Send the approved template `template_id` (its uuid, `WhatsAppTemplate.id`) to
        `phone_number` (E.164) from the agent `agent_id` (a UUID; the agent needs a
        WhatsApp channel).

        `parameters` fill the template's placeholders: a list (`["John", "#12345"]`
        fills {{1}} and {{2}}) or the API's own object (`{"field1": "John", ...}`).
        `header` is media for a media header: `{"type": "image" | "video" |
        "document", "url": "https://..."}`. Everything is checked before sending
        (`RequestValidationError` naming the field). Returns a `SentMessage` with
        the `message_id` (a `wamid.` id), `template_name` and `conversation_id`.
        """
        payload = fields(
            agentId=_text_id(agent_id),
            templateId=_text_id(template_id),
            phoneNumber=phone_number,
            parameters=None if parameters is None else _parameter_object(parameters),
            header=None if header is None else dict(header),
        )
        result: SentMessage = await self._send(
            WHATSAPP_SEND_TEMPLATE,
            _sent,
            json=payload,
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        return result

    async def create_template(
        self,
        *,
        name: str,
        language: str,
        category: TemplateCategory | str,
        waba_id: str | int,
        components: Sequence[Mapping[str, Any]],
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> WhatsAppTemplate:
        """Create a WhatsApp template and submit it to Meta under the WhatsApp Business
        Account `waba_id`.

        `name` is lowercase snake_case, 1 to 512 characters, unique per language in
        the account; `language` a Meta language tag ("en_US"); `category` a
        `TemplateCategory` or its name; `components` Meta's component objects
        (`[{"type": "BODY", "text": "Hi {{1}}"}]`). All are checked before sending.
        Returns the new `WhatsAppTemplate`; its `status` says whether Meta approved it.
        """
        payload = {
            "name": name,
            "language": language,
            "category": category.value if isinstance(category, TemplateCategory) else category,
            "waba_id": waba_id,
            "components": list(components) if isinstance(components, (list, tuple)) else components,
        }
        result: WhatsAppTemplate = await self._send(
            WHATSAPP_CREATE_TEMPLATE,
            _template,
            json=payload,
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        return result
