"""Supply-chain clustering: the benefit a park offers a sector through co-located firms.

A firm of sector ``s`` in park ``p`` benefits from same-sector firms, from suppliers (sectors
``s`` buys from, through the input-output matrix) and from customers (sectors that buy from
``s``). The benefit is a diminishing function of the weighted count by default, a linear and
unbounded one to study increasing returns, or off. Congestion raises the land price with
occupancy.

The element-wise arithmetic (weighted count, benefit, a park government's matchmaking boost and
the cap) runs in one compiled pass, :func:`fill_cluster_benefit`, which the monthly park terms
of :mod:`zhaoshang.model.mechanisms.choice` call from their own kernel, after the two matrix
products of :func:`linked_firms` (compiled too, through the same BLAS as NumPy's, so with its
rounding).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ...scenarios.schema import SupplyChain

#: Codes of ``SupplyChain.returns`` for the kernel.
OFF, LINEAR, DIMINISHING = 0, 1, 2
RETURNS = {"off": OFF, "linear": LINEAR, "diminishing": DIMINISHING}


@njit(cache=True, error_model="numpy")
def fill_cluster_benefit(
    tenants: np.ndarray,
    suppliers: np.ndarray,
    customers: np.ndarray,
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
        same: Weight of same-sector firms.
        sup: Weight of suppliers.
        cust: Weight of customers.
        returns: ``OFF``, ``LINEAR`` or ``DIMINISHING``.
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
                value = same * tenants[p, s] + sup * suppliers[p, s] + cust * customers[p, s]
                if returns == LINEAR:
                    value = value / scale
                elif returns == DIMINISHING:
                    value = value / (value + scale)
            value = value * boost
            if value > cap:
                value = cap
            out[p, s] = value


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


def cluster_benefit(tenants: np.ndarray, io: np.ndarray, spec: SupplyChain) -> np.ndarray:
    """Cluster benefit per (park, sector): ``x/(x+scale)``, ``x/scale`` or zero.

    :func:`fill_cluster_benefit` of ``tenants`` without matchmaking or cap.
    """
    tenants = np.ascontiguousarray(tenants, dtype=float)
    out = np.empty(tenants.shape)
    fill_cluster_benefit(
        tenants,
        *linked_firms(tenants, np.ascontiguousarray(io, dtype=float)),
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
