"""The traffic the throughput benchmarks run on: the simulated default mix, as recorded or
with its event time compressed to a gateway's input rate.

The recorded mix spreads ~1.2 M requests (at scale 1) over 6 hours: 14–56 records per second
of event time. Costs that come per scored account (an account is re-scored at most every
``scoring.interval_s`` of event time) and per campaign pass (every ``campaigns.interval_s``)
then weigh on every few records: the mix is the worst case for them. A gateway sending
100 k records/s packs the same records into seconds, so those costs spread over thousands
of records each. Compressing the mix's event time to a given rate (same records, same
order, same accounts) measures the pipeline at that load.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import msgspec

from detector.simulate import simulate

__all__ = ["WORKDIR", "compress_time", "simulated"]

WORKDIR = Path(tempfile.gettempdir()) / "distill-bench"
"""Where simulated traffic is kept between runs (simulating is slower than replaying)."""


def compress_time(source: Path, target: Path, rate: float) -> None:
    """Copy ``source`` with record ``i``'s ``ts`` set to ``first ts + i / rate``."""
    decoder = msgspec.json.Decoder(dict[str, object])
    encoder = msgspec.json.Encoder()
    first: float | None = None
    partial = target.with_suffix(".partial")
    with source.open("rb") as lines, partial.open("wb") as out:
        for i, line in enumerate(lines):
            record = decoder.decode(line)
            ts = record["ts"]
            if first is None and isinstance(ts, int | float):
                first = float(ts)
            record["ts"] = (first or 0.0) + i / rate
            out.write(encoder.encode(record) + b"\n")
    partial.rename(target)


def simulated(
    workdir: Path,
    scale: float,
    prompt_text: bool,
    rate: float | None = None,
    scenario: str = "mixed",
) -> Path:
    """The simulated mix in ``workdir`` (made once), as recorded or at ``rate`` records/s."""
    workdir.mkdir(parents=True, exist_ok=True)
    recorded = workdir / f"{scenario}-x{scale}-{'text' if prompt_text else 'fp'}.jsonl"
    if not recorded.exists():
        simulate(
            recorded,
            workdir / f"{recorded.stem}-labels.csv",
            scenario=scenario,
            scale=scale,
            prompt_text=prompt_text,
            bad_line_share=0.0,
            progress=True,
        )
    if rate is None:
        return recorded
    dense = recorded.with_name(f"{recorded.stem}-at-{rate:.0f}.jsonl")
    if not dense.exists():
        compress_time(recorded, dense, rate)
    return dense
