"""The report's figures, drawn with matplotlib (Agg, no window) into PNG bytes."""

from __future__ import annotations

import io
from typing import Any

import numpy as np

from studio.export.data import SessionData
from studio.loop import FUSED, MUSIC

INK, MUTED = "#1f2933", "#7b8794"
VALENCE, AROUSAL, CONFIDENCE = "#2f7ed8", "#e4572e", "#c5cbd3"
MARKER = "#6c4fb6"


def _figure(rows: int, height: float) -> tuple[Any, Any]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(rows, 1, figsize=(9, height), sharex=True, squeeze=False)
    for ax in axes[:, 0]:
        ax.spines[["top", "right"]].set_visible(False)
        ax.tick_params(colors=MUTED, labelsize=8)
        ax.yaxis.label.set_color(INK)
    return fig, axes[:, 0]


def _png(fig: Any) -> bytes:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png", dpi=130)
    plt.close(fig)
    return buf.getvalue()


def time_scale(data: SessionData) -> tuple[float, str]:
    """Divide session seconds by this to plot them: minutes for sessions over two minutes."""
    return (60.0, "minutes") if data.info.duration_s > 120 else (1.0, "seconds")


def _markers(ax: Any, data: SessionData, scale: float, label: bool) -> None:
    m = data.tables["markers"].columns
    for t, text in zip(m["t"], m["label"], strict=True):
        ax.axvline(t / scale, color=MARKER, lw=0.9, ls="--", alpha=0.8)
        if label:
            ax.annotate(
                str(text), (t / scale, 1.0), xycoords=("data", "axes fraction"), rotation=90, fontsize=7,
                color=MARKER, va="top", ha="right",
            )  # fmt: skip


def affect_trajectory(data: SessionData) -> bytes:
    """Fused valence and arousal over the session with the confidence band, markers and self-reports."""
    scale, unit = time_scale(data)
    fused = data.tables[FUSED.name].columns
    fig, (ax,) = _figure(1, 3.4)
    t = fused["t"] / scale
    ax.fill_between(t, 0, fused["confidence"], color=CONFIDENCE, alpha=0.5, lw=0, label="confidence (0-1)")
    ax.plot(t, fused["valence"], color=VALENCE, lw=1.6, label="valence")
    ax.plot(t, fused["arousal"], color=AROUSAL, lw=1.6, label="arousal")
    for r in data.self_reports:
        x = r.t / scale
        ax.plot([x], [(r.valence - 5) / 4], "o", color=VALENCE, mec="white", ms=8)
        ax.plot([x], [(r.arousal - 5) / 4], "s", color=AROUSAL, mec="white", ms=8)
    ax.axhline(0, color=MUTED, lw=0.6, ls=":")
    _markers(ax, data, scale, label=True)
    ax.set_ylim(-1.05, 1.05)
    ax.set_ylabel("estimate (-1 to 1)")
    ax.set_xlabel(f"session time ({unit})", color=INK)
    ax.legend(loc="lower left", fontsize=8, frameon=False, ncol=3)
    return _png(fig)


def va_plane(data: SessionData) -> bytes:
    """The valence-arousal path, from light (start) to dark (end)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fused = data.tables[FUSED.name].columns
    fig, ax = plt.subplots(figsize=(4.2, 4.2))
    n = len(fused["t"])
    step = max(1, n // 2000)
    v, a = fused["valence"][::step], fused["arousal"][::step]
    ax.scatter(v, a, c=np.linspace(0, 1, len(v)), cmap="Blues", s=5, vmin=-0.3, vmax=1)
    if len(v):
        ax.plot([v[0]], [a[0]], "o", color="#9aa5b1", ms=9, label="start")
        ax.plot([v[-1]], [a[-1]], "o", color="#102a43", ms=9, label="end")
    ax.axhline(0, color=MUTED, lw=0.6)
    ax.axvline(0, color=MUTED, lw=0.6)
    ax.set_xlim(-1, 1)
    ax.set_ylim(-1, 1)
    ax.set_xlabel("valence: unpleasant - pleasant", fontsize=8)
    ax.set_ylabel("arousal: calm - activated", fontsize=8)
    ax.tick_params(labelsize=7, colors=MUTED)
    ax.legend(fontsize=7, frameon=False, loc="upper left")
    return _png(fig)


def music_parameters(data: SessionData) -> bytes:
    """Tempo (BPM), volume (dBFS) and the 0-1 parameters over the session, with markers."""
    scale, unit = time_scale(data)
    music = data.tables[MUSIC.name].columns
    t = music["t"] / scale
    fig, (tempo, volume, rest) = _figure(3, 5.2)
    tempo.plot(t, music["tempo"], color=INK, lw=1.4)
    tempo.set_ylabel("tempo (BPM)")
    volume.plot(t, music["volume"], color=INK, lw=1.4)
    volume.set_ylabel("volume (dBFS)")
    for name, colour in (
        ("tension", "#e4572e"),
        ("brightness", "#f2a541"),
        ("density", "#2f7ed8"),
        ("space", "#4fb286"),
    ):
        rest.plot(t, music[name], color=colour, lw=1.2, label=name)
    rest.set_ylim(-0.02, 1.02)
    rest.set_ylabel("0 to 1")
    rest.legend(loc="upper left", fontsize=7, frameon=False, ncol=4)
    rest.set_xlabel(f"session time ({unit})", color=INK)
    for i, ax in enumerate((tempo, volume, rest)):
        _markers(ax, data, scale, label=i == 0)
    return _png(fig)
