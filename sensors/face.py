"""The face channel: a live source (camera, video file or image folder through MediaPipe's Face Landmarker)
and a scripted one for demos. Both calibrate to the person's resting face the same way."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from fusion.affect import NO_AFFECT, Affect
from fusion.face import FACE_FEATURES, BaselineCollector, Driver, checked_baseline, estimate
from fusion.face_dynamics import FaceDynamics
from sensors.base import FrameClock, Source, State
from sensors.frames import Backoff, Capture, FaceConfig, FrameCapture, FrameReader, Image
from sensors.landmarker import FaceReading, Landmarker, LandmarkerError
from studio.kernel.clock import SessionClock
from studio.kernel.streams import Record, Stream, StreamHub, StreamSpec
from studio.kernel.worker import ItemCounts, NewestItemWorker, PeriodicWorker, Worker

AUTO_CALIBRATION = 5.0  # seconds: with no calibration asked for or loaded, the first seconds with input are used
STALE_FRAMES = 2.0  # seconds without a new frame after which the channel says the frames stopped
HISTORY = 120.0  # seconds of blendshapes kept in memory
BLENDSHAPES = StreamSpec("face.blendshapes", FACE_FEATURES, "", HISTORY, Record.FEATURES)  # MediaPipe scores 0..1


class FaceSource(Source):
    """What both face sources share: the blendshape stream, the neutral baseline and the explanation.

    ``publish`` is called once per analysed frame, from whichever thread analyses it.
    """

    channel = "face"

    def __init__(self) -> None:
        super().__init__()
        self.shapes: Stream | None = None
        self._lock = threading.Lock()
        self._baseline: dict[str, float] | None = None
        self._collector: BaselineCollector | None = BaselineCollector(AUTO_CALIBRATION)
        self._auto = True
        self._calibration_note = ""
        self._last_t = 0.0
        self._drivers: list[Driver] = []
        self._note = ""
        self._dynamics = FaceDynamics()
        self._filtered_baseline: dict[str, float] | None = None

    def specs(self) -> tuple[StreamSpec, ...]:
        return (*super().specs(), BLENDSHAPES)

    def open(self, hub: StreamHub) -> None:
        super().open(hub)
        self.shapes = hub.open(BLENDSHAPES, 1.0 / self.period)

    # --- calibration contract ----------------------------------------------------------------------------
    def calibrate(self, seconds: float) -> None:
        """Collect the resting face over the next ``seconds`` of frames; then estimates are relative to it."""
        collector = BaselineCollector(seconds)
        with self._lock:
            self._collector = collector
            self._auto = False
            self._calibration_note = ""

    def baseline(self) -> dict[str, float] | None:
        with self._lock:
            return dict(self._baseline) if self._baseline is not None else None

    def load_baseline(self, values: dict[str, float]) -> None:
        """Reuse a stored resting profile; ValueError naming the first bad entry (nothing changes then)."""
        checked = checked_baseline(values)
        with self._lock:
            self._baseline = checked
            self._collector = None
            self._calibration_note = "stored neutral face loaded"

    def forget_baseline(self) -> None:
        with self._lock:
            self._baseline = None
            self._collector = BaselineCollector(AUTO_CALIBRATION)
            self._auto = True
            self._calibration_note = ""

    def calibration_note(self) -> str:
        """'calibrating (3 s left)', the outcome of the last calibration, or ''."""
        with self._lock:
            if self._collector is not None:
                return f"calibrating neutral face ({math.ceil(self._collector.remaining(self._last_t))} s left)"
            return self._calibration_note

    def expression_note(self) -> str:
        """Why the newest estimate is less sure, or what its time course showed ('' when nothing), e.g.
        'mixed expression: smile with grief brow, confidence 0.41'."""
        with self._lock:
            return self._note

    @property
    def drivers(self) -> list[Driver]:
        """The blendshapes behind the newest estimate, strongest first (empty without a face)."""
        with self._lock:
            return list(self._drivers)

    def publish(self, t: float, scores: Mapping[str, float] | None, confidence: float) -> Affect:
        """Write one frame's blendshapes (when a face was seen) and its affect, stamped ``t`` (session s)."""
        assert self.shapes is not None, "open() the source first"
        with self._lock:
            self._last_t = t
            if self._collector is not None and self._collector.add(t, scores):
                self._finish_calibration()
            baseline = self._baseline
        note = ""
        if scores is None:
            affect = NO_AFFECT
            drivers: list[Driver] = []
        else:
            self.shapes.append(t, [scores.get(name, 0.0) for name in FACE_FEATURES])
            if baseline is not self._filtered_baseline:  # a new resting face: the time course starts anew
                self._dynamics.reset()
                self._filtered_baseline = baseline
            found = self._dynamics.update(t, estimate(scores, baseline, confidence))
            affect, drivers = found.affect, list(found.drivers)
            note = f"{found.note}, confidence {affect.confidence:.2f}" if found.note else ""
        with self._lock:
            self._drivers = drivers
            self._note = note
        self.emit(t, affect)
        return affect

    def _finish_calibration(self) -> None:
        """Called with the lock held when the collector's time is up."""
        assert self._collector is not None
        result = self._collector.result()
        if result:
            self._baseline = result
            self._calibration_note = f"neutral face from {len(self._collector.frames)} frames"
            self._collector = None
        elif self._auto:
            self._collector = BaselineCollector(AUTO_CALIBRATION)  # wait for a face to appear
        else:
            self._calibration_note = "calibration saw no face; press calibrate again"
            self._collector = None


