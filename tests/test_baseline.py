from detector.baseline import RateLimitBaseline
from tests.conftest import T0, decode, record


def test_flags_only_accounts_over_the_limit_in_one_window() -> None:
    baseline = RateLimitBaseline(limit=3, window_s=60)
    baseline.observe(
        decode(
            [record("busy", T0 + i) for i in range(5)]
            + [record("steady", T0 + 20 * i) for i in range(9)]
        )
    )
    # steady sends 3 per minute: at the limit, never over it.
    assert baseline.first_flag == {"busy": T0 + 3}
    assert "3 requests per 60 s" in baseline.description
