import numpy as np
import pytest

from detector.campaigns.minhash import EMPTY, MinHasher, jaccard, low_bits


def sets(rng: np.random.Generator, overlap: int, size: int = 60) -> tuple[np.ndarray, np.ndarray]:
    shared = rng.integers(1, 2**32, overlap, dtype=np.uint32)
    a = np.concatenate([shared, rng.integers(1, 2**32, size - overlap, dtype=np.uint32)])
    b = np.concatenate([shared, rng.integers(1, 2**32, size - overlap, dtype=np.uint32)])
    return a, b


def test_estimates_jaccard_similarity() -> None:
    rng = np.random.default_rng(0)
    hasher = MinHasher(128, seed=7)
    for overlap in (0, 20, 40, 60):
        a, b = sets(rng, overlap)
        true = overlap / (120 - overlap)
        sig = hasher.signatures(np.stack([a, b]), np.ones((2, 60), dtype=bool))
        assert abs(float(jaccard(sig[:1], sig[1:])[0]) - true) < 0.12


def test_invalid_entries_are_ignored_and_empty_sets_match_nothing() -> None:
    hasher = MinHasher(32, seed=1)
    values = np.array([[5, 6, 7, 999], [5, 6, 7, 0]], dtype=np.uint32)
    valid = np.array([[True, True, True, False], [True, True, True, False]])
    sig = hasher.signatures(values, valid)
    assert (sig[0] == sig[1]).all()
    empty = hasher.signatures(values, np.zeros_like(valid))
    assert (empty == EMPTY).all()
    assert jaccard(empty, empty).tolist() == [0.0, 0.0]


def test_same_seed_same_signatures_across_instances() -> None:
    values = np.arange(1, 41, dtype=np.uint32).reshape(2, 20)
    valid = np.ones_like(values, dtype=bool)
    assert (
        MinHasher(16, 3).signatures(values, valid) == MinHasher(16, 3).signatures(values, valid)
    ).all()
    assert not (
        MinHasher(16, 3).signatures(values, valid) == MinHasher(16, 4).signatures(values, valid)
    ).all()


def test_slots_keep_the_low_16_bits_of_the_full_minimum() -> None:
    # Taken from the minimum over full hashes, the low bits stay uniform; the minimum of
    # 16-bit hashes would crowd towards 0.
    minima = np.array([0x0001_0005, 0xFFFF_0000, 0x1234_FFFF, 0xFFFF_FFFE], dtype=np.uint32)
    assert low_bits(minima).tolist() == [5, 0, 0xFFFE, 0xFFFE]
    assert low_bits(minima).dtype == np.uint16
    rng = np.random.default_rng(3)
    values = rng.integers(1, 2**32, (2000, 30), dtype=np.uint64).astype(np.uint32)
    sig = MinHasher(32, seed=9).signatures(values, np.ones(values.shape, dtype=bool))
    assert abs(float(sig.mean()) / 0xFFFF - 0.5) < 0.01


def test_unrelated_sets_estimate_zero_and_equal_sets_one() -> None:
    # 16-bit slots of unrelated sets agree 1 time in 65,536: the estimate corrects for it.
    rng = np.random.default_rng(11)
    hasher = MinHasher(32, seed=4)
    a = rng.integers(1, 2**32, (20_000, 8), dtype=np.uint64).astype(np.uint32)
    b = rng.integers(1, 2**32, (20_000, 8), dtype=np.uint64).astype(np.uint32)
    ones = np.ones(a.shape, dtype=bool)
    sa, sb = hasher.signatures(a, ones), hasher.signatures(b, ones)
    chance = float((sa == sb).mean())
    assert 0 < chance < 3 * 2**-16  # some slots agree by chance, as often as 16 bits allow
    one_of_32 = np.where(np.arange(32) == 0, sa[:1], sa[:1] + 1).astype(np.uint16)
    c = 2**-16
    assert jaccard(sa[:1], one_of_32)[0] == pytest.approx((1 / 32 - c) / (1 - c))
    assert (jaccard(sa, sa) == 1.0).all()
