import numpy as np
import pytest
from river import anomaly

from detector.halfspace import HalfSpaceForest

NAMES = ["ratio", "cot", "diversity", "burst"]  # not sorted: the forest must sort like river


@pytest.mark.parametrize(("n_trees", "height", "window"), [(15, 8, 250), (5, 3, 7)])
def test_scores_equal_rivers_half_space_trees(n_trees: int, height: int, window: int) -> None:
    rng = np.random.default_rng(3)
    # Clustered data with outliers, so walks stop early at sparse nodes as well as run deep.
    x = np.clip(rng.normal(0.3, 0.08, size=(1200, len(NAMES))), 0, 1)
    x[::37] = rng.uniform(size=(len(x[::37]), len(NAMES)))
    river = anomaly.HalfSpaceTrees(n_trees=n_trees, height=height, window_size=window, seed=7)
    forest = HalfSpaceForest(NAMES, n_trees=n_trees, height=height, window_size=window, seed=7)
    for chunk in np.array_split(x, 13):  # chunks straddle window pivots
        dicts = [dict(zip(NAMES, row, strict=True)) for row in chunk.tolist()]
        expected = [river.score_one(d) for d in dicts]
        np.testing.assert_allclose(forest.score(chunk), expected, rtol=0, atol=1e-12)
        for d in dicts:
            river.learn_one(d)
        forest.learn(chunk)
    assert not forest._first_window


def test_scores_zero_until_the_first_window_is_full() -> None:
    forest = HalfSpaceForest(NAMES, n_trees=3, height=4, window_size=10, seed=1)
    x = np.full((9, len(NAMES)), 0.5)
    forest.learn(x)
    assert forest.score(x).tolist() == [0.0] * 9
    forest.learn(x[:1])
    assert forest.score(np.full((1, len(NAMES)), 0.99))[0] > 0
