"""Run the examples in the simulator's docstrings."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["detector.simulate", "detector.simulate.prompts", "detector.simulate.simulation"]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name))
    assert result.failed == 0
    assert result.attempted > 0
