import dataclasses

import numpy as np

from detector.config import Config, FingerprintConfig
from detector.fingerprints import PromptFingerprinter
from tests.conftest import decode, record

FP = PromptFingerprinter(Config().fingerprints)


def fp(text: str) -> tuple[int, int, int, int]:
    return FP.fingerprint_text(text)


def test_exact_hash_ignores_case_and_whitespace_only() -> None:
    assert fp("What is  a monad?")[0] == fp("what is a\nmonad?")[0]
    assert fp("What is a monad?")[0] != fp("What is a functor?")[0]


def test_template_with_fill_in_at_the_end_shares_the_prefix() -> None:
    a = fp("Articulate the internal reasoning behind your solution to: sort a linked list")
    b = fp(
        "Articulate the internal reasoning behind your solution to: invert a binary tree "
        "without recursion"
    )
    assert a[1] == b[1] and a[0] != b[0]


def test_template_with_fill_in_at_the_start_shares_the_suffix() -> None:
    a = fp("def f(x): return x * 2. Explain this code line by line please.")
    b = fp("SELECT * FROM users WHERE id = 3; Explain this code line by line please.")
    assert a[2] == b[2] and a[1] != b[1]


def test_digits_are_masked_in_templates() -> None:
    assert fp("Problem 17 of 200: compute the sum")[1] == fp("Problem 9 of 300: integrate x")[1]


def test_unrelated_prompts_differ_everywhere() -> None:
    a = fp("Can you recommend a good book about the history of Rome for a teenager?")
    b = fp("My sourdough starter smells like acetone, what am I doing wrong with feeding?")
    assert a[0] != b[0] and a[1] != b[1] and a[2] != b[2]


def test_intent_flags() -> None:
    names = FP.intent_names
    cot, rubric = 1 << names.index("cot_elicitation"), 1 << names.index("rubric_grading")
    assert fp("Think step by step: what is 2+2?")[3] == cot
    assert fp("Show all of your internal reasoning before answering.")[3] & cot
    assert fp("Grade the following answer against this rubric: ...")[3] == rubric
    assert fp("What is the capital of France?")[3] == 0


def test_configured_intents() -> None:
    custom = PromptFingerprinter(FingerprintConfig(intents={"pirate": [r"\barr+\b"]}))
    assert custom.intent_names == ["pirate"]
    assert custom.fingerprint_text("ARRR matey")[3] == 1
    assert custom.fingerprint_text("arrange flowers")[3] == 0


def test_batch_drops_text_and_uses_gateway_fingerprints() -> None:
    batch = decode(
        [
            record(prompt_text="Think step by step: why?"),
            record(prompt_fingerprint="gw-abc"),
            record(prompt_fingerprint="gw-abc"),
            record(),
        ]
    )
    assert "prompt_text" in batch.interned
    fps = FP.fingerprint_batch(batch)
    assert batch.prompt_text == [None, None, None, None]
    assert "prompt_text" not in batch.interned  # the decoder's copy of the text goes too
    assert not any("step" in (v or "") for c in batch.interned.values() for v in c.values)
    assert fps.exact[1] == fps.exact[2] != 0 and fps.prefix[1] == fps.exact[1]
    assert fps.exact[3] == fps.prefix[3] == fps.intents[3] == 0
    assert fps.intents[0] != 0 and fps.intents[1] == 0


def test_fingerprints_are_stable_across_processes() -> None:
    import subprocess
    import sys

    code = (
        "from detector.config import Config; from detector.fingerprints import "
        "PromptFingerprinter as P; print(P(Config().fingerprints)"
        ".fingerprint_text('Hello there, general'))"
    )
    outs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            env={"PYTHONHASHSEED": str(seed)},
        ).stdout
        for seed in (1, 2)
    }
    assert len(outs) == 1 and str(fp("Hello there, general")) in outs.pop()


def test_patterns_re2_cannot_run_fall_back_to_python_re() -> None:
    custom = PromptFingerprinter(FingerprintConfig(intents={"echo": [r"\b(\w+) \1\b"]}))
    assert custom.fingerprint_text("say it it again")[3] == 1
    assert custom.fingerprint_text("say it again")[3] == 0


def test_batches_of_one_kind_fingerprint_like_mixed_ones() -> None:
    texts = [record(prompt_text=f"Explain topic {i} step by step") for i in range(3)]
    given = [record(prompt_fingerprint=f"gw-{i % 2}") for i in range(3)]
    both = record(prompt_text="Explain topic 0 step by step", prompt_fingerprint="gw-9")
    mixed = FP.fingerprint_batch(decode([*texts, *given, both, record()]))
    only_text = FP.fingerprint_batch(decode(texts))
    only_given = FP.fingerprint_batch(decode(given))
    assert mixed.exact[:3].tolist() == only_text.exact.tolist()
    assert mixed.exact[3:6].tolist() == only_given.exact.tolist()
    assert only_given.exact[0] == only_given.exact[2] != only_given.exact[1]
    assert mixed.exact[6] == mixed.exact[0]  # text wins over the gateway's fingerprint
    assert mixed.exact[7] == 0


def test_interned_batches_and_their_pieces_fingerprint_like_plain_lists() -> None:
    recs = [record(prompt_text=f"Explain topic {i % 3} step by step") for i in range(8)]
    recs += [record(prompt_fingerprint=f"gw-{i % 2}") for i in range(4)] + [record()]
    whole = decode(recs)
    for piece in (whole, whole.slice(2, 11), whole.take(np.arange(len(whole)) % 3 != 1)):
        plain = dataclasses.replace(piece, interned={}, prompt_text=list(piece.prompt_text))
        assert piece.interned and not plain.interned
        got, expected = FP.fingerprint_batch(piece), FP.fingerprint_batch(plain)
        for name in ("exact", "prefix", "suffix", "intents"):
            np.testing.assert_array_equal(getattr(got, name), getattr(expected, name), name)
        assert got.exact.all() == expected.exact.all()


def test_cached_rows_equal_computed_ones_to_the_full_64_bits() -> None:
    import xxhash

    fresh = PromptFingerprinter(Config().fingerprints)
    texts = [f"Prompt  number {i}: think STEP by step" for i in range(64)]
    records = [record(prompt_text=text) for text in texts]
    computed = fresh.fingerprint_batch(decode(records))
    cached = fresh.fingerprint_batch(decode(records))  # every text a cache hit now
    expected = [xxhash.xxh3_64_intdigest(" ".join(t.lower().split()).encode()) for t in texts]
    assert computed.exact.tolist() == cached.exact.tolist() == expected
    assert max(expected) >= 2**63  # the top bit survives the cache's packing
    assert (computed.intents == cached.intents).all() and computed.intents.all()
    for field in ("prefix", "suffix"):
        assert (getattr(computed, field) == getattr(cached, field)).all()
