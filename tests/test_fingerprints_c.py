"""The C pass of prompt fingerprints (detector/_fingerprints.c) against the Python path.

The C pass takes ASCII prompts only, and what it computes must equal what the Python path
(Unicode lower(), split() and \\d) computes for them, to all 64 bits: fingerprints are
compared between instances and across checkpoints. The differential tests fingerprint the
same texts with the C pass on and off; the direct tests check that the pass does take the
ASCII texts (else the differential tests would hold trivially) and leaves the others.
"""

import numpy as np
import pytest
import xxhash
from hypothesis import given, settings
from hypothesis import strategies as st

from detector import _fingerprints
from detector.config import Config, FingerprintConfig
from detector.fingerprints import PromptFingerprinter, normalise_prompt
from tests.conftest import decode, record

# Every ASCII whitespace str.split() knows, digits, both cases, punctuation and controls.
ASCII = st.text(
    alphabet=st.sampled_from(
        list(" \t\n\x0b\x0c\r\x1c\x1d\x1e\x1f")
        + list("0123456789")
        + list("aAzZmQ-_.:;'\"?")
        + ["\x00", "\x01", "\x7f", "\x1b"]
    ),
    max_size=200,
)
WORDS = st.integers(min_value=1, max_value=12)


def pair(prefix: int = 4, suffix: int = 4) -> tuple[PromptFingerprinter, PromptFingerprinter]:
    config = FingerprintConfig(template_prefix_words=prefix, template_suffix_words=suffix)
    return PromptFingerprinter(config), PromptFingerprinter(config, native=False)


def assert_same_rows(texts: list[str | None], prefix: int = 4, suffix: int = 4) -> None:
    fast, slow = pair(prefix, suffix)
    np.testing.assert_array_equal(fast._fingerprint_texts(texts), slow._fingerprint_texts(texts))


@settings(max_examples=400, deadline=None)
@given(st.lists(ASCII, max_size=8), WORDS, st.integers(min_value=0, max_value=12))
def test_ascii_texts_fingerprint_as_on_the_python_path(
    texts: list[str], prefix: int, suffix: int
) -> None:
    assert_same_rows(texts, prefix, suffix)


# Running text: words of the bytes around the case and space boundaries ("@" and "[" around
# A-Z, "`" and "{" around a-z, "!" after the space), mostly single spaces between them.
RUNNING = st.lists(
    st.tuples(
        st.text(alphabet="aAzZmM@[`{!~09\x7f", min_size=1, max_size=14),
        st.sampled_from([" ", " ", " ", " ", "  ", "\t", " \x1f ", "\x00", "\n"]),
    ),
    max_size=30,
).map(lambda words: "".join(word + gap for word, gap in words))


@settings(max_examples=400, deadline=None)
@given(st.lists(RUNNING, max_size=6), WORDS, st.integers(min_value=0, max_value=12))
def test_running_text_fingerprints_as_on_the_python_path(
    texts: list[str], prefix: int, suffix: int
) -> None:
    """The C pass reads words and single spaces eight bytes at a time: every word and
    space boundary must land where the Python path puts it."""
    assert_same_rows(texts, prefix, suffix)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), ASCII, st.text(max_size=60)), max_size=8))
def test_mixed_batches_fingerprint_as_on_the_python_path(texts: list[str | None]) -> None:
    assert_same_rows(texts)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \t\n ",
        "one",
        "  Leading and trailing  ",
        "Problem 17 of 200: compute 3.14159 * 2",
        "x1y22z333 0 00 a0b",
        "four words exactly here",
        "five words are right here",
        "a b c d e f g h i j k l m n o p",
        "tab\tand\x1cfile\x1dgroup\x1erecord\x1funit\x0bvt\x0cff\rcr separators",
        "NUL\x00inside and DEL\x7f",
    ],
)
@pytest.mark.parametrize(("prefix", "suffix"), [(4, 4), (1, 0), (4, 0), (3, 8), (32, 32)])
def test_edge_texts_fingerprint_as_on_the_python_path(text: str, prefix: int, suffix: int) -> None:
    assert_same_rows([text], prefix, suffix)


def test_the_c_pass_takes_ascii_and_leaves_the_rest() -> None:
    texts = ["Think Step by step: 2+2?", "", None, "Crème brûlée", "İstanbul", "snow ☃", "a\u2003b"]
    rows, candidates, normalised, left = _fingerprints.fingerprint(texts, 4, 4, None)
    assert candidates == [0, 1] and normalised == [b"think step by step: 2+2?", b""]
    assert left == [3, 4, 5, 6]
    table = np.frombuffer(rows, dtype="<u8").reshape(len(texts), 4)
    assert table[0, :3].all() and not table[2:].any() and not table[:, 3].any()
    expected = xxhash.xxh3_64_intdigest(b"think step by step: 2+2?")
    assert int(table[0, 0]) == expected


