"""Resident memory per tracked account for the whole detector, at 10 k, 100 k and 1 M accounts.

Target (the scale issue): at most 2 KiB of RSS per tracked account at 1 M accounts.

Each size runs in a fresh interpreter (this script re-invoked with ``--one N``), so one
size's heap never inflates the next one's figures. In that process:

1. the synthetic input is generated as compact NumPy columns (event time and account of
   every record, and each account's orgs, IPs, user agents and templates), together with the
   small pools of prompt texts and user-agent strings the records draw from. It stays alive
   until the end, so it is in both RSS readings and cancels out;
2. ``Pipeline(Config())`` is built (default config: campaigns on, ``state.max_accounts``
   1 M), ``gc.collect()``, and VmRSS is read (current, not peak);
3. N distinct accounts each send ``--requests`` (8) requests at uniform random times over
   ``--span-h`` (2) hours of event time, fed in event-time order as :class:`RecordBatch`
   objects built column by column (``--chunk`` records each, 50 k) through
   ``Pipeline.process_decoded``: fingerprinting, window state, scoring, campaign signatures
   and campaign passes all run as in a replay, only JSON decoding is skipped. Each account
   uses one or two of its own IPs (10 % also a shared pool of 1 000 proxies), one or two
   user agents from a pool of 200, and three prompt templates (an opening and a closing
   from 5 000 of each, so unrelated accounts rarely share one; a tenth of the openings
   match an intent) around a fill-in that makes every prompt distinct; 30 % belong to an
   org. With 8 requests every account is scored
   (``scoring.min_requests`` 2) and gets a campaign signature (``campaigns.min_requests`` 5);
   none is idle long enough to be evicted (``state.idle_ttl_s`` 6 h);
4. ``gc.collect()`` and VmRSS again. Reported: (RSS after - RSS before) / N, the same after
   ``malloc_trim(0)`` (what the allocator holds but the detector does not), peak VmHWM, and
   a breakdown: the window state's per-row arrays (and their capacity in rows), the
   account-id index, the IP/network sharing indexes, the campaign signature store and LSH
   band indexes, and the bounded caches;
5. one more run, ``--heavy`` (100 k accounts of 16 requests each): every account past the
   request ring's 8 light slots (:mod:`detector.ring`), the cost of busy accounts.

Prints a table (progress on stderr) and writes JSON to
benchmarks/results/memory_per_account.json.

    python benchmarks/memory_per_account.py [--sizes 10000 100000 1000000]
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from benchmarks.report import text_row  # noqa: E402
from detector import state as state_module  # noqa: E402
from detector.config import Config  # noqa: E402
from detector.pipeline import Pipeline  # noqa: E402
from detector.records import RecordBatch  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
TARGET_BYTES = 2048
START_TS = 1_767_225_600.0  # 2026-01-01T00:00:00Z
_STARTED = time.perf_counter()

_TEMPLATES = 5000
_TEMPLATES_PER_ACCOUNT = 3
_AGENTS = 200
_PROXIES = 1000
_ORG_SHARE = 0.3
_PROXY_SHARE = 0.1
_WORDS = (
    "alpha",
    "bravo",
    "charlie",
    "delta",
    "echo",
    "foxtrot",
    "golf",
    "hotel",
    "india",
    "juliet",
    "kilo",
    "lima",
    "mike",
    "november",
    "oscar",
    "papa",
    "quebec",
    "romeo",
    "sierra",
    "tango",
    "uniform",
    "victor",
    "whiskey",
    "xray",
    "yankee",
    "zulu",
    "summarise",
    "translate",
    "classify",
    "explain",
    "rewrite",
    "review",
    "compare",
    "list",
    "describe",
    "outline",
    "grade",
    "score",
    "answer",
    "solve",
    "prove",
    "derive",
    "check",
    "verify",
    "draft",
)
_INTENT_PHRASES = (
    "think step by step",
    "show your reasoning",
    "grade this answer",
    "rate the response",
)

I64 = npt.NDArray[np.int64]
U32 = npt.NDArray[np.uint32]


def log(message: str) -> None:
    print(f"[{time.perf_counter() - _STARTED:7.1f} s] {message}", file=sys.stderr, flush=True)


def proc_status() -> dict[str, int]:
    """VmRSS and VmHWM (peak) of this process, in bytes."""
    out: dict[str, int] = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0]) * 1024
    return out


def malloc_trim() -> bool:
    """Give the C heap's free pages back to the OS (glibc only)."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return False
    return bool(libc.malloc_trim(0))


