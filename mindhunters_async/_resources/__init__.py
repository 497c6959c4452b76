"""Resources: one module per group of operations, each a thin layer over `Resource._send`."""

from .agent_sections import (
    AgentGuardRules,
    AgentGuidelines,
    AgentNotes,
    AgentProcedures,
    AgentRoutingRules,
    AgentTraining,
)
from .agent_setup import AgentChannels, AgentIntents
from .agents import Agents, AgentWebhooks
from .analytics import Analytics
from .calls import Calls
from .campaigns import Campaigns, Rules, Tasks
from .contacts import Contacts, Pools
from .conversations import Conversations
from .datasets import Datasets
from .evaluations import Analyzers, Evaluations
from .flows import Flows
from .listings import Listings
from .messaging import Sms, WhatsApp
from .phone_numbers import PhoneNumbers
from .scheduling import AppointmentRequests, Appointments, Schedules
from .search import AgenticSearch
from .telephony import SipTrunks, Trunks
from .transcriptions import Transcriptions
from .webhooks import Webhooks

__all__ = [
    "AgentChannels",
    "AgentGuardRules",
    "AgentGuidelines",
    "AgentIntents",
    "AgentNotes",
    "AgentProcedures",
    "AgentRoutingRules",
    "AgentTraining",
    "AgentWebhooks",
    "AgenticSearch",
    "Agents",
    "Analytics",
    "Analyzers",
    "AppointmentRequests",
    "Appointments",
    "Calls",
    "Campaigns",
    "Contacts",
    "Conversations",
    "Datasets",
    "Evaluations",
    "Flows",
    "Listings",
    "PhoneNumbers",
    "Pools",
    "Rules",
    "Schedules",
    "SipTrunks",
    "Sms",
    "Tasks",
    "Transcriptions",
    "Trunks",
    "Webhooks",
    "WhatsApp",
]