def test_only_texts_holding_a_needle_are_candidates() -> None:
    texts = ["Show me a RUBRIC", "no such word", "a b", "x", "ends with ru", "STEP", "b"]
    needles = (b"rubric", b"step", b"b")  # a one-byte needle too
    rows, candidates, normalised, left = _fingerprints.fingerprint(texts, 4, 4, needles)
    assert candidates == [0, 2, 5, 6] and left == []
    assert normalised == [b"show me a rubric", b"a b", b"step", b"b"]
    # The hashes do not depend on the needles.
    assert rows == _fingerprints.fingerprint(texts, 4, 4, None)[0]
    assert _fingerprints.fingerprint(texts, 4, 4, ())[1] == []
    with pytest.raises(ValueError, match="non-empty"):
        _fingerprints.fingerprint(texts, 4, 4, (b"",))


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.text(alphabet="abcAB \t", max_size=30), max_size=6),
    st.lists(st.text(alphabet="abc ", min_size=1, max_size=6), min_size=1, max_size=5),
)
def test_a_text_is_a_candidate_exactly_when_it_holds_a_needle(
    texts: list[str], needles: list[str]
) -> None:
    """Needles of every length the scan treats apart (one byte, two or three, four and
    more), anywhere in the text, the ends included."""
    encoded = tuple(n.encode() for n in needles)
    _, candidates, normalised, _ = _fingerprints.fingerprint(texts, 4, 4, encoded)
    folded = [normalise_prompt(t).encode() for t in texts]
    assert candidates == [i for i, t in enumerate(folded) if any(n in t for n in encoded)]
    assert normalised == [folded[i] for i in candidates]


INTENT_WORDS = st.sampled_from(
    [
        "step",
        "by",
        "step-by-step",
        "Step",
        "show",
        "write",
        "out",
        "explain",
        "walk",
        "me",
        "through",
        "your",
        "reasoning",
        "thinking",
        "thought",
        "process",
        "chain",
        "of",
        "internal",
        "every",
        "before",
        "answering,",
        "trace",
        "behind",
        "rubric",
        "grade",
        "the",
        "this",
        "following",
        "answer",
        "response",
        "solution",
        "score",
        "1",
        "one",
        "to",
        "10",
        "ten",
        "5",
        "justify",
        "each",
        "criterion",
        "7",
        "rubrics",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(INTENT_WORDS, max_size=14).map(" ".join), max_size=6))
def test_the_needles_keep_every_text_an_intent_matches(texts: list[str]) -> None:
    """Texts made of the default patterns' own words: with the needles in front of the
    patterns, the intents are those the patterns alone give (the Python path)."""
    assert PromptFingerprinter(FingerprintConfig())._intents.needles is not None
    assert_same_rows(texts)


@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        ("İstanbul Crème", "i̇stanbul crème"),  # İ lower-cases to two code points
        ("a\u2003b\u00a0c\u2028d", "a b c d"),  # Unicode whitespace splits words
        ("ΟΔΟΣ ΣΟΦΙΑ", "οδος σοφια"),  # a final sigma depends on its context
    ],
)
def test_unicode_texts_take_the_python_path(text: str, normalised: str) -> None:
    fast, slow = pair()
    assert fast.fingerprint_text(text) == slow.fingerprint_text(text)
    assert fast.fingerprint_text(text)[0] == xxhash.xxh3_64_intdigest(normalised.encode())


def test_unicode_digits_are_masked_on_the_python_path() -> None:
    fast, _ = pair()
    arabic_indic = "Problem \u0661\u0667 of \u0662\u0660\u0660: compute"
    assert fast.fingerprint_text(arabic_indic)[1] == fast.fingerprint_text("Problem 5 of 9: x")[1]


def test_gateway_fingerprints_hash_as_xxhash() -> None:
    values = ["gw-abc", None, "", "é☃😀", "x" * 300]
    fast, slow = pair()
    expected = [0 if v is None else xxhash.xxh3_64_intdigest(v.encode(), seed=3) for v in values]
    assert fast._given_hashes(values).tolist() == slow._given_hashes(values).tolist() == expected


def test_gateway_fingerprints_refuse_what_is_not_a_string() -> None:
    with pytest.raises(TypeError, match="int"):
        _fingerprints.hash_strings(["ok", 7], 3)  # type: ignore[list-item]
    with pytest.raises(UnicodeEncodeError):
        _fingerprints.hash_strings(["\ud800"], 3)


def test_batches_fingerprint_alike_on_both_paths() -> None:
    accent = ["", " é"]
    records = [
        record(prompt_text=f"Explain {i % 5} STEP by step{accent[i % 2]}") for i in range(20)
    ]
    records += [record(prompt_fingerprint=f"gw-{i}") for i in range(5)] + [record()]
    fast = PromptFingerprinter(Config().fingerprints).fingerprint_batch(decode(records))
    slow = PromptFingerprinter(Config().fingerprints, native=False).fingerprint_batch(
        decode(records)
    )
    for name in ("exact", "prefix", "suffix", "intents"):
        np.testing.assert_array_equal(getattr(fast, name), getattr(slow, name), name)
    assert fast.intents[:20].all() and fast.exact[:-1].all() and fast.exact[-1] == 0
