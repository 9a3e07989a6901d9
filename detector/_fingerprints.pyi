"""Types of the C pass of prompt fingerprints (detector/_fingerprints.c)."""

def fingerprint(
    texts: list[str | None],
    prefix_words: int,
    suffix_words: int,
    needles: tuple[bytes, ...] | None,
) -> tuple[bytes, list[int], list[bytes], list[int]]: ...
def hash_strings(values: list[str | None], seed: int) -> bytes: ...
