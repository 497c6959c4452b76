"""client.phone_numbers.trunks and client.sip_trunks: external SIP trunks,
bring-your-own numbers, SIP trunk connections.

SIP credentials (`password`, the `sip` mapping's `password` and `username`) are
secrets: sent, never returned by the API, and never shown by the SDK (no model
field holds them; a check that refuses one does not quote it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._converter import decoder
from .._exceptions import ErrorCode, RequestValidationError
from .._models.telephony import SipTrunkConnection, Trunk
from .._pagination import AsyncPager
from .._pipeline import Endpoint, Rule
from .._validators import validate_e164, validate_uuid
from ._base import Resource, fields, paging_rules

__all__ = ["SipTrunks", "Trunks"]

_CHANNELS = ("call", "whatsapp")
_DIRECTIONS = ("inbound", "outbound", "both")


def _one_of(choices: tuple[str, ...]) -> Any:
    def check(value: object, field: str) -> None:
        if value not in choices:
            shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
            raise RequestValidationError(
                field,
                ErrorCode.VALIDATION_ERROR,
                f"{field} must be one of {', '.join(choices)}, got {shown}",
            )

    return check


def _text(limit: int) -> Any:
    """A check of a non-empty string of at most `limit` characters. Its message never
    quotes the value: for a SIP username or password it is a secret."""

    def check(value: object, field: str) -> None:
        problem = None
        if not isinstance(value, str) or not value.strip():
            problem = "must be a non-empty string"
        elif len(value) > limit:
            problem = f"must be at most {limit} characters, got {len(value)}"
        if problem is not None:
            raise RequestValidationError(field, ErrorCode.VALIDATION_ERROR, f"{field} {problem}")

    return check


def _host(value: object, field: str) -> None:
    # The docs: "Not a phone number, not a URL with scheme, just the host".
    _text(255)(value, field)
    assert isinstance(value, str)
    if "://" in value or "/" in value or any(c.isspace() for c in value):
        raise RequestValidationError(
            field,
            ErrorCode.INVALID_FORMAT,
            f"{field} must be the SIP server's host name or IP (such as sip.example.com),"
            " without a scheme, path or spaces",
        )


def _sip(value: object, field: str) -> None:
    if not isinstance(value, Mapping):
        raise RequestValidationError(
            field,
            ErrorCode.VALIDATION_ERROR,
            f"{field} must be a mapping of gateway, port, username, password, secondary_gateway",
        )
    for key in ("gateway", "secondary_gateway"):
        # An empty string clears the value on update: only a non-empty one is a host.
        if value.get(key):
            _host(value[key], f"{field}.{key}")
    port = value.get("port")
    if port is not None and (
        isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535
    ):
        raise RequestValidationError(
            f"{field}.port", ErrorCode.VALIDATION_ERROR, f"{field}.port must be from 1 to 65535"
        )


_CHANNEL = Rule("channel", _one_of(_CHANNELS))
_NUMBER = Rule("phone_number", validate_e164)
_TRUNK_SETTINGS = (
    Rule("direction", _one_of(_DIRECTIONS), required=False),
    Rule("sip", _sip, required=False),
)

TRUNKS_LIST = Endpoint(
    "phone_numbers.trunks.list", "GET", "/phone-numbers/trunks", rules=paging_rules(100)
)
TRUNKS_REGISTER = Endpoint(
    "phone_numbers.trunks.register",
    "POST",
    "/phone-numbers/trunks",
    rules=(_NUMBER, Rule("agent_uuid", validate_uuid), _CHANNEL, *_TRUNK_SETTINGS),
)
TRUNKS_UPDATE = Endpoint(
    "phone_numbers.trunks.update",
    "PATCH",
    "/phone-numbers/trunks",
    rules=(_NUMBER, _CHANNEL, *_TRUNK_SETTINGS),
)
# Inferred (the page's path was not visible): correcting it is a one-line change here.
TRUNKS_DELETE = Endpoint(
    "phone_numbers.trunks.delete",
    "DELETE",
    "/phone-numbers/trunks",
    rules=(
        Rule("phone_number", validate_e164, "params"),
        Rule("channel", _one_of(_CHANNELS), "params"),
    ),
    source="inferred",
)
TRUNKS_ASSIGN = Endpoint(
    "phone_numbers.trunks.assign",
    "PUT",
    "/phone-numbers/trunks/assign",
    rules=(_NUMBER, _CHANNEL, Rule("agent_uuid", validate_uuid)),
)
SIP_TRUNKS_ADD_CONNECTION = Endpoint(
    "sip_trunks.add_connection",
    "POST",
    "/channels/sip-trunk/connections",
    rules=(
        Rule("name", _text(255)),
        Rule("phone_number", validate_e164),
        Rule("gateway", _host),
        Rule("username", _text(255)),
        Rule("password", _text(255)),
        Rule("secondary_gateway", _host, required=False),
    ),
)

_trunk = decoder(Trunk)
_connection = decoder(SipTrunkConnection)


def _mapping(value: Any) -> Any:
    # A copy, so that a caller's mapping is never changed; anything else is passed
    # on for the endpoint's rules to refuse.
    return dict(value) if isinstance(value, Mapping) else value


def _text_id(value: Any) -> Any:
    # A uuid.UUID goes into the JSON body as its string; anything else as given,
    # for the endpoint's rules to judge.
    return value if value is None or isinstance(value, str) else str(value)


class Trunks(Resource):
    """External SIP trunks / bring-your-own numbers: numbers you own elsewhere,
    registered on one channel ("call" or "whatsapp") for one agent. A trunk is
    identified by its `phone_number` (E.164) and `channel`; SMS is not a trunk
    channel (bind SMS through `client.agents.channels`)."""

    __slots__ = ()

    def list(
        self,
        *,
        per_page: int | None = None,
        page: int = 1,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> AsyncPager[Trunk]:
        """The external trunks: `await` for one `Page`, `async for` for every trunk.
        `per_page` is at most 100."""
        return self._pager(
            TRUNKS_LIST,
            Trunk,
            page=page,
            per_page=per_page,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )

    async def register(
        self,
        *,
        phone_number: str,
        agent_uuid: str | Any,
        channel: str,
        name: str | None = None,
        direction: str | None = None,
        sip: Mapping[str, Any] | None = None,
        additional_settings: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Trunk:
        """Register `phone_number` (E.164, owned elsewhere) on `channel` ("call" or
        "whatsapp") for the agent `agent_uuid`: all checked before sending.

        `direction` ("inbound", "outbound", "both"; the call channel's) and `sip`
        (`gateway`, `port`, `username`, `password`, `secondary_gateway`: stored
        encrypted, never returned) are optional. The number must not be bought from
        the workspace or already bound on that channel (`UnprocessableEntityError`
        otherwise). Returns the trunk with its per-channel snapshot (`channels`).
        """
        payload = fields(
            phone_number=phone_number,
            agent_uuid=_text_id(agent_uuid),
            channel=channel,
            name=name,
            direction=direction,
            sip=_mapping(sip),
            additional_settings=additional_settings,
        )
        result: Trunk = await self._send(
            TRUNKS_REGISTER,
            _trunk,
            json=payload,
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        return result

    async def update(
        self,
        *,
        phone_number: str,
        channel: str,
        name: str | None = None,
        direction: str | None = None,
        sip: Mapping[str, Any] | None = None,
        additional_settings: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Trunk:
        """Change the trunk of `phone_number` on `channel` (they identify it, and do
        not change). Only the fields given are sent: `sip` touches only the keys it
        holds (an empty string clears a credential); `additional_settings` replaces
        the stored object. Returns the trunk as updated; `NotFoundError` when there is
        no such trunk.
        """
        payload = fields(
            phone_number=phone_number,
            channel=channel,
            name=name,
            direction=direction,
            sip=_mapping(sip),
            additional_settings=additional_settings,
        )
        result: Trunk = await self._send(
            TRUNKS_UPDATE,
            _trunk,
            json=payload,
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        return result

    async def delete(
        self,
        *,
        phone_number: str,
        channel: str,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> None:
        """Delete the trunk of `phone_number` (E.164) on `channel` ("call" or
        "whatsapp"), both sent in the query. Inferred path: `DELETE
        /phone-numbers/trunks?phone_number=...&channel=...`. `NotFoundError` when there
        is no such trunk."""
        await self._send(
            TRUNKS_DELETE,
            None,
            params={"phone_number": phone_number, "channel": channel},
            extra_headers=extra_headers,
            extra_query=extra_query,
        )

    async def assign(
        self,
        *,
        phone_number: str,
        channel: str,
        agent_uuid: str | Any,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Trunk:
        """(Re)assign the trunk of `phone_number` on `channel` to the agent
        `agent_uuid` (a UUID, checked before sending). The number, SIP credentials
        and channel settings stay; only the agent changes (once per channel for a
        number on several). Returns the trunk with its per-channel snapshot."""
        result: Trunk = await self._send(
            TRUNKS_ASSIGN,
            _trunk,
            json={
                "phone_number": phone_number,
                "channel": channel,
                "agent_uuid": _text_id(agent_uuid),
            },
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        return result


class SipTrunks(Resource):
    """SIP trunk connections: `add_connection` registers your SIP provider's server
    and credentials; route an agent's calls through one with
    `client.agents.channels`."""

    __slots__ = ()

    async def add_connection(
        self,
        *,
        name: str,
        phone_number: str,
        gateway: str,
        username: str,
        password: str,
        secondary_gateway: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> SipTrunkConnection:
        """Add a SIP trunk connection called `name` (at most 255 characters) for
        `phone_number` (E.164), through the SIP server `gateway` (a host name or IP
        such as "sip.telnyx.com", no scheme), with `secondary_gateway` as a fallback.

        `username` and `password` (at most 255 characters each) are secrets: the
        API never returns them, and the SDK never puts them in a repr, a log
        record or an error message. Returns the new connection; its `id` is what
        an agent's SIP trunk assignment takes.
        """
        payload = fields(
            name=name,
            phone_number=phone_number,
            gateway=gateway,
            username=username,
            password=password,
            secondary_gateway=secondary_gateway,
        )
        result: SipTrunkConnection = await self._send(
            SIP_TRUNKS_ADD_CONNECTION,
            _connection,
            json=payload,
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        return result
