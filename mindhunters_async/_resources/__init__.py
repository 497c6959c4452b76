"""Resources: one module per group of operations, each a thin layer over `Resource._send`."""

from .agents import Agents, AgentWebhooks
from .analytics import Analytics
from .calls import Calls
from .campaigns import Campaigns, Rules, Tasks
from .contacts import Contacts, Pools
from .conversations import Conversations
from .phone_numbers import PhoneNumbers

__all__ = [
    "AgentWebhooks",
    "Agents",
    "Analytics",
    "Calls",
    "Campaigns",
    "Contacts",
    "Conversations",
    "PhoneNumbers",
    "Pools",
    "Rules",
    "Tasks",
]
