"""The literal strings a regular expression cannot match without: a prefilter for patterns.

Most prompts match no intent pattern, and most of them lack the words the patterns are built
on. :func:`required_literals` reads those words off a pattern's syntax tree, so that a text
without any of them skips the patterns (``detector/_fingerprints.c`` looks for them in the
pass that normalises the text).

It must never rule out a text a pattern matches, so it claims a requirement only from plain
literals, groups, alternations and repeats of at least one, whose meaning Python's ``re``
and RE2 share; anything else (classes, ``.``, lookarounds, backreferences, case-insensitive
flags) is taken to require nothing.
"""

from __future__ import annotations

import re
import re._constants as sre
import re._parser as sre_parse
from typing import Any

__all__ = ["needles", "required_literals"]

_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)


def required_literals(pattern: str) -> frozenset[str] | None:
    """Strings of which every match of ``pattern`` contains at least one; ``None`` when
    the pattern's syntax promises none.

    Examples
    --------
    >>> sorted(required_literals(r"(show|explain)\\b.{0,40}\\b(reasoning|thinking)"))
    ['reasoning', 'thinking']
    >>> required_literals(r"step[- ]by[- ]step")
    frozenset({'step'})
    >>> required_literals(r"(?i)rubric"), required_literals(r"a?b*")
    (None, None)
    """
    tree = sre_parse.parse(pattern)
    if tree.state.flags & re.IGNORECASE:
        return None
    return _sequence(tree.data)


def needles(patterns: list[str]) -> tuple[str, ...] | None:
    """Strings of which any text some pattern of ``patterns`` matches contains one (each
    shortest one only: a text holding a longer one holds it too); ``None`` if a pattern
    requires nothing.

    Examples
    --------
    >>> needles([r"internal reasoning", r"(show|explain) reasoning", r"\\brubric\\b"])
    (' reasoning', 'rubric')
    >>> needles([r"rubric", r"\\w+"]) is None
    True
    """
    found: set[str] = set()
    for pattern in patterns:
        required = required_literals(pattern)
        if required is None:
            return None
        found |= required
    return tuple(sorted(s for s in found if not any(other != s and other in s for other in found)))


def _sequence(items: list[tuple[Any, Any]]) -> frozenset[str] | None:
    """The best requirement among the elements of a sequence: every match of the sequence
    holds a match of each element, so any one element's requirement holds for the whole."""
    options: list[frozenset[str]] = []
    run: list[str] = []
    for op, av in items:
        if op is sre.LITERAL:
            run.append(chr(av))
            continue
        if run:
            options.append(frozenset(["".join(run)]))
            run = []
        required = _element(op, av)
        if required is not None:
            options.append(required)
    if run:
        options.append(frozenset(["".join(run)]))
    # Longer strings are rarer in text, and fewer of them are quicker to look for.
    return max(options, key=lambda o: (min(map(len, o)), -len(o)), default=None)


def _element(op: Any, av: Any) -> frozenset[str] | None:
    if op is sre.SUBPATTERN:
        _, add_flags, del_flags, body = av
        return None if add_flags or del_flags else _sequence(body.data)
    if op is sre.ATOMIC_GROUP:
        return _sequence(av.data)
    if op in _REPEATS:
        low, _, body = av
        return _sequence(body.data) if low >= 1 else None
    if op is sre.BRANCH:
        found: set[str] = set()
        for branch in av[1]:
            required = _sequence(branch.data)
            if required is None:
                return None
            found |= required
        return frozenset(found)
    return None
