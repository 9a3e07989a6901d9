"""Named scenario mixes: how many accounts of each label, over how long."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from detector.simulate.profiles import PROFILES

__all__ = ["SCENARIOS", "Scenario", "get_scenario"]

_HOUR = 3600.0


@dataclass(frozen=True)
class Scenario:
    """A mix of account behaviours.

    Parameters
    ----------
    name : str
        Registry key.
    description : str
        One line for ``--help`` and listings.
    duration_s : float
        Default event-time length in seconds.
    accounts : mapping of str to int
        Accounts per label at ``scale=1``; generated in this order.
    """

    name: str
    description: str
    duration_s: float
    accounts: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = set(self.accounts) - set(PROFILES)
        if unknown:
            raise ValueError(f"scenario {self.name!r}: unknown labels {sorted(unknown)}")
        object.__setattr__(self, "accounts", MappingProxyType(dict(self.accounts)))

    def scaled(self, scale: float) -> dict[str, int]:
        """Account counts at ``scale``; every label present keeps at least one account."""
        return {label: max(1, round(n * scale)) for label, n in self.accounts.items() if n > 0}


_MIXED = {
    "ordinary": 8_000,
    "enterprise": 40,
    "agentic": 400,
    "hydra": 400,
    "scraper": 3,
    "slow_and_low": 150,
}
_BACKGROUND = {"ordinary": 1_000, "enterprise": 5, "agentic": 50}

SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario("mixed", "all behaviours, 6 h, about 1.2 M requests", 6 * _HOUR, _MIXED),
        Scenario(
            "small",
            "the mixed scenario at about 5 % of the accounts over 2 h (~50 k requests)",
            2 * _HOUR,
            {
                "ordinary": 400,
                "enterprise": 2,
                "agentic": 20,
                "hydra": 20,
                "scraper": 1,
                "slow_and_low": 8,
            },
        ),
        Scenario(
            "benign",
            "ordinary, enterprise and agentic traffic only, 6 h",
            6 * _HOUR,
            {k: v for k, v in _MIXED.items() if k in _BACKGROUND},
        ),
        Scenario(
            "hydra",
            "a hydra sybil campaign over a small benign background",
            6 * _HOUR,
            {**_BACKGROUND, "hydra": 400},
        ),
        Scenario(
            "scraper",
            "heavy single-account scrapers over a small benign background",
            6 * _HOUR,
            {**_BACKGROUND, "scraper": 3},
        ),
        Scenario(
            "slow_and_low",
            "a careful low-rate campaign over a small benign background",
            6 * _HOUR,
            {**_BACKGROUND, "slow_and_low": 150},
        ),
    )
}


def get_scenario(name: str) -> Scenario:
    """Look up a scenario by name.

    Raises
    ------
    ValueError
        If ``name`` is not registered; the message lists the valid names.
    """
    try:
        return SCENARIOS[name]
    except KeyError:
        valid = ", ".join(sorted(SCENARIOS))
        raise ValueError(f"unknown scenario {name!r}; valid scenarios: {valid}") from None