SCRIPTED_SHAPES = (
    "mouthSmileLeft",
    "mouthSmileRight",
    "browDownLeft",
    "browDownRight",
    "mouthFrownLeft",
    "mouthFrownRight",
    "eyeWideLeft",
    "eyeWideRight",
    "jawOpen",
    "eyeBlinkLeft",
    "eyeBlinkRight",
)


def scripted_expression(t: float, cycle: float = 48.0) -> dict[str, float] | None:
    """Blendshape scores at ``t`` seconds of a looping script: neutral, smile, surprise, frown, neutral.

    Returns None during a short 'looked away' gap near the end of each ``cycle`` (seconds), so demos show
    the channel losing and regaining the face.
    """
    phase = (t % cycle) / cycle
    if 0.93 <= phase < 0.98:
        return None

    def bump(centre: float, width: float) -> float:
        return math.exp(-(((phase - centre) / width) ** 2))

    smile = 0.8 * bump(0.25, 0.09)
    surprise = 0.7 * bump(0.5, 0.06)
    frown = 0.6 * bump(0.72, 0.08)
    blink = 1.0 if (t % 4.0) < 0.15 else 0.05
    return {
        "mouthSmileLeft": smile,
        "mouthSmileRight": smile * 0.95,
        "browDownLeft": frown * 0.8,
        "browDownRight": frown * 0.8,
        "mouthFrownLeft": frown,
        "mouthFrownRight": frown,
        "eyeWideLeft": surprise,
        "eyeWideRight": surprise,
        "jawOpen": 0.6 * surprise,
        "eyeBlinkLeft": blink,
        "eyeBlinkRight": blink,
    }


class ScriptedFace(FaceSource):
    """Synthetic face at 15 frames per second: blendshape scores from ``expression`` (session seconds -> scores,
    None when no face is in view), by default the looping ``scripted_expression``. A face that knows its
    person's ``neutral`` scores starts with them as its resting profile (the demo person's face)."""

    backend = "synthetic"
    period = 1.0 / 15.0
    confidence = 0.85

    def __init__(
        self,
        note: str = "",
        expression: Callable[[float], Mapping[str, float] | None] = scripted_expression,
        neutral: Mapping[str, float] | None = None,
    ) -> None:
        """``note``: anything the operator should know about the face channel, shown after its state."""
        super().__init__()
        self.detail = "scripted expressions" + (f"; {note}" if note else "")
        self._frames = FrameClock(self.period)
        self._expression = expression
        self._neutral = neutral

    def open(self, hub: StreamHub) -> None:
        super().open(hub)
        if self._neutral is not None:
            self.load_baseline(dict(self._neutral))
        self.set_status(State.OK, self.detail)

    def step(self, now: float) -> None:
        for t in self._frames.due(now):
            scores = self._expression(t)
            self.publish(t, scores, self.confidence if scores is not None else 0.0)
            if scores is None:
                self.set_status(State.DEGRADED, "no face in view")
            else:
                notes = [n for n in (self.calibration_note(), self.expression_note()) if n]
                self.set_status(State.OK, "; ".join([self.detail, *notes]))


@dataclass(frozen=True)
class Preview:
    """The newest analysed frame with what was found in it, for the operator's preview (memory only)."""

    image: Image
    reading: FaceReading


Frame = tuple[Image, float]  # a BGR image and its session time (seconds) of arrival
LATENCIES_KEPT = 500