# -- the synthetic input --------------------------------------------------------------------


class Traffic:
    """N accounts' requests as compact columns, and the string pools records draw from."""

    def __init__(self, n: int, requests: int, span_s: float, seed: int):
        rng = np.random.default_rng(seed)
        self.n, self.requests = n, requests
        self.seed = seed
        total = n * requests
        ts = START_TS + rng.random(total) * span_s
        order = np.argsort(ts, kind="stable")
        self.ts = ts[order]
        del ts
        self.account = (order // requests).astype(np.int32)
        del order
        # Per account: org (-1: none), two own IPs, proxy use, two agents, three templates.
        self.org = np.where(
            rng.random(n) < _ORG_SHARE, rng.integers(0, max(1, n // 50), n), -1
        ).astype(np.int32)
        self.ips = rng.integers(0x0B000000, 0xDF000000, (n, 2), dtype=np.uint32)
        self.ips_used = rng.integers(1, 3, n).astype(np.uint8)
        self.proxy = rng.random(n) < _PROXY_SHARE
        self.proxy_pool = rng.integers(0x0B000000, 0xDF000000, _PROXIES, dtype=np.uint32)
        self.agents = rng.integers(0, _AGENTS, (n, 2)).astype(np.uint16)
        self.agents_used = rng.integers(1, 3, n).astype(np.uint8)
        self.heads = rng.integers(0, _TEMPLATES, (n, _TEMPLATES_PER_ACCOUNT)).astype(np.uint16)
        self.tails = rng.integers(0, _TEMPLATES, (n, _TEMPLATES_PER_ACCOUNT)).astype(np.uint16)
        self.agent_pool = [
            f"Mozilla/5.0 (X11; Linux x86_64) client-{i}/1.{i % 7}.{i % 13} python-httpx/0.2{i % 8}"
            for i in range(_AGENTS)
        ]
        self.head_pool, self.tail_pool = self._phrases(rng)

    @staticmethod
    def _phrases(rng: np.random.Generator) -> tuple[list[str], list[str]]:
        """``_TEMPLATES`` template openings and as many closings, four words each (some
        openings match an intent)."""
        heads: list[str] = []
        tails: list[str] = []
        for t in range(_TEMPLATES):
            words = rng.choice(len(_WORDS), 8)
            head = " ".join(_WORDS[w] for w in words[:4])
            if t % 10 == 0:
                head = f"{_INTENT_PHRASES[t // 10 % len(_INTENT_PHRASES)]} {head}"
            heads.append(head)
            tails.append(" ".join(_WORDS[w] for w in words[4:]))
        return heads, tails

    def __len__(self) -> int:
        return len(self.ts)

    def nbytes(self) -> int:
        arrays = (
            self.ts,
            self.account,
            self.org,
            self.ips,
            self.ips_used,
            self.proxy,
            self.proxy_pool,
            self.agents,
            self.agents_used,
            self.heads,
            self.tails,
        )
        return sum(a.nbytes for a in arrays)

    def batch(self, start: int, stop: int) -> RecordBatch:
        """Records ``start:stop`` (in event-time order) as a decoded batch."""
        rng = np.random.default_rng((self.seed, start))
        m = stop - start
        acct = self.account[start:stop]
        pick_ip = rng.integers(0, 2, m) % self.ips_used[acct]
        ip = self.ips[acct, pick_ip]
        via_proxy = self.proxy[acct] & (rng.random(m) < 0.5)
        ip = np.where(via_proxy, self.proxy_pool[rng.integers(0, _PROXIES, m)], ip)
        octets = np.stack([(ip >> s) & 0xFF for s in (24, 16, 8, 0)], axis=1).tolist()
        agent = self.agents[acct, rng.integers(0, 2, m) % self.agents_used[acct]]
        which = rng.integers(0, _TEMPLATES_PER_ACCOUNT, m)
        head, tail = self.heads[acct, which].tolist(), self.tails[acct, which].tolist()
        fill = rng.integers(0, 1_000_000, m).tolist()
        org = self.org[acct]
        status = np.where(rng.random(m) < 0.02, 429, 200).astype(np.int64)
        status[rng.random(m) < 0.005] = 500
        heads, tails, agents = self.head_pool, self.tail_pool, self.agent_pool
        return RecordBatch(
            source="bench",
            offsets=np.arange(start, stop, dtype=np.int64),
            ts=self.ts[start:stop].copy(),
            account_id=[f"acct-{a:08d}" for a in acct.tolist()],
            org_id=[f"org-{o:06d}" if o >= 0 else None for o in org.tolist()],
            client_ip=[f"{a}.{b}.{c}.{d}" for a, b, c, d in octets],
            network=[f"{a}.{b}.{c}.0/24" for a, b, c, _ in octets],
            user_agent=[agents[u] for u in agent.tolist()],
            status=status,
            prompt_tokens=rng.lognormal(5.5, 1.0, m).astype(np.int64),
            completion_tokens=rng.lognormal(6.0, 0.8, m).astype(np.int64),
            max_tokens=np.full(m, -1, dtype=np.int64),
            finish_length=rng.random(m) < 0.05,
            reasoning=rng.random(m) < 0.2,
            logprobs=rng.random(m) < 0.02,
            multi_n=rng.random(m) < 0.01,
            prompt_text=[
                f"{heads[h]} the following item {f} in detail, then {tails[t]}"
                for h, f, t in zip(head, fill, tail, strict=True)
            ],
            prompt_fingerprint=[None] * m,
        )


# -- the breakdown --------------------------------------------------------------------------


# The detector's internals change; the breakdown reads them defensively (a structure it does
# not recognise counts as 0 and is left to the "not accounted for" remainder).


def _arrays_nbytes(obj: Any, depth: int = 2) -> int:
    """``nbytes`` of the NumPy arrays among ``obj``'s attributes (and in dicts, lists and
    objects under them, ``depth`` levels down)."""
    if isinstance(obj, np.ndarray):
        return obj.nbytes
    if depth < 0:
        return 0
    if isinstance(obj, dict):
        values: list[Any] = list(obj.values())
    elif isinstance(obj, list | tuple):
        values = list(obj)
    elif hasattr(obj, "__dict__"):
        values = list(vars(obj).values())
    else:
        return 0
    return sum(
        _arrays_nbytes(v, depth - 1)
        for v in values
        if isinstance(v, np.ndarray | dict | list | tuple) or hasattr(v, "__dict__")
    )


def _index_bytes(index: Any) -> int:
    """A :class:`~detector.rows.RowIndex`'s dict and lists (not the id strings)."""
    return sum(
        sys.getsizeof(getattr(index, name))
        for name in ("row_of", "account_of", "_free")
        if hasattr(index, name)
    ) + _arrays_nbytes(index, 0)


def _sharing(index: Any) -> dict[str, int]:
    """Distinct keys, (key, owner) entries and bytes of a ``SharingIndex``: array
    ``nbytes``, or for a dict of dicts an estimate with its int and float objects."""
    owners = getattr(index, "_owners", None)
    if isinstance(owners, dict):
        entries = 0
        total = sys.getsizeof(owners)
        for key, inner in owners.items():
            entries += len(inner)
            total += sys.getsizeof(key) + sys.getsizeof(inner)
            total += sum(sys.getsizeof(o) + 24 for o in inner)  # owner int, last-seen float
        return {"keys": len(owners), "entries": entries, "bytes": total}
    pairs = getattr(index, "_pairs", None)
    nbytes = getattr(index, "nbytes", None)
    return {
        "keys": len(index),
        "entries": len(pairs) if pairs is not None else -1,
        "bytes": int(nbytes) if nbytes is not None else _arrays_nbytes(index, 1),
    }


def breakdown(pipeline: Pipeline) -> dict[str, Any]:
    """Where the memory is: array nbytes and approximate sizes of the Python structures."""
    state = pipeline.state
    groups = {"short_window": 0, "long_window": 0, "recent_ring": 0, "bookkeeping": 0}
    if hasattr(state, "_row_arrays"):
        for name, (array, _) in state._row_arrays().items():
            group = (
                "short_window"
                if name.startswith("short.")
                else "long_window"
                if name.startswith("long.")
                else "recent_ring"
                if name.startswith(("recent", "ring."))
                else "bookkeeping"
            )
            groups[group] += array.nbytes
    else:
        groups["bookkeeping"] = _arrays_nbytes(state)
    ring = getattr(state, "ring", None)
    if ring is not None:  # both tiers: the heavy one is not a per-row array
        groups["recent_ring"] = ring.nbytes
    index = state.index
    hash_cache = state_module._STRING_HASHES.cache
    out: dict[str, Any] = {
        "tracked_accounts": len(state),
        "ring_heavy_rows": ring.heavy_rows if ring is not None else None,
        "state_capacity_rows": getattr(state, "capacity", -1),
        "state_arrays_bytes": sum(groups.values()),
        "state_arrays_by_group": groups,
        "state_index_bytes": _index_bytes(index),
        "account_id_strings_bytes": sum(sys.getsizeof(a) for a in index.row_of),
        "ip_sharing": _sharing(state.ip_sharing),
        "network_sharing": _sharing(state.network_sharing),
        "hash32_cache_entries": len(hash_cache),
        "hash32_cache_bytes": sys.getsizeof(hash_cache),
        "fingerprint_cache_entries": len(getattr(pipeline.fingerprinter, "_cache", ())),
        "alert_tracks": len(pipeline.policy.open_keys()),
    }
    campaigns = pipeline.campaigns
    if campaigns is not None:
        store = campaigns.store
        edges = getattr(campaigns, "edges", np.empty((0, 2)))
        registry = getattr(campaigns, "registry", None)
        out.update(
            {
                "signatures": len(store),
                "signature_capacity_rows": getattr(store, "capacity", -1),
                "signature_store_bytes": _arrays_nbytes(store),
                "signature_index_bytes": _index_bytes(store.index),
                "band_index_bytes": sum(
                    _arrays_nbytes(getattr(campaigns, name, None), 1)
                    for name in ("template_index", "infra_index")
                ),
                "edges": len(edges),
                "edge_bytes": sum(
                    _arrays_nbytes(getattr(campaigns, name, None), 0)
                    for name in ("edges", "edge_parts", "edge_combined")
                ),
                "campaigns": len(campaigns.campaigns),
                "campaign_members": len(getattr(registry, "campaign_of", ())),
            }
        )
    return out


# -- one size (in its own process) ----------------------------------------------------------


def measure_one(
    n: int, requests: int = 8, span_h: float = 2.0, chunk: int = 50_000, seed: int = 7
) -> dict[str, Any]:
    """Measure one size in this process (meant for a fresh one: see :func:`measure`)."""
    config = Config()
    if n > config.state.max_accounts:
        raise ValueError(
            f"{n:,} accounts exceed state.max_accounts "
            f"({config.state.max_accounts:,}): the state would evict"
        )
    log(f"N={n:,}: generating {n * requests:,} records over {span_h:g} h of event time")
    traffic = Traffic(n, requests, span_h * 3600.0, seed)
    pipeline = Pipeline(config)
    gc.collect()
    before = proc_status()
    log(
        f"N={n:,}: pipeline built, VmRSS {before['VmRSS'] / 2**20:,.1f} MiB "
        f"(input columns {traffic.nbytes() / 2**20:,.1f} MiB)"
    )

    total = len(traffic)
    start = time.perf_counter()
    next_report = 0.1
    alerts = 0
    for lo in range(0, total, chunk):
        batch = traffic.batch(lo, min(lo + chunk, total))
        alerts += len(pipeline.process_decoded(batch, []))
        done = min(lo + chunk, total) / total
        if done >= next_report or done == 1.0:
            elapsed = time.perf_counter() - start
            log(
                f"N={n:,}: {done:4.0%} of records, {len(pipeline.state):,} accounts, "
                f"{done * total / elapsed:,.0f} records/s, "
                f"VmRSS {proc_status()['VmRSS'] / 2**20:,.1f} MiB"
            )
            next_report += 0.1
    feed_s = time.perf_counter() - start
    del batch
    gc.collect()
    after = proc_status()
    malloc_trim()
    trimmed = proc_status()["VmRSS"]
    parts = breakdown(pipeline)
    stats = pipeline.stats
    delta = after["VmRSS"] - before["VmRSS"]
    result: dict[str, Any] = {
        "accounts": n,
        "records": total,
        "requests_per_account": requests,
        "span_h": span_h,
        "feed_s": feed_s,
        "records_per_s": total / feed_s,
        "rss_before": before["VmRSS"],
        "rss_after": after["VmRSS"],
        "rss_after_trim": trimmed,
        "peak_hwm": after["VmHWM"],
        "rss_delta": delta,
        "bytes_per_account": delta / n,
        "bytes_per_account_trimmed": (trimmed - before["VmRSS"]) / n,
        "evaluations": stats.evaluations,
        "evicted": stats.evicted,
        "late": stats.late,
        "alerts": alerts,
        **parts,
    }
    log(
        f"N={n:,}: fed in {feed_s:,.1f} s; RSS delta {delta / 2**20:,.1f} MiB = "
        f"{delta / n:,.0f} B/account; {parts['tracked_accounts']:,} tracked, "
        f"{parts.get('signatures', 0):,} signatures"
    )
    return result


def measure(
    sizes: list[int], requests: int = 8, span_h: float = 2.0, chunk: int = 50_000, seed: int = 7
) -> list[dict[str, Any]]:
    """One fresh interpreter per size; returns each size's :func:`measure_one` result."""
    results: list[dict[str, Any]] = []
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.setdefault("OMP_NUM_THREADS", "1")
    for n in sizes:
        command = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--one",
            str(n),
            "--requests",
            str(requests),
            "--span-h",
            str(span_h),
            "--chunk",
            str(chunk),
            "--seed",
            str(seed),
        ]
        proc = subprocess.run(
            command, stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env, check=True
        )
        results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    return results


# -- report ---------------------------------------------------------------------------------


def _row(label: str, cells: list[str]) -> str:
    return text_row(label, cells, 36, 18)


def print_table(results: list[dict[str, Any]]) -> None:
    mib = 2**20

    def per(key: str) -> list[str]:
        return [f"{r[key] / r['accounts']:,.0f}" for r in results]

    print(
        f"\nresident memory per tracked account, default config "
        f"({platform.processor() or platform.machine()}, Python {platform.python_version()})"
    )
    print(_row("accounts", [f"{r['accounts']:,}" for r in results]))
    print(_row("requests each", [f"{r['requests_per_account']}" for r in results]))
    print(_row("records fed", [f"{r['records']:,}" for r in results]))
    print(
        _row(
            "feed s (records/s)",
            [f"{r['feed_s']:,.0f} ({r['records_per_s'] / 1e3:,.0f}k)" for r in results],
        )
    )
    print(_row("RSS before MiB", [f"{r['rss_before'] / mib:,.1f}" for r in results]))
    print(_row("RSS after MiB", [f"{r['rss_after'] / mib:,.1f}" for r in results]))
    print(_row("RSS delta MiB", [f"{r['rss_delta'] / mib:,.1f}" for r in results]))
    print(_row("peak VmHWM MiB", [f"{r['peak_hwm'] / mib:,.1f}" for r in results]))
    print(
        _row(
            f"bytes/account (target {TARGET_BYTES:,})",
            [f"{r['bytes_per_account']:,.0f}" for r in results],
        )
    )
    print(_row("  after malloc_trim", [f"{r['bytes_per_account_trimmed']:,.0f}" for r in results]))
    print(_row("tracked accounts", [f"{r['tracked_accounts']:,}" for r in results]))
    print(_row("accounts with signatures", [f"{r.get('signatures', 0):,}" for r in results]))
    print(_row("state capacity rows", [f"{r['state_capacity_rows']:,}" for r in results]))
    print("breakdown, bytes per tracked account:")
    print(_row("  state arrays (capacity)", per("state_arrays_bytes")))
    for group in ("recent_ring", "long_window", "short_window", "bookkeeping"):
        print(
            _row(
                f"    {group}",
                [f"{r['state_arrays_by_group'][group] / r['accounts']:,.0f}" for r in results],
            )
        )
    print(_row("  account index (dict+list)", per("state_index_bytes")))
    print(_row("  account id strings", per("account_id_strings_bytes")))
    print(
        _row(
            "  ip sharing index",
            [f"{r['ip_sharing']['bytes'] / r['accounts']:,.0f}" for r in results],
        )
    )
    print(
        _row(
            "  network sharing index",
            [f"{r['network_sharing']['bytes'] / r['accounts']:,.0f}" for r in results],
        )
    )
    print(_row("  hash32 cache dict", per("hash32_cache_bytes")))
    if "signature_store_bytes" in results[0]:
        print(_row("  signature store arrays", per("signature_store_bytes")))
        print(_row("  signature index (dict+list)", per("signature_index_bytes")))
        print(_row("  LSH band indexes", per("band_index_bytes")))
        print(_row("  campaign edges", per("edge_bytes")))
        print(
            _row("signature capacity rows", [f"{r['signature_capacity_rows']:,}" for r in results])
        )
    known = [
        "state_arrays_bytes",
        "state_index_bytes",
        "account_id_strings_bytes",
        "hash32_cache_bytes",
        "signature_store_bytes",
        "signature_index_bytes",
        "band_index_bytes",
        "edge_bytes",
    ]
    print(
        _row(
            "  accounted for",
            [
                f"{(sum(r.get(k, 0) for k in known) + r['ip_sharing']['bytes'] + r['network_sharing']['bytes']) / r['accounts']:,.0f}"  # noqa: E501
                for r in results
            ],
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--requests", type=int, default=8, help="requests per account")
    parser.add_argument("--span-h", type=float, default=2.0, help="hours of event time")
    parser.add_argument("--chunk", type=int, default=50_000, help="records per batch")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--heavy",
        type=int,
        nargs=2,
        default=[100_000, 16],
        metavar=("ACCOUNTS", "REQUESTS"),
        help="one more run with busier accounts (0 0: none)",
    )
    parser.add_argument("--one", type=int, metavar="N", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:  # the child process: one size, JSON on stdout
        result = measure_one(args.one, args.requests, args.span_h, args.chunk, args.seed)
        print(json.dumps(result))
        return
    started = time.perf_counter()
    results = measure(args.sizes, args.requests, args.span_h, args.chunk, args.seed)
    accounts, requests = args.heavy
    heavy = measure([accounts], requests, args.span_h, args.chunk, args.seed) if accounts else []
    print_table(results + heavy)
    RESULTS.mkdir(exist_ok=True)
    config = Config()
    payload = {
        "sizes": args.sizes,
        "requests_per_account": args.requests,
        "span_h": args.span_h,
        "chunk": args.chunk,
        "seed": args.seed,
        "target_bytes_per_account": TARGET_BYTES,
        "state_config": {
            "max_accounts": config.state.max_accounts,
            "recent_requests": config.state.recent_requests,
            "idle_ttl_s": config.state.idle_ttl_s,
        },
        "machine": platform.platform(),
        "processor": platform.processor(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "total_s": time.perf_counter() - started,
        "results": {str(r["accounts"]): r for r in results},
        "heavy": {str(r["accounts"]): r for r in heavy},
    }
    path = RESULTS / "memory_per_account.json"
    path.write_text(json.dumps(payload, indent=2) + "\n")
    log(f"wrote {path.relative_to(ROOT)} ({payload['total_s']:,.0f} s)")


if __name__ == "__main__":
    main()
