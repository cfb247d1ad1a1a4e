"""XDF files (Lab Streaming Layer recordings) through pyxdf, with its clock synchronisation and clock-reset
handling. The first EEG stream is used; without one, the physiology or numeric stream with most samples."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np

from sensors.recordings.recording import PHYSIO_TYPES, Recording, RecordingError, clean_label, guess_kind


def _first(info: dict[str, Any], key: str) -> str:
    value = info.get(key) or [""]
    return str(value[0] if isinstance(value, list) else value)


def _channel_labels(info: dict[str, Any], count: int) -> list[tuple[str, str]]:
    """(label, type) per channel from the stream's ``desc/channels``; empty strings where there are none."""
    try:
        channels = info["desc"][0]["channels"][0]["channel"]
        out = [(str(c.get("label", [""])[0] or ""), str(c.get("type", [""])[0] or "")) for c in channels]
    except (KeyError, IndexError, TypeError):
        out = []
    return out if len(out) == count else [("", "")] * count


def _rank(stream: dict[str, Any]) -> tuple[int, int]:
    kind = _first(stream["info"], "type").lower()
    return (2 if kind == "eeg" else 1 if kind in PHYSIO_TYPES else 0, len(stream["time_stamps"]))


def read_xdf(path: Path) -> Recording:
    import pyxdf

    # pyxdf logs clock-segment notes, and keeps what precedes damage in a file; RecordingError speaks for it.
    logging.getLogger("pyxdf").setLevel(logging.CRITICAL)
    try:
        streams, _ = pyxdf.load_xdf(str(path))
    except Exception as exc:  # pyxdf raises many kinds on damaged files; each becomes one line
        raise RecordingError(f"{path}: cannot read as XDF: {exc}") from None
    numeric = [
        s
        for s in streams
        if _first(s["info"], "channel_format") != "string"
        and len(s["time_stamps"])
        and float(_first(s["info"], "nominal_srate") or 0) > 0
    ]
    if not numeric:
        raise RecordingError(f"{path}: no regularly sampled numeric stream with samples")
    stream = max(numeric, key=_rank)
    info = stream["info"]
    fs = float(_first(info, "nominal_srate"))
    data = np.asarray(stream["time_series"], dtype=np.float64)
    stream_kind = PHYSIO_TYPES.get(_first(info, "type").lower(), "eeg")
    labels = _channel_labels(info, data.shape[1])
    names = tuple(clean_label(label) if label else f"ch{i + 1}" for i, (label, _) in enumerate(labels))
    kinds = tuple(
        guess_kind(ctype or label) if (ctype or label) and stream_kind == "eeg" else stream_kind
        for label, ctype in labels
    )
    origin = f"{path.name} (XDF stream {_first(info, 'name')!r})"
    stamps = np.asarray(stream["time_stamps"], dtype=np.float64)
    events = tuple(
        sorted(
            (float(t - stamps[0]), str(sample[0]).strip(), None)
            for s in streams
            if _first(s["info"], "channel_format") == "string"
            for t, sample in zip(s["time_stamps"], s["time_series"], strict=True)
            if len(sample) and str(sample[0]).strip() and t >= stamps[0]
        )
    )
    return Recording(fs, names, kinds, data, stamps, origin, events=events)
