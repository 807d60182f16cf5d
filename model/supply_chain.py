"""Supply-chain clustering: the benefit a park offers a sector through co-located firms.

A firm of sector ``s`` in park ``p`` benefits from same-sector firms, from suppliers (sectors
``s`` buys from, through the input-output matrix) and from customers (sectors that buy from
``s``). The benefit is a diminishing function of the weighted count by default, a linear and
unbounded one to study increasing returns, or off. Congestion raises the land price with
occupancy.
"""

from __future__ import annotations

import numpy as np

from ..scenarios.schema import SupplyChain


def weighted_neighbours(tenants: np.ndarray, io: np.ndarray, spec: SupplyChain) -> np.ndarray:
    """Weighted count of related firms per (park, sector).

    Args:
        tenants: Operating firms per (park, sector), shape (P, S).
        io: Input-output links, ``io[s, t]`` = how strongly ``s`` buys from ``t``.
        spec: Weights of same-sector firms, suppliers and customers.

    Returns:
        Array (P, S).
    """
    suppliers = tenants @ io.T  # firms of the sectors that s buys from
    customers = tenants @ io  # firms of the sectors that buy from s
    return spec.same_sector * tenants + spec.suppliers * suppliers + spec.customers * customers


def cluster_benefit(tenants: np.ndarray, io: np.ndarray, spec: SupplyChain) -> np.ndarray:
    """Cluster benefit per (park, sector): ``x/(x+scale)``, ``x/scale`` or zero."""
    if spec.returns == "off":
        return np.zeros_like(tenants, dtype=float)
    x = weighted_neighbours(tenants, io, spec)
    if spec.returns == "linear":
        return x / spec.scale
    return x / (x + spec.scale)


def congested_price(base: np.ndarray, occupancy: np.ndarray, congestion: float) -> np.ndarray:
    """Land price after congestion: ``base * (1 + congestion * occupancy**2)``."""
    return base * (1.0 + congestion * np.clip(occupancy, 0, 1) ** 2)


def supplier_customer_links(tenants: np.ndarray, io: np.ndarray) -> float:
    """Number of co-located (supplier, customer) firm pairs linked by the input-output matrix."""
    linked = (io > 0).astype(float)
    return float(np.einsum("ps,st,pt->", tenants, linked, tenants))
