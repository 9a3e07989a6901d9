"""MinHash over sets of 32-bit hashes, vectorised over many accounts at once.

Each account's set is a row of a hash matrix with a validity mask (its recent requests'
template fingerprints, IPs, networks or user agents). Slot ``k`` of the signature is the
minimum of ``h_k`` over the set, with ``h_k(x) = (a_k * mix(x) + b_k) >> 32`` in wrapping
64-bit arithmetic (multiply-shift hashing over a well-mixed input); two sets' signatures agree
in a slot with probability equal to their Jaccard similarity. An empty set gets
:data:`EMPTY` in every slot.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["EMPTY", "MinHasher", "jaccard", "mix64"]

U32 = npt.NDArray[np.uint32]
U64 = npt.NDArray[np.uint64]
EMPTY = np.uint32(0xFFFFFFFF)


def mix64(x: npt.NDArray[np.uint64]) -> U64:
    """The murmur3 64-bit finaliser: a bijection that spreads every input bit."""
    with np.errstate(over="ignore"):
        x = x ^ (x >> np.uint64(33))
        x = x * np.uint64(0xFF51AFD7ED558CCD)
        x = x ^ (x >> np.uint64(33))
        x = x * np.uint64(0xC4CEB9FE1A85EC53)
        return x ^ (x >> np.uint64(33))


_CUBE_LIMIT = 1 << 21
"""Elements of the largest (rows, width, slots) intermediate: 16 MiB of uint64."""


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

    def signatures(self, hashes: U32, valid: npt.NDArray[np.bool_]) -> U32:
        """``(rows, num_perm)`` signatures of the sets ``hashes[i][valid[i]]``."""
        rows, width = hashes.shape
        out = np.full((rows, self.num_perm), EMPTY, dtype=np.uint32)
        if rows == 0 or width == 0:
            return out
        # An invalid entry is replaced by a valid one of its row: a repeated element never
        # changes a minimum, and the cube below needs no mask. Rows with no valid entry stay
        # EMPTY.
        has_any = valid.any(axis=1)
        first = np.argmax(valid, axis=1)
        filled = np.where(valid, hashes, hashes[np.arange(rows), first][:, None])
        mixed = mix64(filled[has_any].astype(np.uint64))
        high = 1 if np.little_endian else 0  # the upper 32 bits of each uint64
        found = np.empty((len(mixed), self.num_perm), dtype=np.uint32)
        # All slots at once, in row chunks that keep the (rows, width, slots) cube small.
        step = max(1, _CUBE_LIMIT // (width * self.num_perm))
        with np.errstate(over="ignore"):
            for start in range(0, len(mixed), step):
                h = mixed[start:start + step, :, None] * self._a
                h += self._b
                found[start:start + step] = h.view(np.uint32)[..., high::2].min(axis=1)
        # EMPTY marks an empty set, so no real minimum may take that value.
        out[has_any] = np.minimum(found, EMPTY - np.uint32(1))
        return out


def jaccard(a: U32, b: U32) -> npt.NDArray[np.float64]:
    """Estimated Jaccard similarity of paired signatures (rows of ``a`` and ``b``); 0 when
    either set is empty."""
    same = (a == b).mean(axis=1)
    empty = (a[:, 0] == EMPTY) | (b[:, 0] == EMPTY)
    return np.where(empty, 0.0, same)
