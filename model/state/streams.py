"""Keyed random numbers: one draw per (seed, firm, month, purpose).

A counter-based hash (the SplitMix64 finaliser) turns the key into a uniform number. Because a
draw depends only on its key, changing a policy changes the fate of only the firms it touches:
the same firm in the same month faces the same dice in both arms of a paired comparison, and
the result does not depend on how many other draws were made before it.
"""

from __future__ import annotations

import math
from enum import IntEnum

import numpy as np
from numba import njit

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_TO_UNIT = 2.0**-53


class Purpose(IntEnum):
    """What a draw is for; each purpose is an independent stream."""

    SECTOR = 1
    REGION = 2
    SIZE = 3
    TECH = 4
    POLLUTION = 5
    MINDED = 6
    PRIORITY = 7
    TASTE = 8
    TRIGGER = 9
    PASSIVE = 10
    CONVERT = 11
    CONTRACT = 12
    DELAY = 13
    HOARD = 14
    EXIT = 15
    REINVEST = 16
    REFERRAL = 17
    HONOUR = 18
    TURNOVER = 19
    ALLOCATE = 20
    URN = 21
    ENERGY = 22
    REFERRAL_TARGET = 23
    LEAD = 24
    REFERRAL_PARTNER = 25
    LAND_INTENSITY = 26
    TAX_INTENSITY = 27
    # Major projects and city conferences (model/mechanisms/projects.py, conferences.py):
    # numbered from 40 so that purposes added elsewhere meanwhile do not collide.
    RIVAL_BID = 40
    RIVAL_OFFER = 41
    MAJOR_DELAY = 42
    CONFERENCE_LEAD = 43


def _mix(x: np.ndarray) -> np.ndarray:
    x = x ^ (x >> np.uint64(30))
    x = x * _M1
    x = x ^ (x >> np.uint64(27))
    x = x * _M2
    return x ^ (x >> np.uint64(31))


_MASK = (1 << 64) - 1
_SALT_BLOCK = 128  # months of salts computed at once (a ten-year run needs one block)


