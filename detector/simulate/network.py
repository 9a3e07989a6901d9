"""Where requests come from: IP addresses and user agents.

Residential addresses are drawn from first octets that consumer ISPs use, spread over many
/24s; datacenter addresses from cloud-provider-looking ranges, one /24 per tenant. Nothing
here is meant to geolocate correctly, only to have the right *structure*: how many accounts
share an address or a /24, IPv4 versus IPv6, browser versus SDK user agents.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "DESKTOP_UAS",
    "MOBILE_UAS",
    "SCRIPT_UAS",
    "datacenter_subnet",
    "ips_in_subnet",
    "mobile_ipv6",
    "pick_weighted",
    "residential_ipv4",
    "residential_subnet",
]

# First octets of consumer broadband and mobile ranges (public unicast, not reserved).
_RESIDENTIAL_FIRST = (
    2,
    5,
    24,
    31,
    37,
    46,
    47,
    49,
    50,
    62,
    67,
    68,
    69,
    70,
    71,
    72,
    73,
    75,
    76,
    77,
    79,
    80,
    81,
    82,
    83,
    84,
    85,
    86,
    87,
    88,
    89,
    90,
    91,
    92,
    93,
    94,
    95,
    96,
    97,
    98,
    99,
    108,
    109,
    110,
    112,
    114,
    118,
    121,
    124,
    151,
    173,
    174,
    176,
    178,
    180,
    183,
    186,
    187,
    188,
    189,
    190,
    201,
    212,
    213,
    217,
)
# First octets typical of cloud and hosting providers.
_DATACENTER_FIRST = (
    3,
    13,
    18,
    20,
    34,
    35,
    44,
    52,
    54,
    64,
    104,
    107,
    135,
    137,
    138,
    139,
    140,
    141,
    142,
    143,
    144,
    146,
    147,
    149,
    152,
    157,
    159,
    161,
    164,
    165,
    167,
    168,
    170,
    185,
    193,
    194,
    195,
    198,
    204,
    206,
    207,
    209,
)

# Desktop browsers, roughly by popularity (earlier entries are picked more often).
DESKTOP_UAS: tuple[str, ...] = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.6 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/129.0.0.0 Safari/537.36",
    "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36 OPR/115.0.0.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0.0.0 Safari/537.36",
)
MOBILE_UAS: tuple[str, ...] = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (iPad; CPU OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36",
)
SCRIPT_UAS: tuple[str, ...] = (
    "python-requests/2.32.3",
    "curl/8.5.0",
    "python-httpx/0.27.0",
    "openai-python/1.40.0",
    "node-fetch/1.0",
    "PostmanRuntime/7.42.0",
    "anthropic-python/0.34.2",
)


def pick_weighted(rng: np.random.Generator, n_items: int, size: int | None = None) -> np.ndarray:
    """Indices into a popularity-ordered list: item ``i`` has weight ``1 / (i + 1)``."""
    w = 1.0 / np.arange(1, n_items + 1)
    return rng.choice(n_items, size=size, p=w / w.sum())


def _octets(rng: np.random.Generator, firsts: tuple[int, ...], n: int) -> np.ndarray:
    out = np.empty((n, 3), dtype=np.int64)
    out[:, 0] = rng.choice(np.asarray(firsts), size=n)
    out[:, 1] = rng.integers(0, 256, size=n)
    out[:, 2] = rng.integers(0, 256, size=n)
    return out


def residential_ipv4(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` residential IPv4 addresses, each in its own random /24 (collisions negligible)."""
    o = _octets(rng, _RESIDENTIAL_FIRST, n)
    last = rng.integers(2, 255, size=n)
    return [f"{a}.{b}.{c}.{d}" for (a, b, c), d in zip(o.tolist(), last.tolist(), strict=True)]


def residential_subnet(rng: np.random.Generator) -> str:
    """A residential /24 prefix such as ``"84.113.7"``."""
    a, b, c = _octets(rng, _RESIDENTIAL_FIRST, 1)[0].tolist()
    return f"{a}.{b}.{c}"


def datacenter_subnet(rng: np.random.Generator) -> str:
    """A hosting-provider /24 prefix such as ``"34.82.19"``."""
    a, b, c = _octets(rng, _DATACENTER_FIRST, 1)[0].tolist()
    return f"{a}.{b}.{c}"


def ips_in_subnet(rng: np.random.Generator, prefix: str, n: int) -> list[str]:
    """``n`` distinct host addresses in the /24 ``prefix``."""
    hosts = rng.choice(np.arange(2, 255), size=min(n, 253), replace=False)
    return [f"{prefix}.{h}" for h in np.sort(hosts).tolist()]


def mobile_ipv6(rng: np.random.Generator) -> str:
    """A mobile-carrier IPv6 address (a /64 per subscriber, random interface id)."""
    prefix = ("2a02", "2600:1700", "2a01", "2001:56a", "2607:fb90", "2409")[int(rng.integers(6))]
    groups = rng.integers(0, 0x10000, size=8 - prefix.count(":") - 1).tolist()
    return prefix + ":" + ":".join(f"{g:x}" for g in groups)
