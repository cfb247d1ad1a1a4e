"""BrainFlow's own CSV files (``DataFilter.write_file``: tab-separated, one row per sample, no header). The rows'
meaning comes from the board that wrote the file."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sensors.boards import board_id_from_name, board_layout, board_name
from sensors.recordings.recording import Recording, RecordingError


def read_brainflow_csv(path: Path, board: str) -> Recording:
    from brainflow.board_shim import BrainFlowError
    from brainflow.data_filter import DataFilter

    board_id = board_id_from_name(board)
    layout = board_layout(board_id)
    try:
        table = DataFilter.read_file(str(path))
    except BrainFlowError as exc:
        raise RecordingError(f"{path}: cannot read as a BrainFlow CSV file: {exc}") from None
    if table.ndim != 2 or table.shape[0] != layout.num_rows:
        rows = table.shape[0] if table.ndim == 2 else 1
        raise RecordingError(
            f"{path}: has {rows} values per sample but {board_name(board_id)} writes {layout.num_rows}; "
            "name the board that recorded it (--board)"
        )
    data = np.ascontiguousarray(table[list(layout.rows)].T, dtype=np.float64)
    t = table[layout.timestamp_row].astype(np.float64)
    origin = f"{path.name} (BrainFlow CSV, {board_name(board_id)})"
    return Recording(layout.fs, layout.names, layout.kinds, data, t, origin)
