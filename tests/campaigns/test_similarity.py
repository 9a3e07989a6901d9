import numpy as np
import pytest

from detector.campaigns.signatures import Signatures, SignatureStore
from detector.campaigns.similarity import EVIDENCE, pair_similarity
from detector.config import load_config


def store_with(
    templates: list[list[int]], infra: list[list[int]], owners: list[int]
) -> SignatureStore:
    n = len(templates)
    store = SignatureStore(4, 4, 2, 3)
    store.put(
        Signatures(
            accounts=[f"a{i}" for i in range(n)],
            owner=np.array(owners, np.uint32),
            updated=np.zeros(n),
            score=np.zeros(n),
            templates=np.array(templates, np.uint16),
            infra=np.array(infra, np.uint16),
            agents=np.ones((n, 2), np.uint16),
            behaviour=np.full((n, 3), 100, np.uint8),
            timing=np.full((n, 24), 10, np.uint8),
        ),
        local=True,
    )
    return store


def test_shared_templates_link_and_behaviour_alone_does_not() -> None:
    config = load_config().campaigns
    store = store_with(
        [[1, 2, 3, 4], [1, 2, 3, 9], [5, 6, 7, 8]],
        [[10, 11, 12, 13], [20, 21, 22, 23], [30, 31, 32, 33]],
        [1, 2, 3],
    )
    result = pair_similarity(store, np.array([[0, 1], [0, 2]]), config)
    t = EVIDENCE.index("templates")
    assert result.parts[:, t].tolist() == [pytest.approx(0.75, abs=1e-4), 0.0]
    assert result.parts[:, EVIDENCE.index("behaviour")].tolist() == [1.0, 1.0]
    assert result.edge.tolist() == [True, False]


def test_same_owner_pairs_are_exempt_unless_configured_to_link() -> None:
    store = store_with([[1, 2, 3, 4]] * 2, [[10, 11, 12, 13]] * 2, [7, 7])
    pairs = np.array([[0, 1]])
    exempt = load_config().campaigns
    link = load_config(overrides={"campaigns": {"same_org": "link"}}).campaigns
    assert pair_similarity(store, pairs, exempt).edge.tolist() == [False]
    assert pair_similarity(store, pairs, link).edge.tolist() == [True]
