"""How the body channel processes its signals: filters, asymmetry pairs, quality limits (from ``[body]``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from fusion.eeg import parse_pairs
from fusion.quality import QualityLimits


@dataclass(frozen=True)
class BodySettings:
    """``source`` says where the signals come from: ``synthetic``, a saved board profile's name,
    ``playback:FILE[@BOARD]``, ``file:PATH`` or ``lsl:NAME`` (``lsl:type=EEG``)."""

    source: str = "synthetic"
    notch_hz: float = 50.0  # mains frequency removed before features (50 or 60; 0: no notch)
    band_low_hz: float = 1.0  # band-pass of the EEG before features and in the traces
    band_high_hz: float = 45.0
    asymmetry_pairs: tuple[tuple[str, str], ...] = (("F4", "F3"),)  # (right, left) frontal pairs
    quality: QualityLimits = field(default_factory=QualityLimits)
    profiles_file: str = ""  # saved board profiles; empty: boards.toml beside the user's settings file
    demo_faults: tuple[str, ...] = ()  # training faults injected into the demo's synthetic board (--demo-faults)

    @staticmethod
    def from_table(table: dict[str, object]) -> BodySettings:
        """From the ``[body]`` settings (already type-checked against the defaults); ValueError names a bad value."""
        notch = float(table["notch_hz"])  # type: ignore[arg-type]
        low = float(table["band_low_hz"])  # type: ignore[arg-type]
        high = float(table["band_high_hz"])  # type: ignore[arg-type]
        if notch not in (0.0, 50.0, 60.0):
            raise ValueError(f"body.notch_hz = {notch:g}; use 50, 60 or 0 (no notch)")
        if not 0 <= low < high:
            raise ValueError(f"body.band_low_hz = {low:g} and band_high_hz = {high:g}: need 0 <= low < high")
        return BodySettings(
            source=str(table["source"]).strip() or "synthetic",
            notch_hz=notch,
            band_low_hz=low,
            band_high_hz=high,
            asymmetry_pairs=parse_pairs(str(table["asymmetry_pairs"])),
            profiles_file=str(table["profiles_file"]),
        )