def _mix_int(x: int) -> int:
    """The same finaliser on a Python integer (for scalar keys)."""
    x &= _MASK
    x ^= x >> 30
    x = (x * 0xBF58476D1CE4E5B9) & _MASK
    x ^= x >> 27
    x = (x * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


@njit(cache=True, inline="always")
def _mix_scalar(x: np.uint64) -> np.uint64:
    x ^= x >> np.uint64(30)
    x *= _M1
    x ^= x >> np.uint64(27)
    x *= _M2
    return x ^ (x >> np.uint64(31))


@njit(cache=True, inline="always")
def uniform_at(salt: np.uint64, key: np.uint64) -> float:
    """The keyed uniform of one firm (``key``) under a salt from :meth:`KeyedStreams.salt`.

    For use inside compiled kernels; equal to ``KeyedStreams.uniform`` for the same key.
    """
    h = _mix_scalar(_mix_scalar(np.uint64(key) * _GOLDEN + salt))
    return (np.float64(h >> np.uint64(11)) + 0.5) * _TO_UNIT


@njit(cache=True)
def _uniform_salted(salt: np.uint64, ids: np.ndarray, out: np.ndarray) -> None:
    """Uniforms of ``ids`` under one salt (scalar month and extra), fused in one pass."""
    for i in range(ids.size):
        out[i] = uniform_at(salt, ids[i])


@njit(cache=True)
def _uniform_keyed(
    head: np.uint64, ids: np.ndarray, months: np.ndarray, extras: np.ndarray, out: np.ndarray
) -> None:
    """Uniforms of ``ids`` with a month and an extra key per element."""
    for i in range(ids.size):
        salt = _mix_scalar(head ^ (months[i] * _M1 + extras[i] * _M2 + np.uint64(1)))
        h = _mix_scalar(_mix_scalar(ids[i] * _GOLDEN + salt))
        out[i] = (np.float64(h >> np.uint64(11)) + 0.5) * _TO_UNIT


@njit(cache=True, inline="always")
def normal_at(first: np.uint64, second: np.uint64, key: np.uint64) -> float:
    """The keyed standard normal of one firm: Box-Muller on its uniforms under two salts.

    For use inside compiled kernels; the salts of a normal of ``purpose`` are
    ``salt(purpose, month, extra)`` and ``salt(purpose, month, extra + 7919)``.
    """
    u1, u2 = uniform_at(first, key), uniform_at(second, key)
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


def _as_words(x) -> np.ndarray:
    """A flat, contiguous uint64 copy-free view of integer keys (negative ones wrap)."""
    return np.ascontiguousarray(x, dtype=np.int64).ravel().view(np.uint64)


class KeyedStreams:
    """Uniform and Gumbel draws keyed by (purpose, id, month, extra).

    Args:
        key: A 64-bit key, drawn once from the model's generator.
    """

    def __init__(self, key: int):
        self.key = np.uint64(key)
        self._heads: dict[int, int] = {}
        self._salts: dict[tuple[int, int], np.ndarray] = {}
        self._salt_rows: dict[tuple[int, int], np.ndarray] = {}

    def _head(self, purpose: int) -> int:
        """The hashed (key, purpose) part of every salt of ``purpose`` (computed once)."""
        head = self._heads.get(purpose)
        if head is None:
            head = _mix_int(int(self.key) ^ (purpose * 0x9E3779B97F4A7C15 & _MASK))
            self._heads[purpose] = head
        return head

    def salt(self, purpose: int, month: int = 0, extra: int = 0) -> np.uint64:
        """The salt of (purpose, month, extra), for drawing with :func:`uniform_at` in kernels.

        Salts are computed a block of months at a time for each (purpose, extra) and looked up
        afterwards: a model asks for a few thousand per run.
        """
        table = self._salts.get((purpose, extra))
        if table is None or month >= len(table):
            term = np.array([(int(extra) * 0x94D049BB133111EB + 1) & _MASK], dtype=np.uint64)
            table = self._salts[(purpose, extra)] = self._block(purpose, term, int(month))[:, 0]
        return table[month]

    def _block(self, purpose: int, extra_terms: np.ndarray, month: int) -> np.ndarray:
        """Salts of ``purpose`` for every month up to past ``month`` (rows) and extra (columns).

        Args:
            purpose: The purpose.
            extra_terms: Each extra's part of the salt, ``extra * M2 + 1`` (mod 2**64).
            month: The month the block must reach.
        """
        months = np.arange(_SALT_BLOCK * (month // _SALT_BLOCK + 1), dtype=np.uint64)
        return _mix(np.uint64(self._head(purpose)) ^ (months[:, None] * _M1 + extra_terms))

    def salts(self, purpose: int, month: int, n: int) -> np.ndarray:
        """The salts of (purpose, month, extra) for the extras ``0 .. n - 1`` (e.g. per city).

        Each equals :meth:`salt` of the same key; the row is one of :meth:`table` (do not write
        to it).
        """
        return self.table(purpose, month + 1, n)[month]

    def table(self, purpose: int, months: int, n: int = 1) -> np.ndarray:
        """The salts of (purpose, month, extra): a row per month, a column per extra.

        Months run from 0 to ``months - 1``, extras from 0 to ``n - 1``; do not write to the
        table. Kernels that run a whole month take the tables of a run and index them. Each
        entry equals :meth:`salt` of the same key; the tables are computed a block of months at
        a time for each (purpose, n) and kept.
        """
        table = self._salt_rows.get((purpose, n))
        if table is None or months > len(table):
            terms = np.arange(n, dtype=np.uint64) * _M2 + np.uint64(1)
            table = self._block(purpose, terms, max(int(months) - 1, 0))
            self._salt_rows[(purpose, n)] = table
        return table[:months]

    def bits(
        self,
        purpose: int,
        ids: np.ndarray,
        month: int | np.ndarray = 0,
        extra: int | np.ndarray = 0,
    ) -> np.ndarray:
        """Raw 64-bit hashes for each id."""
        with np.errstate(over="ignore"):
            ids = np.asarray(ids, dtype=np.uint64)
            head = self._head(purpose)
            if np.ndim(month) == 0 and np.ndim(extra) == 0:
                tail = (
                    int(month) * 0xBF58476D1CE4E5B9 + int(extra) * 0x94D049BB133111EB + 1
                ) & _MASK
                salt = np.uint64(_mix_int(head ^ tail))
            else:
                tail = (
                    np.asarray(month, dtype=np.uint64) * _M1
                    + np.asarray(extra, dtype=np.uint64) * _M2
                    + np.uint64(1)
                )
                salt = _mix(np.uint64(head) ^ tail)
            return _mix(_mix(ids * _GOLDEN + salt))

    def uniform(
        self,
        purpose: int,
        ids: np.ndarray,
        month: int | np.ndarray = 0,
        extra: int | np.ndarray = 0,
    ) -> np.ndarray:
        """Uniform numbers in the open interval (0, 1).

        The same numbers as ``(bits(...) >> 11 + 0.5) * 2**-53``, computed in one compiled pass.
        """
        if np.ndim(month) == 0 and np.ndim(extra) == 0:
            keys = np.asarray(ids)
            out = np.empty(keys.shape)
            _uniform_salted(self.salt(purpose, month, extra), _as_words(keys), out.reshape(-1))
            return out
        head = self._head(purpose)
        keys, months, extras = np.broadcast_arrays(ids, month, extra)
        out = np.empty(keys.shape)
        _uniform_keyed(
            np.uint64(head), _as_words(keys), _as_words(months), _as_words(extras),
            out.reshape(-1),
        )
        return out

    def gumbel(
        self,
        purpose: int,
        ids: np.ndarray,
        month: int | np.ndarray = 0,
        extra: int | np.ndarray = 0,
    ) -> np.ndarray:
        """Standard Gumbel numbers (the logit taste shocks)."""
        return -np.log(-np.log(self.uniform(purpose, ids, month, extra)))
