"""What the detector did to one account during a replay."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["AccountOutcome"]


@dataclass(frozen=True)
class AccountOutcome:
    """Detector outcome for one account over a whole replay.

    Parameters
    ----------
    first_ts : float
        Event time (seconds) of the first record seen for the account; taken
        as the start of its activity, so of its attack for attack accounts.
    max_score : float
        Highest risk score in ``[0, 1]`` the account reached.
    first_alert_ts : float or None
        Event time (seconds) of the account's first alert, ``None`` if it was
        never alerted.

    Examples
    --------
    >>> AccountOutcome(first_ts=0.0, max_score=0.93, first_alert_ts=120.0).first_alert_ts
    120.0
    """

    first_ts: float
    max_score: float
    first_alert_ts: float | None
