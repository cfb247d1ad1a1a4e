"""The report's figures, drawn with matplotlib (Agg, no window) into PNG bytes. A legend names only what is drawn:
self-reports, markers or a baseline that a session does not have are neither drawn nor named."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

import numpy as np

from studio.export.data import SessionData
from studio.export.report_facts import finite_column, layer_spans, table_or_empty
from studio.loop import FUSED, MUSIC
from studio.music.params import LAYERS, MODES
from studio.session_channels import ChannelQuality

INK, MUTED = "#1f2933", "#7b8794"
VALENCE, AROUSAL, CONFIDENCE = "#0072B2", "#D55E00", "#c5cbd3"
MARKER = "#6c4fb6"
BASELINE = "#e4e7eb"
STATE_COLOURS = {"ok": "#009E73", "degraded": "#E69F00", "down": "#D55E00"}
MODE_COLOURS = dict(zip(MODES, ("#56B4E9", "#CC79A7", "#E69F00", "#009E73"), strict=True))
BAND_COLOURS = {"theta": "#56B4E9", "alpha": "#009E73", "beta": "#E69F00"}
PARAM_COLOURS = {"tension": "#D55E00", "brightness": "#E69F00", "density": "#0072B2", "space": "#009E73"}
WIDTH = 9.0  # inches: every full-width figure


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def new_figure(rows: int, height: float, ratios: list[float] | None = None, width: float = WIDTH) -> tuple[Any, Any]:
    fig, axes = _pyplot().subplots(
        rows, 1, figsize=(width, height), sharex=True, squeeze=False, gridspec_kw={"height_ratios": ratios}
    )
    for ax in axes[:, 0]:
        ax.spines[["top", "right"]].set_visible(False)
        ax.tick_params(colors=MUTED, labelsize=8)
        ax.yaxis.label.set_color(INK)
        ax.yaxis.label.set_size(8)
    return fig, axes[:, 0]


def to_png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png", dpi=130)
    _pyplot().close(fig)
    return buf.getvalue()


def time_scale(data: SessionData) -> tuple[float, str]:
    """Divide session seconds by this to plot them: minutes for sessions over two minutes."""
    return (60.0, "minutes") if data.info.duration_s > 120 else (1.0, "seconds")


def _markers(ax: Any, data: SessionData, scale: float, label: bool) -> None:
    m = data.tables["markers"].columns
    for t, text in zip(m["t"], m["label"], strict=True):
        if str(text).startswith("calibration"):
            continue  # the baseline is drawn as its own band
        ax.axvline(t / scale, color=MARKER, lw=0.9, ls="--", alpha=0.8)
        if label:
            ax.annotate(
                str(text), (t / scale, 1.0), xycoords=("data", "axes fraction"), rotation=90, fontsize=7,
                color=MARKER, va="top", ha="right",
            )  # fmt: skip


def baseline_span(data: SessionData) -> tuple[float, float] | None:
    """(start, end) session seconds of the resting calibration, from its markers; None without one."""
    m = data.tables["markers"].columns
    starts = [float(t) for t, x in zip(m["t"], m["label"], strict=True) if str(x).startswith("calibration start")]
    ends = [float(t) for t, x in zip(m["t"], m["label"], strict=True) if str(x) == "calibration complete"]
    if not starts:
        return None
    later = [t for t in ends if t >= starts[0]]
    return starts[0], later[0] if later else data.info.duration_s


def _phases(ax: Any, data: SessionData, scale: float) -> bool:
    """Shade the baseline on ``ax``; whether there was one."""
    span = baseline_span(data)
    if span is not None:
        ax.axvspan(span[0] / scale, span[1] / scale, color=BASELINE, lw=0, zorder=0)
    return span is not None


def _legend(ax: Any, data: SessionData, baseline: bool, self_reports: bool, ncol: int = 4) -> None:
    """The legend of the lines drawn, plus entries for markers, baseline and self-reports only when present."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles, labels = ax.get_legend_handles_labels()
    extra: list[tuple[Any, str]] = []
    if any(not str(x).startswith("calibration") for x in data.tables["markers"].columns["label"]):
        extra.append((Line2D([], [], color=MARKER, lw=0.9, ls="--"), "marker"))
    if baseline:
        extra.append((Patch(color=BASELINE), "baseline (rest)"))
    if self_reports:
        extra.append((Line2D([], [], marker="o", color=MUTED, ls="", mec="white"), "self-report (1-9 as -1..1)"))
    for handle, label in extra:
        handles.append(handle)
        labels.append(label)
    ax.legend(handles, labels, loc="lower left", fontsize=7, frameon=False, ncol=ncol)


