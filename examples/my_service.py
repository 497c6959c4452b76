"""An example service function built on mindhunters-async: the code under test."""

from __future__ import annotations

import mindhunters_async as mh


async def remind_customer(
    client: mh.AsyncMindhunters, agent_id: str, phone: str, order_id: str
) -> str:
    """Have the agent call the customer about an order; return the call id, or "" when the
    number is unusable. An unknown outcome is reported, not retried: never ring twice."""
    try:
        call = await client.calls.create(
            agent_id=agent_id,
            participant=mh.Participant(number=phone, about=f"Order {order_id} is ready"),
            message=mh.Message(start="Hi! Your order is ready for pickup."),
            idempotency_key=f"remind-{order_id}",
        )
    except mh.RequestValidationError:
        return ""
    return call.id
