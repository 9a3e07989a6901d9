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
def decode_lines(
    buffer: Any,
    bounds: npt.NDArray[np.int64],
    ts: npt.NDArray[np.float64],
    ints: npt.NDArray[np.int64],
    flags: npt.NDArray[np.uint8],
    codes: npt.NDArray[np.int64],
    max_bytes: int,
) -> list[list[Any]]: ...
def split_lines(
    buffer: Any,
    start: int,
    line: int,
    final: bool,
    bounds: npt.NDArray[np.int64],
    numbers: npt.NDArray[np.int64],
) -> tuple[int, int, int]: ...
