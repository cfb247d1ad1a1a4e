"""Tooltips on every estimate the console shows: what it is, and how confident it is right now (refreshed
a few times a second, so hovering always tells the current confidence and why it is not higher)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QWidget

from fusion.fuse import Fused
from sensors.base import affect_spec
from studio.app import Studio
from studio.loop import contribution_text

SCALE = (
    "Valence runs from -1 (unpleasant) to +1 (pleasant), arousal from -1 (calm, sleepy) to +1 (activated). "
    "Confidence runs from 0 (no usable information) to 1 (every channel confident and in agreement). "
    "It is a machine estimate to support the operator's judgement, not a diagnosis."
)


def confidence_words(confidence: float) -> str:
    if confidence >= 0.7:
        return "high"
    return "moderate" if confidence >= 0.4 else "low"


def fused_tip(what: str, fused: Fused) -> str:
    """``what`` the view shows, the fused estimate now with its confidence, and each channel's share."""
    a = fused.affect
    shares = "\n".join("  " + contribution_text(c) for c in fused.contributions) or "  no channel yet"
    agreement = f"channels disagree: {fused.conflict}" if fused.conflict else "the channels agree"
    return (
        f"{what}\n\nNow: valence {a.valence:+.2f}, arousal {a.arousal:+.2f}, confidence {a.confidence:.2f} "
        f"({confidence_words(a.confidence)}; {agreement}, {100 * fused.agreement:.0f}% agreement).\n"
        f"What it rests on:\n{shares}\n\n{SCALE}"
    )


class EstimateTips:
    """Keeps the tooltips of the estimate views current (not a widget: it works on the others)."""

    def __init__(
        self, studio: Studio, fused_views: Sequence[tuple[QWidget, str]], channel_views: Sequence[QWidget]
    ) -> None:
        self._studio = studio
        self._fused_views = fused_views
        self._channel_views = channel_views

    def channel_tip(self) -> str:
        lines = []
        for channel, status in self._studio.statuses().items():
            name = affect_spec(channel).name
            latest = self._studio.hub.get(name).latest() if name in self._studio.hub else None
            if latest is None:
                lines.append(f"  {channel}: no estimate yet ({status.state.value})")
                continue
            v, a, c = (float(x) for x in latest[1][:3])
            note = f"; {status.detail}" if status.detail else ""
            lines.append(f"  {channel}: valence {v:+.2f}, arousal {a:+.2f}, confidence {c:.2f}{note}")
        return (
            "Each channel's own estimate over the last minute, one colour per channel; gaps are times with no "
            "confidence (no face, silence, no signal).\n\nNow:\n" + "\n".join(lines) + f"\n\n{SCALE}"
        )

    def refresh(self, now: float) -> None:
        fused = self._studio.loop.last
        for view, what in self._fused_views:
            if view.isVisible():
                view.setToolTip(fused_tip(what, fused))
        if any(v.isVisible() for v in self._channel_views):
            tip = self.channel_tip()
            for view in self._channel_views:
                view.setToolTip(tip)
