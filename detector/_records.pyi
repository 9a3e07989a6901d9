"""Types of the C pass of the record decoder (detector/_records.c)."""

from typing import Any

import numpy as np
import numpy.typing as npt

def decode(
    values: list[bytes],
    ts: npt.NDArray[np.float64],
    ints: npt.NDArray[np.int64],
    flags: npt.NDArray[np.uint8],
    codes: npt.NDArray[np.int64],
    max_bytes: int,
) -> list[list[Any]]: ...
