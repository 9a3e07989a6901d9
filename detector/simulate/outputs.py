"""Per-request response fields, drawn in bulk for one account at a time.

Given an :class:`~detector.simulate.profiles.OutputSpec` and the number of requests, draw
model, token counts, caps, finish reasons, flags, then errors and latency, all as NumPy
arrays. The rules that keep a record self-consistent live here:

* ``finish_reason == "length"`` means the answer stopped exactly at the cap: ``max_tokens``
  when the client set it, the API's default cap otherwise; other answers stay below the cap.
* ``completion_tokens`` counts all ``n`` choices.
* A failed request (status other than 200) returns no tokens and no finish reason; a 429 or
  other 4xx is rejected before the prompt is processed, so it bills no prompt tokens either.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from detector.simulate.profiles import LARGE_MODEL, ErrorSpec, LogNormal, OutputSpec
from detector.simulate.traffic import MODELS

__all__ = [
    "CONTENT_FILTER",
    "LENGTH",
    "NO_FINISH",
    "STOP",
    "TOOL_USE",
    "burst_mask",
    "choose",
    "errors",
    "latency_ms",
    "lognormal",
    "responses",
]

STOP, LENGTH, TOOL_USE, CONTENT_FILTER, NO_FINISH = 0, 1, 2, 3, -1

_SERVER_ERRORS = np.array([500, 502, 503, 529], dtype=np.int16)
_SERVER_WEIGHTS = np.array([0.35, 0.15, 0.2, 0.3])
_CLIENT_ERRORS = np.array([400, 401, 413, 422], dtype=np.int16)
_CLIENT_WEIGHTS = np.array([0.5, 0.15, 0.15, 0.2])

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


def lognormal(rng: np.random.Generator, d: LogNormal, n: int) -> Floats:
    """``n`` draws of ``d``; out-of-range draws are re-drawn (then clipped, rarely)."""
    out = d.median * np.exp(d.sigma * rng.standard_normal(n))
    for _ in range(8):
        bad = (out < d.lo) | (out > d.hi)
        k = int(bad.sum())
        if not k:
            break
        out[bad] = d.median * np.exp(d.sigma * rng.standard_normal(k))
    clipped: Floats = np.clip(out, d.lo, d.hi)
    return clipped


def choose(
    rng: np.random.Generator, weighted: Sequence[tuple[object, float]], n: int
) -> npt.NDArray[np.intp]:
    """Indices into ``weighted`` drawn with its (unnormalised) weights."""
    w = np.array([x[1] for x in weighted], dtype=np.float64)
    idx: npt.NDArray[np.intp] = rng.choice(len(w), size=n, p=w / w.sum())
    return idx


def _per(
    spec: OutputSpec,
    name: str,
    segment: npt.NDArray[np.intp],
    n_segments: int,
    draw: Callable[[int], np.ndarray],
) -> np.ndarray:
    """Draw a field per segment or per request, as the spec says."""
    if name in spec.per_segment:
        values: np.ndarray = draw(n_segments)
        return values[segment]
    per_request: np.ndarray = draw(len(segment))
    return per_request


def responses(
    rng: np.random.Generator,
    spec: OutputSpec,
    segment: npt.NDArray[np.intp],
    n_segments: int,
    *,
    prompt_tokens: Ints | None = None,
) -> dict[str, np.ndarray]:
    """Draw the request settings and the successful response of each request.

    Parameters
    ----------
    rng : numpy.random.Generator
        Generation RNG.
    spec : OutputSpec
        What this kind of client asks for and gets.
    segment : ndarray of int
        Segment (session, loop, pipeline) of each request, in ``[0, n_segments)``.
    n_segments : int
        Number of segments.
    prompt_tokens : ndarray of int, optional
        Prompt sizes computed by the caller (agents' growing contexts); drawn otherwise.

    Returns
    -------
    dict of str to ndarray
        Columns ``model, prompt_tokens, completion_tokens, max_tokens, finish, reasoning,
        logprobs, n, temperature`` (see :data:`detector.simulate.traffic.COLUMNS`).
    """
    n = len(segment)
    model_codes = np.array([MODELS.index(m) for m, _ in spec.models], dtype=np.int8)
    model = _per(
        spec, "model", segment, n_segments, lambda k: model_codes[choose(rng, spec.models, k)]
    )
    caps = np.asarray(spec.max_tokens, dtype=np.int64)
    max_tokens = _per(
        spec,
        "max_tokens",
        segment,
        n_segments,
        lambda k: np.where(rng.random(k) < spec.max_tokens_share, rng.choice(caps, k), -1),
    )
    temps = np.array([np.nan if t is None else t for t, _ in spec.temperatures])
    temperature = _per(
        spec, "temperature", segment, n_segments, lambda k: temps[choose(rng, spec.temperatures, k)]
    )
    reasoning = _per(
        spec, "reasoning", segment, n_segments, lambda k: rng.random(k) < spec.reasoning_share
    )
    n_choices = np.where(
        rng.random(n) < spec.multi_n_share, rng.choice(np.asarray(spec.n_choices), n), 1
    )
    logprobs = np.where(
        rng.random(n) < spec.logprobs_share, rng.choice(np.asarray(spec.logprobs), n), -1
    )
    if prompt_tokens is None:
        prompt_tokens = np.rint(lognormal(rng, spec.prompt_tokens, n)).astype(np.int64)

    cap = np.where(max_tokens >= 0, max_tokens, spec.default_cap).astype(np.int64)
    u = rng.random(n)
    finish = np.full(n, STOP, dtype=np.int8)
    edge = spec.length_share
    finish[u < edge] = LENGTH
    finish[(u >= edge) & (u < edge + spec.tool_use_share)] = TOOL_USE
    edge += spec.tool_use_share
    finish[(u >= edge) & (u < edge + spec.content_filter_share)] = CONTENT_FILTER

    per_choice = lognormal(rng, spec.completion_tokens, n)
    per_choice *= np.where(reasoning, spec.reasoning_boost, 1.0)
    # Answers that would overrun the cap without being "length" are redrawn below it,
    # spread out rather than piled up at cap - 1.
    over = per_choice >= cap
    per_choice[over] = cap[over] * rng.uniform(0.5, 0.98, int(over.sum()))
    per_choice = np.clip(np.rint(per_choice), 1, np.maximum(cap - 1, 1))
    per_choice = np.where(finish == LENGTH, cap, per_choice)
    filtered = finish == CONTENT_FILTER
    per_choice[filtered] = rng.integers(0, 40, int(filtered.sum()))
    completion = (per_choice * n_choices).astype(np.int64)

    return {
        "model": model,
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion,
        "max_tokens": max_tokens,
        "finish": finish,
        "reasoning": reasoning,
        "logprobs": logprobs,
        "n": n_choices,
        "temperature": temperature,
    }


def burst_mask(
    rng: np.random.Generator, n: int, share: float, mean_len: float
) -> npt.NDArray[np.bool_]:
    """Mark about ``share`` of ``n`` consecutive requests, in runs of ~``mean_len``."""
    mask = np.zeros(n, dtype=bool)
    if n == 0 or share <= 0:
        return mask
    runs = int(rng.poisson(share * n / mean_len))
    if runs == 0:
        return mask
    starts = rng.integers(0, n, runs)
    ends = np.minimum(starts + rng.geometric(1.0 / mean_len, runs), n)
    delta = np.zeros(n + 1, dtype=np.int64)
    np.add.at(delta, starts, 1)
    np.add.at(delta, ends, -1)
    mask = np.cumsum(delta[:n]) > 0
    return mask


def errors(
    rng: np.random.Generator, spec: ErrorSpec, cols: dict[str, np.ndarray]
) -> npt.NDArray[np.int16]:
    """Draw HTTP statuses for requests in time order and blank the failed responses.

    ``cols`` (from :func:`responses`) is updated in place; the status column is returned.
    """
    n = len(cols["finish"])
    status = np.full(n, 200, dtype=np.int16)
    share = rng.uniform(*spec.rate_limited) if spec.rate_limited[1] > 0 else 0.0
    status[burst_mask(rng, n, share, spec.burst_len)] = 429
    u = rng.random(n)
    ok = status == 200
    server = ok & (u < spec.server_error_share)
    status[server] = rng.choice(_SERVER_ERRORS, int(server.sum()), p=_SERVER_WEIGHTS)
    client = ok & (u >= spec.server_error_share)
    client &= u < spec.server_error_share + spec.client_error_share
    status[client] = rng.choice(_CLIENT_ERRORS, int(client.sum()), p=_CLIENT_WEIGHTS)
    failed = status != 200
    cols["completion_tokens"][failed] = 0
    cols["finish"][failed] = NO_FINISH
    cols["prompt_tokens"][(status >= 400) & (status < 500)] = 0
    return status


def latency_ms(
    rng: np.random.Generator, cols: dict[str, np.ndarray], status: npt.NDArray[np.int16]
) -> Floats:
    """Gateway latency: time to first token, streaming time, and fast failures."""
    n = len(status)
    large = cols["model"] == MODELS.index(LARGE_MODEL)
    ttft = np.where(large, 700.0, 350.0) * np.exp(0.35 * rng.standard_normal(n))
    ms_per_token = np.where(large, 14.0, 6.0) * rng.uniform(0.8, 1.25, n)
    # Choices stream in parallel, so wall time follows one choice's length.
    per_choice = cols["completion_tokens"] / np.maximum(cols["n"], 1)
    lat = ttft + per_choice * ms_per_token + cols["prompt_tokens"] * 0.015
    rejected = (status >= 400) & (status < 500)
    lat[rejected] = rng.uniform(3, 40, int(rejected.sum()))
    server = status >= 500
    lat[server] = np.clip(1_500 * np.exp(rng.standard_normal(int(server.sum()))), 20, 60_000)
    rounded: Floats = np.round(lat, 1)
    return rounded
