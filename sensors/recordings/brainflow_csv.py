"""BrainFlow's own CSV files (``DataFilter.write_file``: tab-separated, one row per sample, no header). The rows'
meaning comes from the board that wrote the file."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sensors.boards import board_id_from_name, board_layout, board_name
from sensors.recordings.recording import Recording, RecordingError, cut_note, read_table

ORIGIN = "a BrainFlow CSV file"


def read_brainflow_csv(path: Path, board: str) -> Recording:
    """Read with BrainFlow's own reader (fast); where it fails, the line that stops it is named. A last row
    without its line end (a recording cut short) is left out, with a note."""
    from brainflow.board_shim import BrainFlowError
    from brainflow.data_filter import DataFilter

    board_id = board_id_from_name(board)
    layout = board_layout(board_id)
    DataFilter.disable_data_logger()  # its messages would reach stderr; RecordingError says what is wrong
    try:
        table = DataFilter.read_file(str(path))
    except BrainFlowError as exc:
        read_table(path, "%", "\t", ORIGIN)  # names the first damaged line, if that is what stopped BrainFlow
        raise RecordingError(f"{path}: cannot read as {ORIGIN}: {exc}") from None
    notes: tuple[str, ...] = ()
    with path.open("rb") as f:
        lines = sum(block.count(b"\n") for block in iter(lambda: f.read(1 << 20), b""))
        f.seek(max(0, f.tell() - 1))
        ended = f.read(1) in (b"\n", b"")
    if not ended and table.ndim == 2 and table.shape[1] > lines:
        table = table[:, :lines]  # BrainFlow kept the cut last row
    if not ended:
        notes = (cut_note(lines + 1),)
    if table.ndim != 2 or table.shape[0] != layout.num_rows:
        rows = table.shape[0] if table.ndim == 2 else 1
        raise RecordingError(
            f"{path}: has {rows} values per sample but {board_name(board_id)} writes {layout.num_rows}; "
            "name the board that recorded it (--board)"
        )
    data = np.ascontiguousarray(table[list(layout.rows)].T, dtype=np.float64)
    t = table[layout.timestamp_row].astype(np.float64)
    origin = f"{path.name} (BrainFlow CSV, {board_name(board_id)})"
    return Recording(layout.fs, layout.names, layout.kinds, data, t, origin, notes)
