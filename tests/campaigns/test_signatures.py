import msgspec
import numpy as np

from detector.campaigns.minhash import EMPTY, mix64
from detector.campaigns.signatures import SignatureMessage, Signatures, SignatureStore, hashers


def sigs(accounts: list[str], updated: float, fill: int = 1) -> Signatures:
    n = len(accounts)
    return Signatures(
        accounts=accounts,
        owner=np.arange(n, dtype=np.uint32) + 1,
        updated=np.full(n, updated),
        score=np.full(n, 0.25),
        templates=np.full((n, 8), fill, np.uint16),
        infra=np.full((n, 4), fill, np.uint16),
        agents=np.full((n, 2), fill, np.uint16),
        behaviour=np.full((n, 3), 9, np.uint8),
        timing=np.full((n, 24), 7, np.uint8),
    )


def test_newer_signatures_replace_older_ones_and_stale_ones_are_evicted() -> None:
    store = SignatureStore(8, 4, 2, 3)
    store.put(sigs(["a", "b"], 100.0, fill=1), local=True)
    store.put(sigs(["a"], 50.0, fill=2), local=False)  # older: ignored
    assert store.parts["templates"][store.row_of["a"], 0] == 1
    assert store.local[store.row_of["a"]]
    store.put(sigs(["b"], 200.0, fill=3), local=False)
    assert store.parts["templates"][store.row_of["b"], 0] == 3
    rows, local = store.evict(150.0)
    assert local == ["a"] and "a" not in store.row_of and len(store) == 1
    assert (store.parts["templates"][rows] == EMPTY).all()


def test_store_grows_past_its_initial_capacity() -> None:
    store = SignatureStore(8, 4, 2, 3)
    accounts = [f"acct{i}" for i in range(3000)]
    store.put(sigs(accounts, 1.0), local=True)
    assert len(store) == 3000 and store.capacity >= 3000
    assert store.accounts(np.array([store.row_of["acct2999"]])) == ["acct2999"]


def test_drift_counts_the_slots_changed_since_the_sketch_was_indexed() -> None:
    store = SignatureStore(8, 4, 2, 3)
    rows = store.put(sigs(["a", "b"], 1.0), local=True)
    assert store.drifted(rows, 0.25).all()  # never indexed
    store.mark_indexed(rows)
    assert not store.drifted(rows, 0.25).any()
    row_a, row_b = rows
    store.parts["templates"][row_a, :1] = 2
    store.parts["templates"][row_b, :2] = [2, 0x1234]
    assert store.drifted(rows, 0.25).tolist() == [False, True]  # 1 and 2 slots of 8
    store.parts["templates"][row_a, :] = EMPTY
    store.mark_indexed(rows)
    store.parts["templates"][row_a, :] = 5  # empty before, a sketch now: always drifted
    assert store.drifted(rows, 0.9).tolist() == [True, False]
    freed = store.evict(2.0)[0]
    assert store.drifted(freed, 1.0).tolist() == [False, False]  # empty, and empty before
    store.put(sigs(["c"], 3.0), local=True)
    assert store.drifted(np.array([store.row_of["c"]]), 1.0).all()


def test_wire_messages_round_trip_and_other_layouts_are_skipped() -> None:
    store = SignatureStore(8, 4, 2, 3)
    store.put(sigs(["a"], 10.0, fill=5), local=True)
    message = store.message(store.row_of["a"])
    decoded = msgspec.msgpack.decode(msgspec.msgpack.encode(message), type=SignatureMessage)
    other = SignatureStore(8, 4, 2, 3)
    back = other.from_messages(["a"], [decoded])
    assert back is not None and back.templates.tolist() == [[5] * 8]
    assert back.score.tolist() == [0.25] and back.updated.tolist() == [10.0]
    assert SignatureStore(16, 4, 2, 3).from_messages(["a"], [decoded]) is None


def test_messages_with_32_bit_slots_are_read_as_their_low_16_bits() -> None:
    # A peer still on 32-bit slots (a rolling upgrade) sends the full minima under the layout
    # without ".s16"; keeping their low bits gives what this version computes from the sets.
    hasher = hashers(8, 4, 2)["templates"]
    rng = np.random.default_rng(2)
    sets = rng.integers(1, 2**32, (3, 12), dtype=np.uint64).astype(np.uint32)
    ours = hasher.signatures(sets, np.ones(sets.shape, dtype=bool))
    with np.errstate(over="ignore"):  # slot k of x: the upper half of a_k * mix64(x) + b_k
        h = mix64(sets.astype(np.uint64))[:, :, None] * hasher._a + hasher._b
    full = np.minimum((h >> np.uint64(32)).min(axis=1), 2**32 - 2).astype(np.uint32)
    store = SignatureStore(8, 4, 2, 3)
    assert store.layout == "t8.i4.a2.b3.s16"
    wide = [
        SignatureMessage(
            "t8.i4.a2.b3",
            1,
            5.0,
            0.5,
            full[i].tobytes(),
            np.full(4, 7, np.uint32).tobytes(),
            np.full(2, 9, np.uint32).tobytes(),
            bytes(3),
            bytes(24),
        )
        for i in range(3)
    ]
    narrow = store.message(store.put(sigs(["n"], 5.0, fill=4), local=True)[0])
    back = store.from_messages(["w0", "n", "w1", "w2"], [wide[0], narrow, *wide[1:]])
    assert back is not None and back.accounts == ["w0", "n", "w1", "w2"]
    np.testing.assert_array_equal(back.templates[[0, 2, 3]], ours)
    assert back.templates[1].tolist() == [4] * 8 and back.templates.dtype == np.uint16
    assert back.infra[:, 0].tolist() == [7, 4, 7, 7] and back.agents[:, 0].tolist() == [9, 4, 9, 9]
