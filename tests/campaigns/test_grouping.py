import numpy as np

from detector.campaigns.grouping import CampaignRegistry, EdgeGraph


def test_components_of_at_least_min_size_largest_first() -> None:
    edges = np.array([[0, 1], [1, 2], [2, 3], [10, 11], [11, 12], [20, 21]])
    found = EdgeGraph(edges).components(min_size=3)
    assert [c.rows.tolist() for c in found] == [[0, 1, 2, 3], [10, 11, 12]]
    assert [c.edges.tolist() for c in found] == [[0, 1, 2], [3, 4]]
    assert EdgeGraph(np.empty((0, 2), dtype=np.int64)).components(2) == []


def test_ids_follow_the_majority_of_members_and_split_groups_get_new_ids() -> None:
    registry = CampaignRegistry()
    (first,) = registry.assign([["a", "b", "c", "d"]])
    # The group splits: the larger part keeps the id, the other gets a fresh one.
    big, small = registry.assign([["a", "b", "c"], ["d", "e"]])
    assert big == first and small != first
    # Everyone leaves and comes back: the id is derived from the anchor, so it is the same.
    registry.assign([])
    (again,) = registry.assign([["a", "b", "c", "d"]])
    assert again == CampaignRegistry().assign([["d", "c", "b", "a"]])[0]


def test_fresh_ids_never_collide() -> None:
    registry = CampaignRegistry()
    (one,) = registry.assign([["a", "b"]])
    # "a" and "b" split into two groups: one inherits, the other must not reuse the id.
    ids = registry.assign([["a", "x"], ["b", "y"]])
    assert len(set(ids)) == 2 and one in ids
