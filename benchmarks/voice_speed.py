"""Voice analysis speed: real-time factor on one core, and speech onset to first feature update.

Real-time factor: CPU seconds (this process, one thread) to analyse a minute of the scripted voice through
the whole channel (10 ms frames, features and estimate ten times a second) over the minute's duration.

Latency: audio arrives in blocks at real-time pace into the ring a PyAudio callback would fill (a thread
here, writing one ``--block`` every block duration), the channel's worker steps as in a session, and the
time from the first sample of a vowel after silence to the first update that shows it (a voiced frame in
``voice.prosody``, and a ``voice.features`` row with voiced speech) is measured over several onsets.

Run: .venv/bin/python -m benchmarks.voice_speed [--block 512] [--trials 8]
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import time

import numpy as np

from fusion.prosody_frames import REFERENCE_POWER
from sensors.audio_feed import AudioBlock, FeedHealth, int16_to_float
from sensors.base import State
from sensors.sample_ring import SampleRing
from sensors.voice import WINDOW_S, ScriptedFeed, VoiceSource
from studio.kernel.clock import ManualClock, SessionClock
from studio.kernel.streams import StreamHub
from studio.kernel.worker import PeriodicWorker

RATE = 16000


def real_time_factor(seconds: float) -> dict[str, float]:
    """CPU time of the whole channel on ``seconds`` of scripted voice, over ``seconds``."""
    source = VoiceSource(ScriptedFeed())
    source.open(StreamHub())
    clock = ManualClock()
    feed_cpu = 0.0
    feed = source.feed
    read = feed.read

    def timed_read(now: float) -> AudioBlock | None:  # the synthesis is not analysis: keep it out
        nonlocal feed_cpu
        t0 = time.process_time()
        block = read(now)
        feed_cpu += time.process_time() - t0
        return block

    feed.read = timed_read  # type: ignore[method-assign]
    t0 = time.process_time()
    for _ in range(int(seconds / source.period)):
        source.step(clock.advance(source.period))
    cpu = time.process_time() - t0 - feed_cpu
    return {"audio_s": seconds, "analysis_cpu_s": round(cpu, 3), "real_time_factor": round(cpu / seconds, 4)}


class RingFeed:
    """A feed over a SampleRing filled by a thread at real-time pace, as PyAudio's callback fills it."""

    def __init__(self, clock: SessionClock) -> None:
        self.backend = "benchmark ring"
        self.health = FeedHealth(State.OK, "benchmark")
        self.ring = SampleRing(RATE * 5)
        self.clock = clock
        self._next_t: float | None = None

    def start(self, now: float) -> None:
        return None

    def read(self, now: float) -> AudioBlock | None:
        raw, _ = self.ring.drain()
        if raw.size == 0 or self.ring.last_write_t is None:
            return None
        samples = int16_to_float(raw)
        t_first = self._next_t if self._next_t is not None else self.ring.last_write_t - samples.size / RATE
        self._next_t = t_first + samples.size / RATE
        return AudioBlock(samples, float(RATE), t_first)

    def stop(self) -> None:
        return None


def onset_signal(trials: int, gap_s: float, vowel_s: float) -> tuple[np.ndarray, list[int]]:
    """Quiet room noise with ``trials`` vowels (a 160 Hz harmonic tone at 65 dB), and their first samples."""
    rng = np.random.default_rng(3)
    parts, onsets, pos = [], [], 0
    for _ in range(trials):
        quiet = rng.standard_normal(int(gap_s * RATE)) * np.sqrt(REFERENCE_POWER * 10**3.0)
        t = np.arange(int(vowel_s * RATE)) / RATE
        vowel = np.sum([np.sin(2 * np.pi * 160 * h * t) / h for h in range(1, 9)], axis=0)
        vowel = vowel / vowel.std() * np.sqrt(REFERENCE_POWER * 10**6.5)
        parts += [quiet, vowel]
        onsets.append(pos + quiet.size)
        pos += quiet.size + vowel.size
    parts.append(np.zeros(RATE))  # a second of silence after the last vowel
    return np.concatenate(parts), onsets


def latency(block: int, trials: int) -> dict[str, object]:
    clock = SessionClock()
    hub = StreamHub()
    feed = RingFeed(clock)
    source = VoiceSource(feed)
    source.open(hub)
    signal, onsets = onset_signal(trials, gap_s=WINDOW_S + 0.3, vowel_s=0.6)  # each onset after a silent window
    pcm = (signal * 32767).astype("<i2")
    first_sample_t: list[float] = []

    def play() -> None:  # the "callback": one block every block duration, stamped on arrival
        start = time.monotonic()
        for k, i in enumerate(range(0, pcm.size, block)):
            time.sleep(max(0.0, start + (k + 1) * block / RATE - time.monotonic()))
            feed.ring.write(pcm[i : i + block].tobytes(), clock.now())
            if not first_sample_t:
                first_sample_t.append(clock.now() - block / RATE)

    worker = PeriodicWorker("voice", source.period, lambda: source.step(clock.now()))
    player = threading.Thread(target=play)
    prosody, features = hub.get("voice.prosody"), hub.get("voice.features")
    seen: dict[str, list[tuple[float, float, float]]] = {"prosody": [], "features": []}  # (row t, value, seen at)
    cursors = {"prosody": 0, "features": 0}
    player.start()
    worker.start()
    while player.is_alive():
        time.sleep(0.002)
        now = clock.now()
        for name, stream, column in (("prosody", prosody, 2), ("features", features, 7)):
            cursors[name], rows = stream.since(cursors[name])
            seen[name] += [(t, v, now) for t, v in zip(rows.t, rows.values[:, column], strict=True)]
    player.join()
    worker.stop()

    def delay(name: str, onset_t: float) -> float:
        """Seconds from the onset until a row stamped after it (50 ms early allowed) showed voice."""
        hits = [at for t, v, at in seen[name] if t >= onset_t - 0.05 and v > 0]
        return min(hits) - onset_t if hits else float("nan")

    onset_times = [first_sample_t[0] + i / RATE for i in onsets]
    frame_ms = np.array([delay("prosody", t) for t in onset_times]) * 1000
    ms = np.array([delay("features", t) for t in onset_times]) * 1000
    return {
        "block_samples": block,
        "block_ms": round(1000 * block / RATE, 1),
        "onsets": len(onsets),
        "first_voiced_frame_ms": {"median": round(float(np.nanmedian(frame_ms)), 1)},
        "first_feature_update_ms": {
            "median": round(float(np.nanmedian(ms)), 1),
            "max": round(float(np.nanmax(ms)), 1),
            "missed": int(np.isnan(ms).sum()),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0, help="audio for the real-time factor")
    parser.add_argument("--block", type=int, default=512, help="capture block, samples at 16 kHz")
    parser.add_argument("--trials", type=int, default=8, help="speech onsets for the latency")
    args = parser.parse_args()
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    print(json.dumps({"real_time": real_time_factor(args.seconds)}))
    print(json.dumps({"latency": latency(args.block, args.trials)}))
    print(json.dumps({"load_average": os.getloadavg()}))


if __name__ == "__main__":
    main()