def affect_trajectory(data: SessionData) -> bytes:
    """Fused valence and arousal over the session with the confidence band, the baseline, markers and
    self-reports (valence dots, arousal squares in their colours, 1-9 drawn on -1..1)."""
    scale, unit = time_scale(data)
    fused = data.tables[FUSED.name].columns
    fig, (ax,) = new_figure(1, 3.0)
    t = fused["t"] / scale
    baseline = _phases(ax, data, scale)
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
    ax.set_xlabel(f"session time ({unit})", color=INK, fontsize=8)
    _legend(ax, data, baseline, bool(data.self_reports))
    return to_png(fig)


def va_plane(data: SessionData, goals: list[tuple[float, float]]) -> bytes:
    """The valence-arousal path, from light (start) to dark (end), with the goal point(s) in force."""
    plt = _pyplot()
    fused = data.tables[FUSED.name].columns
    fig, ax = plt.subplots(figsize=(4.0, 4.0))
    n = len(fused["t"])
    step = max(1, n // 2000)
    v, a = fused["valence"][::step], fused["arousal"][::step]
    ax.scatter(v, a, c=np.linspace(0, 1, len(v)), cmap="Blues", s=5, vmin=-0.3, vmax=1)
    if len(v):
        ax.plot([v[0]], [a[0]], "o", color="#9aa5b1", ms=9, label="start")
        ax.plot([v[-1]], [a[-1]], "o", color="#102a43", ms=9, label="end")
    for i, (gv, ga) in enumerate(goals):
        ax.plot([gv], [ga], "o", mfc="none", mec="#009E73", ms=14, mew=2, label="goal" if i == 0 else None)
    ax.axhline(0, color=MUTED, lw=0.6)
    ax.axvline(0, color=MUTED, lw=0.6)
    ax.set_xlim(-1, 1)
    ax.set_ylim(-1, 1)
    ax.set_xlabel("valence: unpleasant - pleasant", fontsize=8)
    ax.set_ylabel("arousal: calm - activated", fontsize=8)
    ax.tick_params(labelsize=7, colors=MUTED)
    ax.legend(fontsize=7, frameon=False, loc="upper left")
    return to_png(fig)


def body_signals(data: SessionData) -> bytes | None:
    """The body next to the affect: fused arousal and valence, the EEG's relative theta, alpha and beta power,
    heart rate (BPM) and skin conductance (EDA, µS), on one time axis; only the rows that were recorded. None
    when the body channel recorded nothing."""
    bands = table_or_empty(data, "body.band_relative")
    features = table_or_empty(data, "body.features")
    heart = finite_column(features, "heart_rate_bpm")
    eda = finite_column(features, "eda_tonic")
    rows = [name for name, have in (("bands", bands), ("heart", heart), ("eda", eda)) if have is not None]
    if not rows:
        return None
    scale, unit = time_scale(data)
    fig, axes = new_figure(1 + len(rows), 1.5 * (1 + len(rows)), [1.2] + [1.0] * len(rows))
    fused = data.tables[FUSED.name].columns
    top = axes[0]
    top.plot(fused["t"] / scale, fused["valence"], color=VALENCE, lw=1.2, label="valence")
    top.plot(fused["t"] / scale, fused["arousal"], color=AROUSAL, lw=1.2, label="arousal")
    top.set_ylim(-1.05, 1.05)
    top.set_ylabel("affect")
    top.legend(loc="lower left", fontsize=7, frameon=False, ncol=2)
    for ax, row in zip(axes[1:], rows, strict=True):
        _phases(ax, data, scale)
        if row == "bands" and bands is not None:
            t = bands.columns["t"] / scale
            for band, colour in BAND_COLOURS.items():
                if band in bands.columns:
                    ax.plot(t, _smooth(bands.columns[band]), color=colour, lw=1.1, label=band)
            ax.set_ylabel("EEG share")
            ax.legend(loc="upper left", fontsize=7, frameon=False, ncol=3)
        elif row == "heart" and heart is not None:
            ax.plot(heart[0] / scale, heart[1], color=INK, lw=1.1)
            ax.set_ylabel("heart (BPM)")
        elif eda is not None:
            ax.plot(eda[0] / scale, eda[1], color=INK, lw=1.1)
            ax.set_ylabel("EDA (µS)")
    _phases(top, data, scale)
    axes[-1].set_xlabel(f"session time ({unit})", color=INK, fontsize=8)
    return to_png(fig)


def _smooth(values: np.ndarray, n: int = 8) -> np.ndarray:
    """A running mean over ``n`` rows (band shares jitter window to window)."""
    x = np.asarray(values, dtype=float)
    if len(x) < n:
        return x
    kernel = np.ones(n)
    return np.convolve(x, kernel, mode="same") / np.convolve(np.ones_like(x), kernel, mode="same")


def channel_states(quality: Mapping[str, ChannelQuality], data: SessionData) -> bytes:
    """Each channel's health over the session as a band: ok, degraded, down; the legend names the states seen."""
    from matplotlib.patches import Patch

    scale, unit = time_scale(data)
    channels = list(quality)
    fig, (ax,) = new_figure(1, 0.4 * len(channels) + 1.0, width=7.0)
    seen = set()
    for row, channel in enumerate(channels):
        for start, end, state in quality[channel].spans:
            ax.barh(row, (end - start) / scale, left=start / scale, color=STATE_COLOURS[state], height=0.6, lw=0)
            seen.add(state)
    ax.set_yticks(range(len(channels)), channels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, max(data.info.duration_s, 1e-3) / scale)
    ax.set_xlabel(f"session time ({unit})", color=INK, fontsize=8)
    handles = [Patch(color=STATE_COLOURS[s], label=s) for s in STATE_COLOURS if s in seen]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
    return to_png(fig)


def music_parameters(data: SessionData) -> bytes:
    """What played: the mode and the layers (lanes), tempo (BPM), volume (dBFS) and the 0-1 parameters, with
    markers; a lane only for a layer or mode that played."""
    from matplotlib.patches import Patch

    scale, unit = time_scale(data)
    music = data.tables[MUSIC.name].columns
    t = music["t"] / scale
    spans = layer_spans(data)
    fig, (lanes, tempo, volume, rest) = new_figure(4, 6.4, [1.0, 1.0, 0.8, 1.0])
    names = [name for name in LAYERS if name in spans]
    for row, name in enumerate(names):
        for start, end in spans[name]:
            lanes.barh(row + 1, (end - start) / scale, left=start / scale, color="#9aa5b1", height=0.6, lw=0)
    modes = np.asarray(music["mode"], dtype=object)
    played = []
    if len(t):
        edges = np.flatnonzero(modes[1:] != modes[:-1]) + 1
        for lo, hi in zip(np.r_[0, edges], np.r_[edges, len(t) - 1], strict=True):
            mode = str(modes[lo])
            lanes.barh(0, t[hi] - t[lo], left=t[lo], color=MODE_COLOURS.get(mode, MUTED), height=0.6, lw=0)
            played.append(mode)
    lanes.set_yticks(range(len(names) + 1), ["mode", *names], fontsize=7)
    lanes.invert_yaxis()
    handles = [Patch(color=MODE_COLOURS.get(m, MUTED), label=m) for m in dict.fromkeys(played)]
    lanes.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7, frameon=False)
    tempo.plot(t, music["tempo"], color=INK, lw=1.4)
    tempo.set_ylabel("tempo (BPM)")
    volume.plot(t, music["volume"], color=INK, lw=1.4)
    volume.set_ylabel("volume (dBFS)")
    for name, colour in (
        ("tension", "#D55E00"),
        ("brightness", "#E69F00"),
        ("density", "#0072B2"),
        ("space", "#009E73"),
    ):
        rest.plot(t, music[name], color=colour, lw=1.2, label=name)
    rest.set_ylim(-0.02, 1.02)
    rest.set_ylabel("0 to 1")
    rest.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7, frameon=False)
    rest.set_xlabel(f"session time ({unit})", color=INK, fontsize=8)
    for i, ax in enumerate((tempo, volume, rest)):
        _markers(ax, data, scale, label=i == 0)
    return to_png(fig)


