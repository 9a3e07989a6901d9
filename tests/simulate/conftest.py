"""Fixtures for the simulator tests."""

from __future__ import annotations

import pytest
from simhelpers import Run, run_sim


@pytest.fixture(scope="session")
def small_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """The ``small`` scenario at full size with 1 % invalid lines (enough of each kind)."""
    return run_sim(tmp_path_factory.mktemp("small"), scenario="small", bad_line_share=0.01)
