"""MinHash over sets of 32-bit hashes, vectorised over many accounts at once.

Each account's set is a row of a hash matrix with a validity mask (its recent requests'
template fingerprints, IPs, networks or user agents). Slot ``k`` of the signature is the
minimum of ``h_k`` over the set, with ``h_k(x) = (a_k * mix(x) + b_k) >> 32`` in wrapping
64-bit arithmetic (multiply-shift hashing over a well-mixed input); two sets' signatures agree
in a slot with probability equal to their Jaccard similarity. An empty set gets
:data:`EMPTY` in every slot.

Each slot keeps only the low 16 bits of its 32-bit minimum (*b*-bit MinHash, Li and König,
2010): the minimum is still taken over full hashes, so the kept bits are uniform, and two
sets that share no element agree in a slot with probability 2^-16 instead of 0, which
:func:`jaccard` corrects for. Half the bytes of 32-bit slots, for an error far below the
sketch's own (a 32-slot sketch estimates Jaccard to about ±0.09).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from detector import _kernels

__all__ = ["EMPTY", "MinHasher", "jaccard", "low_bits", "mix64"]

U16 = npt.NDArray[np.uint16]
U32 = npt.NDArray[np.uint32]
U64 = npt.NDArray[np.uint64]
EMPTY = np.uint16(0xFFFF)
_CHANCE = 2.0**-16
"""How often two slots of unrelated sets agree once only 16 bits are kept."""


def mix64(x: npt.NDArray[np.uint64]) -> U64:
    """The murmur3 64-bit finaliser: a bijection that spreads every input bit."""
    with np.errstate(over="ignore"):
        x = x ^ (x >> np.uint64(33))
        x = x * np.uint64(0xFF51AFD7ED558CCD)
        x = x ^ (x >> np.uint64(33))
        x = x * np.uint64(0xC4CEB9FE1A85EC53)
        return x ^ (x >> np.uint64(33))


class MinHasher:
    """``num_perm`` MinHash slots from a fixed seed, so signatures compare across processes.

    Examples
    --------
    >>> hasher = MinHasher(64, seed=1)
    >>> a = np.array([[1, 2, 3, 4, 0]], dtype=np.uint32)
    >>> b = np.array([[1, 2, 3, 5, 0]], dtype=np.uint32)
    >>> sa, sb = hasher.signatures(a, a != 0), hasher.signatures(b, b != 0)
    >>> 0.4 < float(jaccard(sa, sb)[0]) < 0.8     # true Jaccard 3/5
    True
    >>> hasher.signatures(a, a == 99)[0, :3].tolist() == [int(EMPTY)] * 3
    True
    """

    def __init__(self, num_perm: int, seed: int):
        rng = np.random.default_rng(seed)
        self.num_perm = num_perm
        self._a = rng.integers(1, 2**63, num_perm, dtype=np.uint64) | np.uint64(1)
        self._b = rng.integers(0, 2**63, num_perm, dtype=np.uint64)

    def signatures(self, hashes: U32, valid: npt.NDArray[np.bool_]) -> U16:
        """``(rows, num_perm)`` signatures of the sets ``hashes[i][valid[i]]``."""
        out = np.empty((len(hashes), self.num_perm), dtype=np.uint16)
        _kernels.minhash(
            np.ascontiguousarray(hashes, dtype=np.uint32),
            np.ascontiguousarray(valid),
            self._a,
            self._b,
            out,
        )
        return out


def low_bits(minima: U32) -> U16:
    """The 16 bits a slot keeps of its minimum. :data:`EMPTY` marks an empty set, so a real
    minimum that ends in it is moved to the next value (a bias of 2^-16 in one value)."""
    return np.minimum(minima & np.uint32(0xFFFF), np.uint32(EMPTY - 1)).astype(np.uint16)


def jaccard(a: U16, b: U16) -> npt.NDArray[np.float64]:
    """Estimated Jaccard similarity of paired signatures (rows of ``a`` and ``b``); 0 when
    either set is empty.

    The share of agreeing slots, less the agreements 16-bit slots give by chance.
    """
    same = (a == b).mean(axis=1)
    empty = (a[:, 0] == EMPTY) | (b[:, 0] == EMPTY)
    return np.where(empty, 0.0, np.maximum(same - _CHANCE, 0.0) / (1.0 - _CHANCE))
