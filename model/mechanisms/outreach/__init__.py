"""Outreach channels: how firms learn of a destination city.

Resident offices visit firms of their region and target sectors; promotion conferences bring
invitees on a date; satisfied tenants refer partners along supply-chain and home-region ties;
entrusted agents contact firms anywhere; and searching firms learn of cities unprompted at
each city's visibility (less so the stronger the information frictions). A proactive channel
visits a firm that is already looking for a site with a probability that grows with the
staff's targeting skill, and may prompt one that was not to consider moving.

Each city approaches firms in a fixed order of keyed priority, so more effort reaches a
superset of the same firms.

The per-firm work of each channel (which firms a city can still approach, which of them it
reaches, who learns unprompted, whom a referrer names) runs in compiled kernels (the
functions decorated with ``njit``). Offices, agents and passive inquiries are one compiled
call a month each (``*_step``), which also has the firms learn of the cities
(``awareness.learn``) and adds the channel's costs; their arguments are built once per run
(``*_args``, which also build the directories the channel needs). Referrals (:func:`refer`)
are called by the compiled month of retention. Conferences, whose invitees choose at once,
contact and inform (``m.inform``) one conference at a time.
"""

from .agents import agent_pointers, agents_args, agents_step
from .conferences import conferences, reach
from .directory import Directories, Directory
from .offices import office_pointers, offices_args, offices_step
from .passive import passive_args, passive_step
from .referrals import refer, referral_args

__all__ = [
    "Directories",
    "Directory",
    "agent_pointers",
    "agents_args",
    "agents_step",
    "conferences",
    "office_pointers",
    "offices_args",
    "offices_step",
    "passive_args",
    "passive_step",
    "reach",
    "refer",
    "referral_args",
]
