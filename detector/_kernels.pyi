"""Types of the per-account scoring loops in C (detector/_kernels.c)."""

from typing import Any

import numpy as np
import numpy.typing as npt

def template_signals(
    exact: npt.NDArray[np.uint16],
    prefix: npt.NDArray[np.uint32],
    suffix: npt.NDArray[np.uint32],
    valid: npt.NDArray[np.bool_],
    out: npt.NDArray[np.float64],
) -> None: ...
def distinct(
    values: npt.NDArray[np.uint32], valid: npt.NDArray[np.bool_], out: npt.NDArray[np.int64]
) -> None: ...
def max_owners(
    keys: npt.NDArray[np.uint32],
    valid: npt.NDArray[np.bool_],
    pairs: npt.NDArray[np.uint64],
    out: npt.NDArray[np.int64],
) -> None: ...
def minhash(
    hashes: npt.NDArray[np.uint32],
    valid: npt.NDArray[np.bool_],
    a: npt.NDArray[np.uint64],
    b: npt.NDArray[np.uint64],
    out: npt.NDArray[np.uint16],
) -> None: ...
def hst_mass(
    x: npt.NDArray[np.float64],
    feature: npt.NDArray[Any],
    threshold: npt.NDArray[np.float64],
    height: int,
    r_mass: npt.NDArray[np.int64],
    size_limit: float,
    out: npt.NDArray[np.float64],
) -> None: ...
def hst_count(
    x: npt.NDArray[np.float64],
    feature: npt.NDArray[Any],
    threshold: npt.NDArray[np.float64],
    height: int,
    l_mass: npt.NDArray[np.int64],
) -> None: ...
