"""Codes for pipeline stages, outreach channels and the causes of transitions."""

from __future__ import annotations

from enum import IntEnum


class Stage(IntEnum):
    """Where a firm stands in the attraction pipeline of the city it is dealing with."""

    UNAWARE = 0
    AWARE = 1
    INSPECTING = 2
    NEGOTIATING = 3
    FRAMEWORK = 4
    CONTRACT = 5
    CONSTRUCTION = 6
    OPERATING = 7
    EXITED = 8
    LOST = 9
    REJECTED = 10


class Channel(IntEnum):
    """How a firm learned of a destination city."""

    NONE = 0
    OFFICE = 1
    CONFERENCE = 2
    REFERRAL = 3
    AGENT = 4
    PASSIVE = 5
    INCUMBENT = 6
    LEADERSHIP = 7  # the city's leaders visit major projects (一把手招商; mechanisms/projects.py)


class Cause(IntEnum):
    """Why a transition happened (recorded with every event)."""

    OUTREACH = 0
    CHOSE = 1
    CONVERTED = 2
    FELL_THROUGH = 3
    SCREENED_POLLUTION = 4
    SCREENED_ENERGY = 5
    SCREENED_TAX = 6
    SCREENED_TECH = 7
    NO_LAND = 8
    STARTED = 9
    COMPLETED = 10
    DISSATISFIED = 11
    STAYED_HOME = 12
    SEEDED = 13
    CONFERENCE_SIGNING = 14
    PROMISE_BROKEN = 15
    REPLACED = 16
    RIVAL_BID = 17  # a rival city's bid took a major project (model/mechanisms/projects.py)


STAGE_NAMES = [s.name.lower() for s in Stage]
CHANNEL_NAMES = [c.name.lower() for c in Channel]
CAUSE_NAMES = [c.name.lower() for c in Cause]

#: Stages in which a firm is in a city's pipeline before operating.
PIPELINE = (
    Stage.INSPECTING,
    Stage.NEGOTIATING,
    Stage.FRAMEWORK,
    Stage.CONTRACT,
    Stage.CONSTRUCTION,
)