class LiveFace(FaceSource):
    """A camera, a video file or a folder of images, analysed by MediaPipe's Face Landmarker.

    Two workers, started by the studio: capture (``pump_once``: read and stamp a frame, offer it) and analysis
    (``analyse_newest``: the newest frame offered through the landmarker, published; stale ones are dropped).
    ``step`` (the source's periodic step) only turns their state into a status. Tests call all three by hand.
    """

    def __init__(
        self,
        config: FaceConfig,
        clock: SessionClock,
        model: Path,
        opener: Callable[[], Capture] | None = None,
        backoff: Backoff | None = None,
        model_problem: str = "",
    ) -> None:
        """``model_problem``: why the face model cannot be used (missing, damaged), said by whoever installs it;
        empty when it was found intact."""
        super().__init__()
        self.config = config
        self.backend = "camera" if config.camera is not None or opener is not None else "file"
        self.period = 1.0 / config.fps
        self.model = model
        self._model_problem = model_problem
        self._clock = clock
        self._reader = FrameReader(config, opener)
        self._backoff = backoff or Backoff()
        self._landmarker: Landmarker | None = None
        self.capture = FrameCapture(self._reader, clock.now, self._offer, self._on_feed, self._backoff)
        self._analysis: NewestItemWorker[Frame] = NewestItemWorker("face-analysis", self._analyse, self._on_fault)
        self._capture_worker = PeriodicWorker("face-capture", self.period, self.capture.pump_once)
        self.latencies: list[float] = []  # seconds from a frame's arrival to its published estimate, newest 500
        self._feed_status: tuple[State, str] = (State.DOWN, "not started")
        self._reading: FaceReading | None = None
        self._preview: Preview | None = None
        self._near: tuple[float, float] | None = None
        self._fault = ""

    def open(self, hub: StreamHub) -> None:
        super().open(hub)
        if self._model_problem:
            self.set_status(State.DOWN, self._model_problem)
            return
        try:
            self._landmarker = Landmarker(self.model)
        except LandmarkerError as exc:
            self.set_status(State.DOWN, str(exc))
            return
        self.set_status(State.DOWN, f"starting {self._reader.name}")

    def workers(self) -> tuple[Worker, ...]:
        """Capture and analysis, once the landmarker is loaded (none when the model is missing)."""
        return (self._capture_worker, self._analysis) if self._landmarker is not None else ()

    def close(self) -> None:
        for worker in (self._capture_worker, self._analysis):
            worker.stop()
        self.capture.close()
        if self._landmarker is not None:
            self._landmarker.close()
        self._landmarker = None
        super().close()

    # --- operator actions (any thread) ----------------------------------------------------------------
    def pick_face(self, near: tuple[float, float] | None) -> None:
        """Follow the face at (or nearest to) ``near`` (image fractions); None: follow the largest face."""
        with self._lock:
            self._near = near

    def preview(self) -> Preview | None:
        with self._lock:
            return self._preview

    @property
    def counts(self) -> ItemCounts:
        """Frames offered to the analysis, analysed, and dropped as stale so far."""
        return self._analysis.counts

    # --- the two workers' steps ---------------------------------------------------------------------------
    def pump_once(self) -> float | None:
        """Capture one frame (or open or retry the device); returns seconds until the next step is due."""
        return self.capture.pump_once()

    def analyse_newest(self) -> bool:
        """Analyse and publish the newest frame captured (older ones waiting were dropped); False when no frame
        was waiting."""
        return self._analysis.step()

    def _offer(self, image: Image, t: float) -> None:
        self._analysis.offer((image, t))

    def _analyse(self, frame: Frame) -> None:
        image, t = frame
        assert self._landmarker is not None
        with self._lock:
            near = self._near
        reading = self._landmarker.read(image, t, near)
        face = reading.face
        with self._lock:
            if self._near is not None and face is not None:  # keep following the picked person as they move
                x0, y0, x1, y1 = face.box
                self._near = ((x0 + x1) / 2, (y0 + y1) / 2)
            self._preview = Preview(image, reading)
            self._reading = reading
            self._fault = ""
        self.publish(t, face.scores if face is not None else None, reading.confidence)
        self.latencies.append(self._clock.now() - t)
        del self.latencies[:-LATENCIES_KEPT]

    def _on_fault(self, exc: BaseException) -> None:
        with self._lock:
            self._fault = f"face analysis failed: {exc}"

    def _on_feed(self, state: State, detail: str) -> None:
        with self._lock:
            self._feed_status = (state, detail)

    def step(self, now: float) -> None:
        """Turn the feed's and the analysis' state into the channel status (nothing else happens here)."""
        with self._lock:
            feed_state, feed_detail = self._feed_status
            reading, fault = self._reading, self._fault
        if self._landmarker is None:
            return  # the status set by open() stands
        if feed_state is not State.OK:
            self.set_status(feed_state, feed_detail)
        elif fault:
            self.set_status(State.DEGRADED, fault)
        elif reading is None:
            self.set_status(State.DOWN, f"waiting for the first frame from {self._reader.name}")
        elif now - reading.t > STALE_FRAMES:
            self.set_status(State.DEGRADED, f"no frames from {self._reader.name} for {now - reading.t:.0f} s")
        else:
            self.set_status(*self._face_status(reading))

    def _face_status(self, reading: FaceReading) -> tuple[State, str]:
        width, height = reading.size
        where = f"{self._reader.name}, {width}x{height}"
        if reading.quality is None:
            return State.DEGRADED, f"no face in view ({where})"
        extra = f"; {len(reading.faces)} faces, following one" if len(reading.faces) > 1 else ""
        extra += "".join(f"; {note}" for note in (self.calibration_note(), self.expression_note()) if note)
        weak = reading.quality.weakest()
        if weak:
            return State.DEGRADED, f"{weak}, confidence {reading.confidence:.2f} ({where}){extra}"
        return State.OK, f"face found ({where}){extra}"
