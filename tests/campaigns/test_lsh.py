import numpy as np

from detector.campaigns.lsh import BandIndex
from detector.campaigns.minhash import EMPTY


def signatures(
    n: int, rng: np.random.Generator, base: np.ndarray | None = None, keep: float = 0.0
) -> np.ndarray:
    sig = rng.integers(0, 2**16 - 1, (n, 32), dtype=np.uint16)
    if base is not None:
        same = rng.random((n, 32)) < keep
        sig = np.where(same, base, sig)
    return sig


def test_similar_signatures_become_candidates_and_dissimilar_do_not() -> None:
    rng = np.random.default_rng(0)
    base = rng.integers(0, 2**16 - 1, 32, dtype=np.uint16)
    group = signatures(20, rng, base, keep=0.7)
    noise = signatures(200, rng)
    sigs = np.concatenate([group, noise])
    index = BandIndex(32, 2, max_bucket=100)
    rows = np.arange(len(sigs))
    index.update(rows, sigs)
    pairs = index.candidates(rows, sigs)
    in_group = (pairs < 20).all(axis=1)
    assert in_group.sum() >= 0.9 * (20 * 19 / 2)
    assert (~in_group).sum() <= 5
    assert (pairs[:, 0] < pairs[:, 1]).all()


def test_removed_and_empty_rows_are_never_candidates() -> None:
    sig = np.tile(np.arange(8, dtype=np.uint16), (4, 1))
    sig[3] = EMPTY
    index = BandIndex(8, 2, max_bucket=10)
    index.update(np.arange(4), sig)
    assert index.candidates(np.arange(4), sig).tolist() == [[0, 1], [0, 2], [1, 2]]
    index.remove(np.array([1]))
    assert index.candidates(np.array([0]), sig[:1]).tolist() == [[0, 2]]
    index.update(np.array([2]), sig[3:4])  # row 2 re-indexed with an empty sketch
    assert index.candidates(np.array([0]), sig[:1]).tolist() == []


def test_a_huge_bucket_yields_at_most_max_bucket_candidates_per_row() -> None:
    sig = np.tile(np.arange(8, dtype=np.uint16), (500, 1))
    index = BandIndex(8, 2, max_bucket=16)
    index.update(np.arange(500), sig)
    pairs = index.candidates(np.array([499]), sig[:1])
    assert 0 < len(pairs) <= 16