def lever_effects(response: Mapping[str, Any]) -> bytes:
    """The music levers known to move the client: each lever's effect on valence or arousal per tenth of its range
    (a mode or layer: while it plays) as a bar, with whiskers at two standard deviations (about 95 % sure)."""
    working = list(response.get("working") or [])
    fig, (ax,) = new_figure(1, 0.5 + 0.38 * len(working), width=6.0)
    y = np.arange(len(working))[::-1]
    for row, item in zip(y, working, strict=True):
        lever = str(item.get("lever", "?"))
        scale = 1.0 if lever.startswith(("mode ", "layer ")) else 0.1
        effect, sd = float(item.get("per_unit", 0.0)) * scale, float(item.get("sd", 0.0)) * scale
        colour = VALENCE if item.get("axis") == "valence" else AROUSAL
        ax.barh(row, effect, color=colour, height=0.6)
        ax.errorbar(effect, row, xerr=2 * sd, color=INK, capsize=3, lw=0.9)
    ax.set_yticks(y, [f"{item.get('lever', '?')} → {item.get('axis', '?')}" for item in working], fontsize=8)
    ax.axvline(0, color=MUTED, lw=0.8)
    ax.set_xlabel("change per tenth of the lever's range (a mode or layer: while it plays)", color=INK, fontsize=8)
    return to_png(fig)
