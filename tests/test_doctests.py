"""Every docstring example in the package runs, and says what it shows."""

import doctest
import importlib
import pkgutil

import pytest

import detector

MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(detector.__path__, "detector.")
    if m.name not in {"detector.__main__"}
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_the_core_modules_have_examples() -> None:
    core = [
        "config",
        "records",
        "fingerprints",
        "state",
        "features",
        "scoring",
        "alerts",
        "pipeline",
        "baseline",
        "sources.file",
    ]
    for name in core:
        module = importlib.import_module(f"detector.{name}")
        assert doctest.testmod(module).attempted > 0, name
