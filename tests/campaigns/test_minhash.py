import numpy as np

from detector.campaigns.minhash import EMPTY, MinHasher, jaccard


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
    assert (MinHasher(16, 3).signatures(values, valid)
            == MinHasher(16, 3).signatures(values, valid)).all()
    assert not (MinHasher(16, 3).signatures(values, valid)
                == MinHasher(16, 4).signatures(values, valid)).all()
