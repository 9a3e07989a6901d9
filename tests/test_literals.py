"""The literals a pattern needs: never one a match could do without."""

import re

import pytest
import re2
from hypothesis import given, settings
from hypothesis import strategies as st

from detector.config import FingerprintConfig
from detector.literals import needles, required_literals

PATTERNS = [
    r"a(b|c)d",
    r"ab+c",
    r"(ab)*c",
    r"x{2,3}y",
    r"x{0,3}yz",
    r"(?:foo|bar)baz",
    r"foo(?=bar)",
    r"(?<!q)rst",
    r"(a|)bc",
    r"[ab]cd",
    r"a.b",
    r"a\.b",
    r"\bab\b",
    r"ab|cd",
    r"(ab|cd)+ef",
    r"a{,2}bc",
    r"q(?:rs)?t",
    r"(?>ab|c)d",
    r"ab*+c",
    r"(ab)\1",
    r"a\sb",
    r"^ab$",
    r"(?s:a.)b",
    r"(?i)Abc",
    r"(?i:Ab)c",
    *[p for patterns in FingerprintConfig().intents.values() for p in patterns],
]


@pytest.mark.parametrize("pattern", PATTERNS)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_a_text_a_pattern_matches_holds_one_of_its_literals(
    pattern: str, data: st.DataObject
) -> None:
    """Texts drawn to match (hypothesis builds them from the pattern), checked with both
    engines the matcher uses."""
    required = required_literals(pattern)
    text = data.draw(st.from_regex(pattern))
    assert re.search(pattern, text)
    if required is None:
        return
    for engine in (re, re2):
        try:
            found = engine.search(pattern, text)
        except (re.error, re2.error):  # RE2 lacks lookarounds and backreferences
            continue
        if found:
            assert any(s in text for s in required), (engine.__name__, pattern, text, required)


@pytest.mark.parametrize(
    ("pattern", "required"),
    [
        (r"a(b|c)d", {"a", "d"}),  # a class: either letter alone stands
        (r"(?:foo|bar)baz", {"baz"}),
        (r"(ab|cd)+ef", {"ef"}),
        (r"foo(?=bar)", {"foo"}),
        (r"internal reasoning", {"internal reasoning"}),
        (r"(show|explain)\b.{0,40}\b(reasoning|thinking)", {"reasoning", "thinking"}),
        (r"x{0,3}", None),
        (r"(a|)bc", {"bc"}),
        (r"(a|)", None),
        (r"(?i)abc", None),
        (r"(?i:abc)", None),
        (r"[ab]", None),
    ],
)
def test_required_literals(pattern: str, required: set[str] | None) -> None:
    found = required_literals(pattern)
    if required is None:
        assert found is None
    else:
        assert found is not None and (found == required or (len(found) == 1 and found <= required))


def test_needles_are_none_when_one_pattern_needs_nothing() -> None:
    assert needles([r"rubric", r"[a-z]+"]) is None
    assert needles([r"rubric", r"rubrics", r"(x|y)z"]) == ("rubric", "z")
