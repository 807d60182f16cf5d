"""Supply-chain clustering: the benefit a park offers a sector through co-located firms.

A firm of sector ``s`` in park ``p`` benefits from same-sector firms, from suppliers (sectors
``s`` buys from, through the input-output matrix), from customers (sectors that buy from ``s``)
and, if the park's focus includes ``s``, from the facilities the park built for its focus
sectors (``supply_chain.focus_anchor``, counted as that many same-sector firms). Their weighted
count ``x`` is the park's effective cluster for the sector::

    x[p, s] = anchor * fit[p, s] + same * n[p, s]
              + suppliers * sum_t io[s, t] n[p, t] + customers * sum_t io[t, s] n[p, t]

The benefit is ``ln(1 + x / scale)`` by default (logarithmic: a constant elasticity of the
benefit to the size of the cluster, the form of the agglomeration literature, so a park with
ten times the linked firms keeps gaining on one with fewer, however large both are),
``x / (x + scale)`` (diminishing, bounded by 1), ``x / scale`` (linear: unbounded increasing
returns, Arthur's case) or off. Congestion raises the land price with occupancy.

In money, the benefit is a productivity gain: a firm of annual output ``Y`` gains
``Y * (beta_cluster / beta_cost) * benefit`` yuan a year (the weights of
``behaviour``; at 1.2 / 12, 6.9% of output per doubling of a large cluster, within the 3-8% per
doubling of Rosenthal and Strange 2004), and it enters a money-valued utility as that many
yuan of lower cost.

The element-wise arithmetic (weighted count, benefit, a park government's matchmaking boost and
the cap) runs in one compiled pass, :func:`fill_cluster_benefit`, which the monthly park terms
of :mod:`zhaoshang.model.mechanisms.choice` call from their own kernel, after the two matrix
products of :func:`linked_firms` (compiled too, through the same BLAS as NumPy's, so with its
rounding).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ...scenarios.schema import SupplyChain

#: Codes of ``SupplyChain.returns`` for the kernel.
OFF, LINEAR, DIMINISHING, LOGARITHMIC = 0, 1, 2, 3
RETURNS = {"off": OFF, "linear": LINEAR, "diminishing": DIMINISHING, "logarithmic": LOGARITHMIC}


@njit(cache=True, error_model="numpy")
def fill_cluster_benefit(
    tenants: np.ndarray,
    suppliers: np.ndarray,
    customers: np.ndarray,
    anchor: np.ndarray,
    same: float,
    sup: float,
    cust: float,
    returns: int,
    scale: float,
    matchmaking: np.ndarray,
    cap: float,
    out: np.ndarray,
) -> None:
    """Weighted count, benefit, matchmaking boost and cap of every (park, sector), in place.

    Args:
        tenants: Operating firms per (park, sector), shape (P, S).
        suppliers: ``tenants @ io.T``, firms of the sectors each sector buys from.
        customers: ``tenants @ io``, firms of the sectors that buy from each sector.
        anchor: Firm-equivalents of each park's focus facilities per (park, sector)
            (:func:`focus_anchor`).
        same: Weight of same-sector firms.
        sup: Weight of suppliers.
        cust: Weight of customers.
        returns: ``OFF``, ``LINEAR``, ``DIMINISHING`` or ``LOGARITHMIC``.
        scale: Scale of the benefit function.
        matchmaking: Per-park matchmaking; the benefit is multiplied by ``1 + matchmaking``.
        cap: Upper bound of the result (``inf`` for none).
        out: Array (P, S) receiving the result.
    """
    for p in range(out.shape[0]):
        boost = 1.0 + matchmaking[p]
        for s in range(out.shape[1]):
            if returns == OFF:
                value = 0.0
            else:
                value = (
                    anchor[p, s]
                    + same * tenants[p, s]
                    + sup * suppliers[p, s]
                    + cust * customers[p, s]
                )
                if returns == LINEAR:
                    value = value / scale
                elif returns == DIMINISHING:
                    value = value / (value + scale)
                else:
                    value = math.log1p(value / scale)
            value = value * boost
            if value > cap:
                value = cap
            out[p, s] = value


def focus_anchor(park_fit: np.ndarray, spec: SupplyChain) -> np.ndarray:
    """Firm-equivalents of the facilities of each park for each sector: ``anchor * fit``."""
    return np.ascontiguousarray(float(spec.focus_anchor) * np.asarray(park_fit, dtype=float))


@njit(cache=True)
def linked_firms(tenants: np.ndarray, io: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Firms of the sectors each sector buys from (suppliers) and sells to (customers).

    The products go to BLAS as NumPy's ``@`` does, so their rounding is NumPy's.

    Args:
        tenants: Operating firms per (park, sector), shape (P, S), float.
        io: Input-output links, ``io[s, t]`` = how strongly ``s`` buys from ``t``, float.

    Returns:
        (suppliers, customers), each (P, S): ``tenants @ io.T`` and ``tenants @ io``.
    """
    return np.dot(tenants, io.T), np.dot(tenants, io)


def cluster_benefit(
    tenants: np.ndarray, io: np.ndarray, spec: SupplyChain, park_fit: np.ndarray | None = None
) -> np.ndarray:
    """Cluster benefit per (park, sector): ``ln(1+x/scale)``, ``x/(x+scale)``, ``x/scale`` or 0.

    :func:`fill_cluster_benefit` of ``tenants`` without matchmaking or cap; ``park_fit`` (P, S)
    marks each park's focus sectors (none if not given).
    """
    tenants = np.ascontiguousarray(tenants, dtype=float)
    out = np.empty(tenants.shape)
    fit = np.zeros(tenants.shape) if park_fit is None else park_fit
    fill_cluster_benefit(
        tenants,
        *linked_firms(tenants, np.ascontiguousarray(io, dtype=float)),
        focus_anchor(fit, spec),
        float(spec.same_sector),
        float(spec.suppliers),
        float(spec.customers),
        RETURNS[spec.returns],
        float(spec.scale),
        np.zeros(len(tenants)),
        np.inf,
        out,
    )
    return out


@njit(cache=True)
def congested(base: float, occupancy: float, congestion: float) -> float:
    """Land price after congestion of one park (occupancy clipped to [0, 1]), for kernels."""
    share = min(max(occupancy, 0.0), 1.0)
    return base * (1.0 + congestion * (share * share))


@njit(cache=True)
def _congested_prices(
    base: np.ndarray, occupancy: np.ndarray, congestion: float, out: np.ndarray
) -> None:
    """:func:`congested` of every element, into ``out``."""
    for p in range(out.size):
        out[p] = congested(base[p], occupancy[p], congestion)


def congested_price(base: np.ndarray, occupancy: np.ndarray, congestion: float) -> np.ndarray:
    """Land price after congestion: ``base * (1 + congestion * occupancy**2)``.

    Occupancy is clipped to [0, 1]; ``base`` and ``occupancy`` broadcast.
    """
    base, occupancy = np.broadcast_arrays(np.asarray(base, float), np.asarray(occupancy, float))
    out = np.empty(base.shape)
    _congested_prices(base.ravel(), occupancy.ravel(), float(congestion), out.reshape(-1))
    return out


def supplier_customer_links(tenants: np.ndarray, io: np.ndarray) -> float:
    """Number of co-located (supplier, customer) firm pairs linked by the input-output matrix."""
    linked = (io > 0).astype(float)
    return float(np.einsum("ps,st,pt->", tenants, linked, tenants))
