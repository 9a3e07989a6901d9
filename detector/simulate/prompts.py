"""Fast prompt rendering from the template families, and the gateway-side fingerprint.

Templates are parsed once into nested tuples of literal strings and pool references, so
rendering one prompt is a handful of ``random()`` calls and a ``"".join``: this runs once per
simulated request (about a million times for the default scenario).
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence

import xxhash

from detector.fingerprints import normalise_prompt
from detector.simulate.templates import FAMILIES, FRAME_POOLS, Family
from detector.simulate.vocab import POOLS

__all__ = ["PromptRenderer", "fingerprint", "normalise_prompt"]

_SLOT = re.compile(r"\{([a-z_0-9]+)\}")


class _Pool:
    """Entries of one pool after parsing; ``entries[i]`` is a str or a parsed template."""

    __slots__ = ("entries", "name")

    def __init__(self, name: str) -> None:
        self.name = name
        self.entries: list[str | tuple[str | _Pool, ...]] = []


_Parsed = tuple[str | _Pool, ...]


def _parse(text: str, pools: Mapping[str, _Pool], where: str) -> str | _Parsed:
    parts: list[str | _Pool] = []
    pos = 0
    for m in _SLOT.finditer(text):
        if m.start() > pos:
            parts.append(text[pos : m.start()])
        name = m.group(1)
        if name not in pools:
            raise KeyError(f"{where}: unknown pool {{{name}}} in {text!r}")
        parts.append(pools[name])
        pos = m.end()
    rest = text[pos:]
    if "{" in rest or "}" in rest or any("{" in p or "}" in p for p in parts if isinstance(p, str)):
        raise ValueError(f"{where}: stray brace in {text!r}")
    if not parts:
        return rest
    if rest:
        parts.append(rest)
    return tuple(parts)


def _compile_pools(raw: Mapping[str, Sequence[str]]) -> dict[str, _Pool]:
    pools = {name: _Pool(name) for name in raw}
    for name, entries in raw.items():
        if not entries:
            raise ValueError(f"pool {name!r} is empty")
        pools[name].entries = [_parse(e, pools, f"pool {name!r}") for e in entries]
    return pools


def fingerprint(text: str) -> str:
    """Gateway-side prompt fingerprint: 16 hex chars of xxh3_64 over the normalised text.

    Parameters
    ----------
    text : str
        Raw prompt text.

    Returns
    -------
    str
        16 lower-case hexadecimal characters.

    Examples
    --------
    >>> fingerprint("Hello  world") == fingerprint("hello world")
    True
    >>> len(fingerprint("x"))
    16
    """
    return xxhash.xxh3_64_hexdigest(normalise_prompt(text).encode("utf-8"))


class PromptRenderer:
    """Render prompts of the named families with one seeded RNG.

    Parameters
    ----------
    seed : int
        Seed of the renderer's private :class:`random.Random`.
    families : mapping of str to Family, optional
        Families to compile; defaults to :data:`detector.simulate.templates.FAMILIES`.
    reuse_window : int
        How many recent prompts per family are remembered for campaign-style re-asks.
    """

    def __init__(
        self,
        seed: int,
        families: Mapping[str, Family] | None = None,
        reuse_window: int = 4096,
    ) -> None:
        fams = FAMILIES if families is None else families
        pools = _compile_pools({**POOLS, **FRAME_POOLS})
        self._rng = random.Random(seed)
        self._random = self._rng.random
        self.names: list[str] = list(fams)
        self._index = {name: i for i, name in enumerate(self.names)}
        self._frames: list[list[str | _Parsed]] = [
            [_parse(f, pools, f"family {name!r}") for f in fam.frames] for name, fam in fams.items()
        ]
        self._reuse = [fam.reuse_share for fam in fams.values()]
        self._recent: list[list[str]] = [[] for _ in self.names]
        self._window = reuse_window

    def family_id(self, name: str) -> int:
        """Dense id of family ``name`` (raises ``KeyError`` with the valid names)."""
        try:
            return self._index[name]
        except KeyError:
            raise KeyError(f"unknown prompt family {name!r}; known: {self.names}") from None

    def render(self, family: int) -> str:
        """Render one prompt of family id ``family``."""
        rnd = self._random
        share = self._reuse[family]
        if share:
            recent = self._recent[family]
            if recent and rnd() < share:
                return recent[int(rnd() * len(recent))]
        frames = self._frames[family]
        frame = frames[int(rnd() * len(frames))]
        if isinstance(frame, str):
            text = frame
        else:
            out: list[str] = []
            self._fill(frame, out)
            text = "".join(out)
        if share:
            if len(recent) < self._window:
                recent.append(text)
            else:
                recent[int(rnd() * self._window)] = text
        return text

    def _fill(self, parts: _Parsed, out: list[str]) -> None:
        rnd = self._random
        for part in parts:
            if isinstance(part, str):
                out.append(part)
                continue
            entries = part.entries
            entry = entries[int(rnd() * len(entries))]
            if isinstance(entry, str):
                out.append(entry)
            else:
                self._fill(entry, out)
