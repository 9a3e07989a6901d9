"""The C loops of scoring (detector/_kernels.c) against their definitions in NumPy.

The reference functions here are the NumPy code the kernels replaced: whole-batch cubes of
pairwise comparisons and hashes and whole-batch searches, slow but plainly the definition.
Hypothesis draws rings from tiny alphabets, so that equal hashes, zeros ("absent") and
invalid entries collide in every pattern. The half-space tree walks are held to river's own
trees in ``test_halfspace.py``.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from detector import _kernels
from detector.campaigns.minhash import EMPTY, MinHasher, mix64
from detector.features import _distinct, _template_signals
from detector.halfspace import HalfSpaceForest
from detector.state import SharingIndex

F64 = npt.NDArray[np.float64]


def template_signals_numpy(
    exact: npt.NDArray[np.uint16],
    prefix: npt.NDArray[np.uint32],
    suffix: npt.NDArray[np.uint32],
    valid: npt.NDArray[np.bool_],
) -> tuple[F64, F64, F64, F64]:
    width = valid.shape[1]
    pair_valid = valid[:, :, None] & valid[:, None, :]
    same_template = pair_valid & (
        (prefix[:, :, None] == prefix[:, None, :]) | (suffix[:, :, None] == suffix[:, None, :])
    )
    same_exact = pair_valid & (exact[:, :, None] == exact[:, None, :])
    earlier = np.tri(width, width, -1, dtype=bool)[None, :, :]
    has_earlier_template = (same_template & earlier).any(axis=2)
    has_earlier_exact = (same_exact & earlier).any(axis=2)
    count = valid.sum(axis=1).astype(np.float64)
    templates = (valid & ~has_earlier_template).sum(axis=1)
    prompts = (valid & ~has_earlier_exact).sum(axis=1)
    near = (valid & has_earlier_template & ~has_earlier_exact).sum(axis=1)
    cluster = np.argmax(same_template, axis=2)
    sizes = np.zeros(valid.shape, dtype=np.float64)
    rows = np.repeat(np.arange(len(valid)), width)
    np.add.at(sizes, (rows, cluster.ravel()), valid.ravel())
    p = sizes / np.maximum(count, 1)[:, None]
    entropy = -(p * np.log2(np.where(p > 0, p, 1))).sum(axis=1)
    safe = np.maximum(count, 1)
    return prompts / safe, templates / safe, entropy, near / safe


def distinct_numpy(values: npt.NDArray[np.uint32], valid: npt.NDArray[np.bool_]) -> list[int]:
    return [len(set(row[ok].tolist()) - {0}) for row, ok in zip(values, valid, strict=True)]


def max_owners_numpy(
    keys: npt.NDArray[np.uint32], valid: npt.NDArray[np.bool_], pairs: npt.NDArray[np.uint64]
) -> npt.NDArray[np.int64]:
    first = keys.astype(np.uint64) << np.uint64(32)
    lo = np.searchsorted(pairs, first)
    hi = np.searchsorted(pairs, first | np.uint64(0xFFFFFFFF), side="right")
    counts = np.where(keys != 0, hi - lo, 0)
    return np.where(valid, counts, 0).max(axis=1, initial=0)


def minhash_numpy(
    hasher: MinHasher, hashes: npt.NDArray[np.uint32], valid: npt.NDArray[np.bool_]
) -> npt.NDArray[np.uint16]:
    out = np.full((len(hashes), hasher.num_perm), EMPTY, dtype=np.uint16)
    for i, (row, ok) in enumerate(zip(hashes, valid, strict=True)):
        members = np.unique(row[ok & (row != 0)]).astype(np.uint64)
        if len(members):
            with np.errstate(over="ignore"):
                h = mix64(members)[:, None] * hasher._a + hasher._b
            minima = (h >> np.uint64(32)).min(axis=0)
            out[i] = np.minimum(minima & np.uint64(0xFFFF), 0xFFFE)
    return out


@st.composite
def rings(draw: st.DrawFn, alphabet: int = 4) -> tuple[npt.NDArray[np.uint32], ...]:
    """(exact, prefix, suffix, valid) of up to 12 rows of up to 40 entries."""
    shape = (draw(st.integers(0, 12)), draw(st.integers(1, 40)))
    small = hnp.arrays(np.uint32, shape, elements=st.integers(0, alphabet))
    exact = draw(small).astype(np.uint16)
    return exact, draw(small), draw(small), draw(hnp.arrays(np.bool_, shape))


@settings(max_examples=300, deadline=None)
@given(rings())
def test_template_signals_as_defined(ring: tuple[npt.NDArray[np.uint32], ...]) -> None:
    exact, prefix, suffix, valid = ring
    got = _template_signals(exact, prefix, suffix, valid)
    expected = template_signals_numpy(exact, prefix, suffix, valid)
    for name, g, e in zip(["prompts", "templates", "entropy", "near"], got, expected, strict=True):
        np.testing.assert_allclose(g, e, rtol=1e-12, atol=1e-15, err_msg=name)


def test_template_signals_of_a_known_ring() -> None:
    # Requests 0 and 2 share a prefix, 1 and 3 a suffix, 3 repeats 1 exactly; 4 is invalid.
    exact = np.array([[1, 2, 3, 2, 3]], dtype=np.uint16)
    prefix = np.array([[7, 8, 7, 9, 7]], dtype=np.uint32)
    suffix = np.array([[5, 6, 4, 6, 4]], dtype=np.uint32)
    valid = np.array([[True, True, True, True, False]])
    prompts, templates, entropy, near = _template_signals(exact, prefix, suffix, valid)
    assert prompts.tolist() == [3 / 4]  # request 3 repeats request 1
    assert templates.tolist() == [2 / 4]  # clusters {0, 2} and {1, 3}
    assert entropy.tolist() == [1.0]
    assert near.tolist() == [1 / 4]  # request 2: request 0's template, a new prompt


@settings(max_examples=300, deadline=None)
@given(rings(alphabet=6))
def test_distinct_as_defined(ring: tuple[npt.NDArray[np.uint32], ...]) -> None:
    _, values, _, valid = ring
    assert _distinct(values, valid).tolist() == distinct_numpy(values, valid)


@settings(max_examples=300, deadline=None)
@given(rings(alphabet=5), st.data())
def test_max_owners_as_defined(
    ring: tuple[npt.NDArray[np.uint32], ...], data: st.DataObject
) -> None:
    _, keys, _, valid = ring
    # Keys 0-5 and the largest key, whose range of pairs ends the index.
    keys = np.where(keys == 5, np.uint32(0xFFFFFFFF), keys)
    known = data.draw(st.sets(st.sampled_from([1, 2, 3, 4, 0xFFFFFFFF, 9])))
    pairs = {(k << 32) | data.draw(st.integers(0, 2**32 - 1)) for k in known for _ in range(3)}
    index = SharingIndex(ttl_s=60)
    index._pairs = np.array(sorted(pairs), dtype=np.uint64)
    np.testing.assert_array_equal(
        index.max_owners(keys, valid), max_owners_numpy(keys, valid, index._pairs)
    )


@settings(max_examples=200, deadline=None)
@given(
    rings(alphabet=5),
    st.integers(1, 64),
    st.integers(0, 2**32),
)
def test_minhash_as_defined(
    ring: tuple[npt.NDArray[np.uint32], ...], slots: int, seed: int
) -> None:
    _, hashes, _, valid = ring
    hasher = MinHasher(slots, seed)
    np.testing.assert_array_equal(
        hasher.signatures(hashes, valid), minhash_numpy(hasher, hashes, valid)
    )


def test_minhash_of_full_width_hashes_as_defined() -> None:
    # The alphabets above stay small; real hashes use all 32 bits (and 16-bit minima can
    # land on EMPTY, which must move to 0xFFFE).
    rng = np.random.default_rng(4)
    hashes = rng.integers(0, 2**32, size=(500, 64), dtype=np.uint64).astype(np.uint32)
    hashes[::7, 10:] = hashes[::7, :1]  # rows of few distinct elements
    valid = rng.random(hashes.shape) < 0.8
    hasher = MinHasher(52, seed=11)
    np.testing.assert_array_equal(
        hasher.signatures(hashes, valid), minhash_numpy(hasher, hashes, valid)
    )


def test_arrays_of_the_wrong_kind_or_shape_are_refused() -> None:
    ring = np.zeros((3, 8), dtype=np.uint32)
    valid = np.ones((3, 8), dtype=bool)
    out = np.empty((3, 4))
    exact = ring.astype(np.uint16)
    with pytest.raises(ValueError, match="exact"):
        _kernels.template_signals(ring, ring, ring, valid, out)  # exact is 16-bit
    with pytest.raises(ValueError, match="valid: shape"):
        _kernels.template_signals(exact, ring, ring, valid[:, :4].copy(), out)
    with pytest.raises(ValueError, match="out: dimension 1"):
        _kernels.template_signals(exact, ring, ring, valid, np.empty((3, 3)))
    with pytest.raises(ValueError, match="out: expected a C-contiguous writable"):
        _kernels.distinct(ring, valid, np.empty(3, dtype=np.int64).tobytes())
    with pytest.raises(ValueError, match="values: expected a C-contiguous"):
        _kernels.distinct(np.zeros((8, 3), dtype=np.uint32).T, valid, np.empty(3, np.int64))
    with pytest.raises(ValueError, match="pairs"):
        _kernels.max_owners(ring, valid, np.ones(3, dtype=np.uint32), np.empty(3, np.int64))
    a = np.ones(4, dtype=np.uint64)
    with pytest.raises(ValueError, match="b: dimension 0"):
        _kernels.minhash(ring, valid, a, a[:3].copy(), np.empty((3, 4), dtype=np.uint16))
    forest = HalfSpaceForest(["x", "y"], n_trees=2, height=3, window_size=10, seed=1)
    x = np.zeros((5, 2))
    mass = np.empty(5)
    with pytest.raises(ValueError, match="height 4 does not fit"):
        _kernels.hst_mass(x, forest.feature, forest.threshold, 4, forest.r_mass, 1.0, mass)
    feature = forest.feature.copy()
    feature[1, 3] = 2
    with pytest.raises(ValueError, match="2 is not a column"):
        _kernels.hst_mass(x, feature, forest.threshold, 3, forest.r_mass, 1.0, mass)
    with pytest.raises(ValueError, match="l_mass"):
        _kernels.hst_count(x, forest.feature, forest.threshold, 3, forest.r_mass[:1].copy())
    with pytest.raises(ValueError, match="expected rows of 2 features"):
        forest.learn(np.zeros((5, 3)))
