"""Referrals: satisfied tenants name partners along supply-chain and home-region ties.

Whether a tenant refers a partner this month is drawn in retention's compiled month with the
probability :func:`referral_probability` of its satisfaction: it rises smoothly through
``behaviour.satisfied_level`` (a logistic of width ``behaviour.referral_spread``), so that
referrals fade by a gradient as satisfaction falls (less aftercare, a weaker cluster) rather
than stopping when it crosses the level; word of mouth rises with satisfaction (Anderson 1998).
:func:`refer` is called by the compiled month of retention; its arguments are built once per
run (:func:`referral_args`).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numba import njit

from ...plain import plain
from ...state.codes import Channel
from ...state.events import Ledger
from ...state.selection import Activity
from ...state.streams import Purpose, uniform_at
from ..awareness import Learners, learn, learners
from .common import PitchRule, approachable, city_pitch, trigger_salts

if TYPE_CHECKING:
    from ...model import AttractionModel

# plain ints, so that kernels see compile-time constants
_REFERRAL = int(Channel.REFERRAL)


@njit(cache=True, inline="always")
def referral_probability(satisfaction: float, rate: float, level: float, spread: float) -> float:
    """Monthly probability that a tenant of this satisfaction refers a partner.

    ``rate / (1 + exp(-(satisfaction - level) / spread))``: half the rate at ``level``, close
    to it well above; ``spread`` 0 gives the step (the rate above ``level``, none below).
    """
    if spread <= 0.0:
        return rate if satisfaction > level else 0.0
    return rate / (1.0 + math.exp(-(satisfaction - level) / spread))


@njit(cache=True)
def _referral_cdf(io: np.ndarray, suppliers: float, customers: float, same: float) -> np.ndarray:
    """Cumulative share of each sector's referrals by partner sector (rows end at 1).

    Sector ``s`` refers to its suppliers ``t`` with weight ``suppliers * io[s, t]``, to its
    customers with weight ``customers * io[t, s]`` and to itself with weight ``same``.

    Args:
        io: The input-output matrix (``World.io``).
        suppliers: Weight of supplier links.
        customers: Weight of customer links.
        same: Weight of the own sector.
    """
    n = io.shape[0]
    cum = np.empty((n, n))
    for s in range(n):
        total = 0.0
        for t in range(n):
            total += suppliers * io[s, t] + customers * io[t, s] + same * (1.0 if s == t else 0.0)
            cum[s, t] = total
        for t in range(n):
            cum[s, t] /= total
    return cum


@njit(cache=True)
def _referral_partners(
    referrers: np.ndarray,
    city: int,
    salt_sector: np.uint64,
    salt_partner: np.uint64,
    cum: np.ndarray,
    order: np.ndarray,
    bounds: np.ndarray,
    firm_city: np.ndarray,
    region: np.ndarray,
    sector: np.ndarray,
    known: np.ndarray,
    stage: np.ndarray,
    excluded: np.ndarray,
) -> np.ndarray:
    """The partners named by the referrers located in ``city`` that it can still approach.

    Each referrer draws a partner sector in proportion to its supply-chain links
    (:func:`_referral_cdf`), then a partner at random within its (home region, partner sector)
    group of the city's directory; an empty group names no one.

    Args:
        referrers: Ids of this month's referrers (of all cities).
        city: The city whose referrers are handled.
        salt_sector: Salt of the partner-sector draw (purpose REFERRAL_TARGET, this month).
        salt_partner: Salt of the partner draw (purpose REFERRAL_PARTNER, this month).
        cum: Cumulative share of each sector's referrals by partner sector.
        order: The city's candidates by (region, sector) group (``Directory.order``).
        bounds: Where each group starts in ``order`` (``Directory.bounds``).
        firm_city: The ``city`` column.
        region: The ``region`` column.
        sector: The ``sector`` column.
        known: The ``known`` column.
        stage: The ``stage`` column.
        excluded: The ``excluded`` column.

    Returns:
        The partners, in the order of ``referrers`` (with repeats).
    """
    n_sectors = cum.shape[1]
    partners = np.empty(referrers.size, dtype=np.int64)
    n = 0
    for i in range(referrers.size):
        firm = referrers[i]
        if firm_city[firm] != city:
            continue
        u = uniform_at(salt_sector, np.uint64(firm))
        target = 0
        for t in range(n_sectors):
            if u > cum[sector[firm], t]:
                target += 1
        group = np.int64(region[firm]) * n_sectors + min(target, n_sectors - 1)
        lo, hi = bounds[group], bounds[group + 1]
        if hi <= lo:
            continue
        pick = uniform_at(salt_partner, np.uint64(firm))
        partner = order[lo + np.int64(np.floor(pick * (hi - lo)))]
        if approachable(known[partner, city], stage[partner], excluded[partner, city]):
            partners[n] = partner
            n += 1
    return partners[:n]


@njit(cache=True)
def refer(month: int, referrers: np.ndarray, args: tuple, activity: tuple, ledger: tuple) -> None:
    """Referrers name partners (:func:`_referral_partners`), who learn of their city.

    Only referrers located in cities that use referrals count. Cities in ascending order;
    each city's partners learn of it once each, ascending.

    Args:
        month: The month.
        referrers: This month's referrers (of all cities).
        args: The fields of :class:`ReferralArgs` (:func:`referral_args`).
        activity: Fields of :class:`~zhaoshang.model.state.selection.Activity`.
        ledger: Fields of :class:`~zhaoshang.model.state.events.Ledger`, with room for
            ``referrers``.
    """
    a = ReferralArgs(*args)
    firm_city, region, sector, excluded = a.city, a.region, a.sector, a.excluded
    keep = np.empty(referrers.size, dtype=np.bool_)
    for k in range(referrers.size):
        keep[k] = a.uses[firm_city[referrers[k]]]
    referrers = referrers[keep]
    if referrers.size == 0:
        return
    f, act, log = Learners(*a.learners), Activity(*activity), Ledger(*ledger)
    for c in np.unique(firm_city[referrers]):
        partners = _referral_partners(
            referrers, c, a.sector_salts[month, 0], a.partner_salts[month, 0], a.cum, a.order[c],
            a.bounds, firm_city, region, sector, f.known, f.stage, excluded,
        )
        pitch = city_pitch(month, a.salts[month, c], a.rule)
        learn(np.unique(partners), c, _REFERRAL, f, pitch, act, log)


class ReferralArgs(NamedTuple):
    """What :func:`refer` reads and writes, for the whole run."""

    uses: np.ndarray  # whether each city uses referrals
    sector_salts: np.ndarray  # of the partner-sector draws by month (REFERRAL_TARGET, one column)
    partner_salts: np.ndarray  # of the partner draws by month (REFERRAL_PARTNER, one column)
    cum: np.ndarray  # each sector's cumulative share of referrals by partner sector
    order: np.ndarray  # each city's ``Directory.order`` (``Directories.order``)
    bounds: np.ndarray  # where each group starts in it (``Directories.bounds``)
    city: np.ndarray  # firm columns
    region: np.ndarray
    sector: np.ndarray
    excluded: np.ndarray  # (n, C)
    salts: np.ndarray  # of pitch draws by month and city (purpose TRIGGER)
    rule: tuple  # the fields of ``common.PitchRule``
    learners: tuple  # the fields of ``awareness.Learners``


def referral_args(m: AttractionModel) -> tuple:
    """What :func:`refer` reads and writes, built once per run (see its ``args``).

    The directories of the cities that use referrals are built here.
    """
    return m.kept("referrals", lambda: _referral_args(m))


def _referral_args(m: AttractionModel) -> tuple:
    """:func:`referral_args`, built."""
    f, sc, directories = m.firms, m.spec.supply_chain, m.directories
    directories.build(np.flatnonzero(m.policy.referrals))
    weights = (float(sc.suppliers), float(sc.customers), max(float(sc.same_sector), 1e-9))
    months = m.horizon + 1
    return plain(ReferralArgs(
        uses=m.policy.referrals,
        sector_salts=m.streams.table(Purpose.REFERRAL_TARGET, months),
        partner_salts=m.streams.table(Purpose.REFERRAL_PARTNER, months),
        cum=_referral_cdf(m.world.io, *weights), order=directories.order,
        bounds=directories.bounds, city=f.city, region=f.region, sector=f.sector,
        excluded=f.excluded, salts=trigger_salts(m), rule=referral_rule(m), learners=learners(m),
    ))


def referral_rule(m: AttractionModel) -> tuple:
    """The fields of the :class:`PitchRule` of a referral: a warmer prompt than a cold visit."""
    b = m.spec.behaviour
    return tuple(PitchRule(
        probability=float(b.referral_trigger), search_months=int(b.search_months)
    ))
