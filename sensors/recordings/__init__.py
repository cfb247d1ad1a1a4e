"""Recorded biosignal files as one in-memory table: BrainFlow CSV, OpenBCI GUI text, BioSPPy text, EDF/EDF+/BDF,
XDF and WFDB records. ``read_recording(path)`` picks the reader from the file name and its first bytes."""

from __future__ import annotations

from pathlib import Path

from sensors.recordings.recording import Recording, RecordingError, open_text

__all__ = ["FORMATS", "Recording", "RecordingError", "read_recording"]

FORMATS = "BrainFlow CSV (.csv), OpenBCI GUI or BioSPPy text (.txt, .txt.gz), EDF/EDF+/BDF, XDF, WFDB (.hea)"


def read_recording(path: Path, board: str = "synthetic") -> Recording:
    """Read any supported file; ``board`` names the BrainFlow board that wrote a BrainFlow CSV file.

    Raises RecordingError with one line naming the file and what is wrong with it.
    """
    path = Path(path)
    suffixes = "".join(path.suffixes[-2:]).lower()
    suffix = path.suffix.lower()
    if suffix in (".hea", ".dat", ".mat"):
        from sensors.recordings.wfdb_record import read_wfdb

        return read_wfdb(path)
    if not path.is_file():
        raise RecordingError(f"{path}: no such file")
    if suffix in (".edf", ".bdf", ".rec"):
        from sensors.recordings.edf import read_edf

        return read_edf(path)
    if suffix in (".xdf", ".xdfz"):
        from sensors.recordings.xdf import read_xdf

        return read_xdf(path)
    if suffix == ".csv":
        from sensors.recordings.brainflow_csv import read_brainflow_csv

        return read_brainflow_csv(path, board)
    if suffix == ".txt" or suffixes == ".txt.gz":
        from sensors.recordings.text_formats import read_text

        try:
            with open_text(path) as f:
                first = f.readline()
        except (OSError, EOFError) as exc:
            raise RecordingError(f"{path}: cannot read: {exc}") from None
        return read_text(path, first)
    raise RecordingError(f"{path}: unknown kind of file; the studio reads {FORMATS}")
