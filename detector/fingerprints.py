"""Prompt fingerprints: what the detector keeps of a prompt instead of its text.

For each prompt it computes

* ``exact``: a 64-bit hash of the normalised text (lower case, whitespace folded), equal for
  exact duplicates;
* ``prefix`` and ``suffix``: 64-bit hashes of the first and last few words with digits
  masked. Prompts built on one template with different fill-ins share the template's fixed
  words, which sit at the start (``"Think step by step …: {problem}"``) or at the end
  (``"{code} Explain this code line by line."``), so two such prompts agree on the prefix or
  on the suffix hash. Together they are the *template fingerprint*;
* ``intents``: a bit mask of configured intent patterns (chain-of-thought elicitation,
  rubric grading, …) that match the text; patterns see it lower-cased, whitespace folded.

The text itself is dropped as soon as the batch is fingerprinted: nothing downstream sees it.

The hashes of ASCII prompts and of gateway fingerprints are computed in C
(``detector/_fingerprints.c``); other prompts take the Python path, whose results the C pass
must equal (the differential tests in ``tests/test_fingerprints_c.py``). The same pass looks
for the literals the intent patterns cannot match without (:mod:`detector.literals`), and
only the prompts holding one go on to the patterns: about one in five of the benchmark mix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import re2
import xxhash

from detector import _fingerprints
from detector.config import FingerprintConfig
from detector.literals import needles
from detector.records import RecordBatch, object_column

__all__ = ["Fingerprints", "PromptFingerprinter", "normalise_prompt"]

U64 = npt.NDArray[np.uint64]
_NUMBER = re.compile(r"\d+")
_CACHE_LIMIT = 200_000
_GIVEN_SEED = 3


class _IntentMatcher:
    """All intents in one pass: an RE2 set (linear time, one scan of the text for every
    pattern). An intent using syntax only Python's engine has (backreferences, lookaround)
    runs on ``re`` instead."""

    def __init__(self, intents: list[list[str]]):
        found = needles([p for patterns in intents for p in patterns])
        self.needles = None if found is None else tuple(n.encode() for n in found)
        """UTF-8 literals a text must hold one of to match any pattern; None: no such set."""
        self._set = re2.Set.SearchSet()
        self._set_bits: list[int] = []
        self._fallback: list[tuple[int, re.Pattern[str]]] = []
        for bit, patterns in enumerate(intents):
            if not patterns:
                continue
            combined = "|".join(f"(?:{p})" for p in patterns)
            try:
                re2.compile(combined)  # a quiet syntax check; Set.Add logs its failures
            except re2.error:
                self._fallback.append((bit, re.compile(combined)))
                continue
            self._set.Add(combined)
            self._set_bits.append(bit)
        self._set.Compile()

    def mask(self, encoded: bytes) -> int:
        """Intents matching a normalised text, given as UTF-8 (which RE2 reads)."""
        mask = 0
        for index in self._set.Match(encoded) or ():
            mask |= 1 << self._set_bits[index]
        if self._fallback:
            text = encoded.decode()
            for bit, pattern in self._fallback:
                if pattern.search(text):
                    mask |= 1 << bit
        return mask


def normalise_prompt(text: str) -> str:
    """The text exact hashes and intents see: lower case, whitespace runs folded to one space.

    Examples
    --------
    >>> normalise_prompt("  Hello\\n  World ")
    'hello world'
    """
    return " ".join(text.lower().split())


def _hash(text: str | bytes, seed: int) -> int:
    """Stable across processes and machines (signatures are compared between instances);
    never 0, which means "no prompt"."""
    data = text.encode() if isinstance(text, str) else text
    return xxhash.xxh3_64_intdigest(data, seed=seed) or 1


@dataclass
class Fingerprints:
    """Fingerprint columns aligned with a :class:`~detector.records.RecordBatch`.

    A record without prompt text or gateway fingerprint has all hashes 0 and no intents.
    """

    exact: U64
    prefix: U64
    suffix: U64
    intents: npt.NDArray[np.uint16]


class PromptFingerprinter:
    """Turn prompt text (or gateway fingerprints) into :class:`Fingerprints`.

    ``native=False`` computes everything on the Python path, which the C pass must equal.

    Examples
    --------
    >>> from detector.config import FingerprintConfig
    >>> fp = PromptFingerprinter(FingerprintConfig())
    >>> a = fp.fingerprint_text("Think step by step and show your reasoning: what is 17 * 23?")
    >>> b = fp.fingerprint_text("Think step by step and show your reasoning: why is the sky blue?")
    >>> a[1] == b[1], a[0] == b[0]          # same template prefix, different prompts
    (True, False)
    >>> fp.intent_names[0], bool(a[3] & 1)  # chain-of-thought elicitation flagged
    ('cot_elicitation', True)
    """

    def __init__(self, config: FingerprintConfig, native: bool = True):
        self.intent_names: list[str] = list(config.intents)
        self._prefix_words = config.template_prefix_words
        self._suffix_words = config.template_suffix_words
        self._intents = _IntentMatcher(list(config.intents.values()))
        self._native = native
        self._cache: dict[int, int] = {}

    def fingerprint_text(self, text: str) -> tuple[int, int, int, int]:
        """``(exact, prefix, suffix, intents)`` of one prompt."""
        exact, prefix, suffix, intents = self._fingerprint_texts([text])[0].tolist()
        return exact, prefix, suffix, intents

    def fingerprint_batch(self, batch: RecordBatch) -> Fingerprints:
        """Fingerprint every record of ``batch`` and drop its prompt text."""
        n = len(batch)
        # list.count runs in C: a batch without prompt text skips the per-text work.
        without_text = batch.prompt_text.count(None)
        if without_text < n:
            table = batch.per_distinct("prompt_text", self._fingerprint_texts)
        else:
            table = np.zeros((n, 4), dtype=np.uint64)
        # A gateway fingerprint stands for the whole prompt: exact duplicates only. A record
        # with neither text nor fingerprint hashes to 0, "no prompt".
        if without_text:
            given = batch.per_distinct("prompt_fingerprint", self._given_hashes)
            if without_text == n:
                table[:, :3] = given[:, None]
            else:
                use = object_column(batch.prompt_text) == None  # noqa: E711 (elementwise)
                table[use, :3] = given[use, None]
        batch.prompt_text = [None] * n
        batch.interned.pop("prompt_text", None)
        return Fingerprints(
            table[:, 0].copy(),
            table[:, 1].copy(),
            table[:, 2].copy(),
            table[:, 3].astype(np.uint16),
        )

    def _given_hashes(self, values: list[str | None]) -> npt.NDArray[np.uint64]:
        """Gateway fingerprints are distinct almost per request: hashing each distinct value
        of a batch in C is cheaper than any cache of them."""
        if self._native:
            packed = _fingerprints.hash_strings(values, _GIVEN_SEED)
            return np.frombuffer(packed, dtype="<u8").astype(np.uint64)
        hashes = [0 if value is None else _hash(value, _GIVEN_SEED) for value in values]
        return np.array(hashes, dtype=np.uint64)

    def _fingerprint_texts(self, texts: list[str | None]) -> npt.NDArray[np.uint64]:
        """(exact, prefix, suffix, intents) per text, as rows; zeros for no text.

        The C pass hashes the ASCII texts and hands back the normalised form of those that
        hold a literal some intent pattern needs; Python runs the patterns on those, and
        does the texts the C pass left."""
        n = len(texts)
        if self._native:
            packed, candidates, normalised, left = _fingerprints.fingerprint(
                texts, self._prefix_words, self._suffix_words, self._intents.needles
            )
            rows = np.frombuffer(packed, dtype="<u8").reshape(n, 4).astype(np.uint64)
            if candidates:
                rows[candidates, 3] = self._intent_masks(rows[candidates, 0].tolist(), normalised)
        else:
            rows = np.zeros((n, 4), dtype=np.uint64)
            left = [i for i, text in enumerate(texts) if text is not None]
        for i in left:
            rows[i] = self._python_row(texts[i])  # type: ignore[arg-type]  # not None
        return rows

    def _intent_masks(self, exact: list[int], normalised: list[bytes]) -> list[int]:
        """The intents of each normalised text, cached by its exact hash: a repeated prompt
        (pipelines, agent loops) skips the patterns, and the cache holds no text."""
        cache = self._cache
        masks = list(map(cache.get, exact))
        missing = masks.count(None)
        if missing:
            if len(cache) + missing > _CACHE_LIMIT:
                cache.clear()
            mask = self._intents.mask
            for i, known in enumerate(masks):
                if known is None:
                    masks[i] = cache[exact[i]] = mask(normalised[i])
        return masks  # type: ignore[return-value]  # every None was filled

    def _python_row(self, text: str) -> tuple[int, int, int, int]:
        """The row of one prompt, with Python's Unicode case mapping, whitespace and digits."""
        words = text.lower().split()
        encoded = " ".join(words).encode()
        exact = _hash(encoded, 0)
        prefix = _hash(_NUMBER.sub("0", " ".join(words[: self._prefix_words])), 1)
        if self._suffix_words and len(words) > self._prefix_words:
            suffix = _hash(_NUMBER.sub("0", " ".join(words[-self._suffix_words :])), 2)
        else:
            suffix = prefix
        return exact, prefix, suffix, self._intents.mask(encoded)
