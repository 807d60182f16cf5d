"""Referrals: satisfied tenants name partners along supply-chain and home-region ties.

:func:`refer` is called by the compiled month of retention; its arguments are built once per
run (:func:`referral_args`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from ...state.codes import Channel
from ...state.events import Ledger
from ...state.selection import Activity
from ...state.streams import Purpose, uniform_at
from ..awareness import Learners, learn
from .common import approachable, city_pitch, pitch_rule, trigger_salts

if TYPE_CHECKING:
    from ...model import AttractionModel

# plain ints, so that kernels see compile-time constants
_REFERRAL = int(Channel.REFERRAL)


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
        args: Built by :func:`referral_args`: whether each city uses referrals, the salts of
            the partner-sector and partner draws by month (purposes REFERRAL_TARGET and
            REFERRAL_PARTNER, one column), each sector's cumulative share of referrals by
            partner sector (:func:`_referral_cdf`), each city's ``Directory.order``
            (:attr:`Directories.order`), where each group starts in it
            (:attr:`Directories.bounds`), the ``city``, ``region``, ``sector`` and
            ``excluded`` columns, the salts of pitch draws by month and city (purpose
            TRIGGER), the pitch rule and the fields of :class:`Learners`.
        activity: Fields of :class:`~zhaoshang.model.selection.Activity`.
        ledger: Fields of :class:`~zhaoshang.model.events.Ledger`, with room for
            ``referrers``.
    """
    (uses, sector_salts, partner_salts, cum, order, bounds, columns, salts, rule,
     learners) = args
    firm_city, region, sector, excluded = columns
    keep = np.empty(referrers.size, dtype=np.bool_)
    for k in range(referrers.size):
        keep[k] = uses[firm_city[referrers[k]]]
    referrers = referrers[keep]
    if referrers.size == 0:
        return
    f, act, log = Learners(*learners), Activity(*activity), Ledger(*ledger)
    for c in np.unique(firm_city[referrers]):
        partners = _referral_partners(
            referrers, c, sector_salts[month, 0], partner_salts[month, 0], cum, order[c],
            bounds, firm_city, region, sector, f.known, f.stage, excluded,
        )
        learn(np.unique(partners), c, _REFERRAL, f, city_pitch(month, salts[month, c], rule), act,
              log)


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
    return (
        m.policy.referrals, m.streams.table(Purpose.REFERRAL_TARGET, months),
        m.streams.table(Purpose.REFERRAL_PARTNER, months), _referral_cdf(m.world.io, *weights),
        directories.order, directories.bounds, (f.city, f.region, f.sector, f.excluded),
        trigger_salts(m), pitch_rule(m), m._learners,
    )
