"""The master chain in pyo: stereo reverb, rumble filter, loudness leveller, volume, fade and the limiter.

mix -> high-pass (below small speakers) -> + reverb (mono send, decorrelated left and right: real width) ->
leveller (K-weighted loudness of both channels over a few seconds, one gain towards the loudness the volume asks
for) -> fade -> lookahead limiter and hard clip, scaled to the ceiling (at most -1 dBFS) -> out.

Volume is a loudness target: the leveller holds the mix at REFERENCE_LUFS and the volume V dBFS moves it to
REFERENCE_LUFS + V (so presets, instruments and brightness settings at the same volume sound equally loud), never
above the operator's ceiling. Times in seconds.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyo

from studio.music.params import db_to_amp

LIMIT_DBFS = -1.0  # no output peak ever exceeds this
CLIP_SHARE = 0.98  # the hard clip sits this far (linear) below the ceiling: -0.18 dB
LOOKAHEAD_SECONDS = 0.005  # the limiter delays the output this much, to catch peaks before they pass
CEILING_GLIDE_SECONDS = 0.05
FADE_IN_SECONDS = 3.0
SETTLE_SECONDS = 0.05  # the output stays silent this long after the patch starts
REFERENCE_LUFS = -14.0  # loudness of the music at volume 0 dBFS; volume V dBFS aims at REFERENCE_LUFS + V
LEVELLER_SECONDS = 3.0  # time constant of the loudness measurement as the music falls, and of the boost
LEVELLER_RISE_SECONDS = 0.6  # time constant of the loudness measurement as the music grows
LEVELLER_RANGE_DB = (-18.0, 12.0)  # the leveller never cuts or boosts more than this
LEVELLER_GATE_LU = 20.0  # music quieter than the target by more than this counts as this much quieter
RUMBLE_HZ = 45.0
_K_SHELF_HZ, _K_SHELF_DB = 1500.0, 4.0  # ITU-R BS.1770 K-weighting's shelf, approximated
# BS.1770's offset (-0.691), and this chain's difference to pyloudnorm measured over 10 minutes of every shipped
# preset (-0.2: its measurement follows rises faster than falls, so it reads high).
_LUFS_CALIBRATION = -0.691 - 0.2


class Master:
    """The chain above, fed with the stereo `mix`; `volume_db` and `space` are gliding signals, `ceiling_db`
    dBFS. The loudness measurement starts at the reference, so the leveller does not react to the moment before
    the first notes."""

    def __init__(self, keep: Callable[[Any], Any], mix: Any, volume_db: Any, space: Any, ceiling_db: float) -> None:
        n = keep
        dry = n(pyo.ButHP(mix, freq=RUMBLE_HZ))
        room = n(pyo.Freeverb(dry, size=n(n(space * 0.3) + 0.62), damp=0.55, bal=1.0))
        # Different all-pass chains per channel decorrelate the two rooms: the reverb adds width.
        spread = n(pyo.Allpass(room, delay=[0.0087, 0.0113], feedback=0.6))
        wet = n(pyo.Allpass(spread, delay=[0.0141, 0.0231], feedback=0.6, mul=n(space * 0.75)))
        spaced = n(n(dry * n(1.0 - n(space * 0.35))) + wet)

        # Loudness of both channels together (their powers summed), K-weighted as ITU-R BS.1770 does (its 38 Hz
        # high-pass is left out: the rumble filter above already removed that range), and one gain for both, so
        # the stereo image never moves. The control chain is mono; one product applies it to the music.
        weighted = n(pyo.EQ(spaced, freq=_K_SHELF_HZ, boost=_K_SHELF_DB, type=2))
        power = n(pyo.Mix(n(weighted * weighted), voices=1))
        start = db_to_amp(2.0 * (REFERENCE_LUFS - _LUFS_CALIBRATION))
        # The measurement follows a rise within a second but a fall only over seconds, and the gain cuts fast but
        # boosts slowly: music that grows louder is caught at once, quiet moments are not pumped up.
        self._ms = n(pyo.Port(power, risetime=LEVELLER_RISE_SECONDS, falltime=LEVELLER_SECONDS, init=start))
        self.loudness = n(n(n(pyo.AToDB(self._ms)) * 0.5) + _LUFS_CALIBRATION)
        # Below the gate the measurement counts as the gate's level, so silence never draws a full boost.
        gated = n(pyo.Max(self.loudness, REFERENCE_LUFS - LEVELLER_GATE_LU))
        correction = n(pyo.Clip(n(REFERENCE_LUFS - gated), min=LEVELLER_RANGE_DB[0], max=LEVELLER_RANGE_DB[1]))
        self.gain_db = n(pyo.Port(correction, risetime=LEVELLER_SECONDS, falltime=0.3, init=0.0))

        self.fade = n(pyo.SigTo(0.0, time=FADE_IN_SECONDS, init=0.0))
        ceiling = db_to_amp(min(ceiling_db, LIMIT_DBFS))
        self._ceiling = n(pyo.SigTo(ceiling, time=CEILING_GLIDE_SECONDS, init=ceiling))
        self._inverse = n(pyo.SigTo(1.0 / ceiling, time=CEILING_GLIDE_SECONDS, init=1.0 / ceiling))
        # The first buffers of a new graph carry a short burst (filters and the leveller settling): silence them.
        settled = n(pyo.Linseg([(0.0, 0.0), (SETTLE_SECONDS, 0.0), (SETTLE_SECONDS + 0.01, 1.0)]).play())
        gain = n(n(n(pyo.DBToA(n(self.gain_db + volume_db)) * self.fade) * settled) * self._inverse)
        faded = n(spaced * gain)
        limited = n(
            pyo.Compress(
                faded, thresh=-4.0, ratio=50.0, risetime=0.0005, falltime=0.2, lookahead=LOOKAHEAD_SECONDS * 1000
            )
        )
        clipped = n(pyo.Clip(limited, min=-CLIP_SHARE, max=CLIP_SHARE))
        self.out = n(n(clipped * self._ceiling).out())
        self.peak = n(pyo.PeakAmp(self.out))

    def set_ceiling(self, dbfs: float) -> None:
        """Cap the output peak at `dbfs` (at most -1 dBFS) within CEILING_GLIDE_SECONDS."""
        amplitude = db_to_amp(min(dbfs, LIMIT_DBFS))
        self._ceiling.value = amplitude
        self._inverse.value = 1.0 / amplitude

    def fade_to(self, level: float, seconds: float) -> None:
        """Ramp the master fade (0..1, linear amplitude) to `level` over `seconds`."""
        self.fade.time = seconds
        self.fade.value = level

    def peak_amplitude(self) -> float:
        """Peak absolute sample value of the last processed buffer, over both channels."""
        return max(float(v) for v in self.peak.get(all=True))
