"""client.phone_numbers: owned numbers, buying them, rates."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._converter import decoder
from .._models.phone_numbers import PhoneNumber, PhoneNumberRate
from .._pagination import AsyncPager
from .._pipeline import Endpoint, Rule
from .._validators import validate_e164
from ._base import Resource, paging_rules, uuid_path, with_id
from .telephony import Trunks

__all__ = ["PhoneNumbers"]

LIST = Endpoint("phone_numbers.list", "GET", "/phone-numbers", rules=paging_rules(100))
BUY = Endpoint(
    "phone_numbers.buy",
    "POST",
    "/phone-numbers",
    rules=(Rule("phone_number", validate_e164, required=False),),
)
UPDATE = Endpoint(
    "phone_numbers.update",
    "PATCH",
    "/phone-numbers/{phone_number_id}",
    rules=uuid_path("phone_number_id"),
)
RATES = Endpoint("phone_numbers.rates", "GET", "/phone-numbers/rates", rules=paging_rules(200))

_phone_number = decoder(PhoneNumber)


class PhoneNumbers(Resource):
    """The workspace's phone numbers: `list` the owned ones, `buy` one, `update` its
    channel settings; `rates` pages through the outbound rates."""

    __slots__ = ()

    @property
    def trunks(self) -> Trunks:
        """External SIP trunks and bring-your-own numbers."""
        return Trunks(self._client, raw=self._raw)

    def list(
        self,
        *,
        per_page: int | None = None,
        page: int = 1,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> AsyncPager[PhoneNumber]:
        """The numbers the workspace owns: `await` for one `Page`, `async for` for
        every number. `per_page` is at most 100."""
        return self._pager(
            LIST,
            PhoneNumber,
            page=page,
            per_page=per_page,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )

    async def buy(
        self,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> PhoneNumber:
        """Buy a phone number; the keyword fields are sent as given (the docs do not
        list them: `phone_number="+14155552671"` is checked as E.164 before sending).

        Beyond the workspace's purchase limit the API answers 403: a
        `PermissionDeniedError` whose `body["data"]` holds `error`
        ("purchase_limit_reached"), `limit` and `current`. This POST is not retried
        on an unknown outcome: `list` shows whether the number was bought.
        """
        result: PhoneNumber = await self._send(
            BUY,
            _phone_number,
            json=dict(fields),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        return result

    async def update(
        self,
        phone_number_id: str | Any,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> PhoneNumber:
        """Change the channel settings of the owned number `phone_number_id` (its
        uuid, `PhoneNumber.id`, not the number itself); a PATCH: only the given
        fields change."""
        result: PhoneNumber = await self._send(
            UPDATE,
            with_id(PhoneNumber, phone_number_id),
            path={"phone_number_id": phone_number_id},
            json=dict(fields),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        return result

    def rates(
        self,
        *,
        per_page: int | None = None,
        page: int = 1,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> AsyncPager[PhoneNumberRate]:
        """The outbound rates: `await` for one `Page`, `async for` for every rate.
        `per_page` is at most 200 (the server's default is 50)."""
        return self._pager(
            RATES,
            PhoneNumberRate,
            page=page,
            per_page=per_page,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )
