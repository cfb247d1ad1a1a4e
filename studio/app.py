"""The studio core: channels, the fusion/control loop, the music engine and the recorder, wired together."""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import asdict, replace
from pathlib import Path

from fusion.response import ResponseModel
from sensors.base import CHANNELS, ChannelStatus, Source, State
from sensors.body_backend import SourceEvent
from sensors.body_channel import BodyChannel
from sensors.body_sources import make_body_channel
from sensors.face import LiveFace, ScriptedFace
from sensors.face_expression import PersonFace
from sensors.person import Person, resting
from sensors.text import TextSource
from sensors.text_expression import PersonText
from sensors.voice_setup import make_voice
from studio.config import Config, checked_calibration
from studio.kernel.clock import SessionClock
from studio.kernel.events import ControlChange, EventLog, Marker, event_code, event_duration
from studio.kernel.streams import StreamHub
from studio.kernel.worker import PeriodicWorker, Worker
from studio.levers import LEVERS, new_model, response_summary, response_words
from studio.listener import Listener, ListenerSpec, typical_listener
from studio.loop import FusionLoop
from studio.marker_inputs import LslMarkers, OscMarkers, start_marker_inputs
from studio.models import face_model_status
from studio.music.backend import choose_backend
from studio.music.engine import MusicEngine
from studio.paths import face_model_path
from studio.publish import PERIOD as PUBLISH_PERIOD
from studio.publish import Publisher, lsl_offset
from studio.recorder import OperatorAction, Recorder
from studio.remote import RemoteControl
from studio.remote_target import StudioRemote
from studio.session import SessionOptions
from studio.session_channels import ChannelWatch
from studio.store import Consent, Notes, Store, StoreError, passphrase_from_env

log = logging.getLogger(__name__)

MAX_MARKER_LABEL = 200
RECORD_PERIOD = 0.5  # seconds between writes to the database
NOTES_SAVED = "notes saved"  # the operator action logged for each saved version of the note


def make_sources(
    config: Config, clock: SessionClock, demo: bool, person: Person = resting, noise: float = 0.0
) -> dict[str, Source]:
    """One source per channel. The face is the camera (or the video or images in ``[face] source``) unless in
    demo mode; its status says when the model is missing. The voice is the microphone, a WAV file
    (``--voice PATH``) or, in demo mode, the demo person's voice. The body is ``[body] source`` (a board, a
    recording or an LSL stream), or in demo mode the demo person's body. In demo mode every channel shows
    ``person`` (session seconds -> true valence and arousal) through its own ``noise``."""
    text = TextSource(backend="synthetic", speaker=PersonText(person, noise).due) if demo else TextSource()
    model_ok, model_text = face_model_status()
    model_problem = "" if model_ok else model_text
    face: Source
    if demo:
        shown = PersonFace(person, noise)
        face = ScriptedFace(note=model_problem, expression=shown.scores, neutral=shown.neutral)
    else:
        face = LiveFace(config.face, clock, face_model_path(), model_problem=model_problem)
    return {
        "face": face,
        "voice": make_voice(config.voice, clock.now, demo, person, noise),
        "text": text,
        "body": make_body_channel(config.body, clock, config.profiles_path, demo, person, noise),
    }


class Studio:
    """A running session: start it, talk to it from any thread (text, markers, settings), stop it."""

    def __init__(
        self,
        config: Config,
        demo: bool,
        store: Path | None,
        clock: SessionClock | None = None,
        options: SessionOptions | None = None,
        sources: Mapping[str, Source] | None = None,
        listener: ListenerSpec | None = None,
        realtime: bool = True,
        wait_for_consent: bool = False,
    ) -> None:
        """``sources`` replaces the channels ``make_sources`` would choose (replayed scenarios, tests). In demo
        mode the demo person is a virtual ``listener`` (default: a typical responsive one) whose true state
        answers the music and feeds every demo channel. Not ``realtime`` (a simulated clock), the music engine
        computes no audio of its own. With ``wait_for_consent`` (the window, live) nothing is recorded and no
        music plays until ``begin_session``; otherwise (headless runs, demos) the session records from the start."""
        self.config = config
        self.demo = demo
        self.wait_for_consent = wait_for_consent
        self.options = options or SessionOptions(consent=config.consent, passphrase=passphrase_from_env())
        self.actions: EventLog[OperatorAction] = EventLog()
        self.clock = clock or SessionClock()
        self.hub = StreamHub()
        self.markers: EventLog[Marker] = EventLog()
        self.listener = Listener(listener or typical_listener()) if demo and sources is None else None
        if sources is not None:
            self.sources = dict(sources)
        elif self.listener is not None:
            self.sources = make_sources(config, self.clock, demo, self.listener.now, self.listener.spec.noise)
        else:
            self.sources = make_sources(config, self.clock, demo)
        missing = set(CHANNELS) - set(self.sources)
        if missing:
            raise ValueError(f"a session needs a source for every channel; none for {', '.join(sorted(missing))}")
        for source in self.sources.values():
            self.hub.declare(*source.specs())
        body = self.sources["body"]
        if isinstance(body, BodyChannel):  # the body channel's gaps and resumptions are marked in the session
            body.on_gap = lambda label: self.add_marker(label, "body")
            body.on_event = self._source_event
        self.engine = MusicEngine(choose_backend(config.audio_backend, config.audio_device), paced=realtime)
        self.loop = FusionLoop(
            self.hub,
            CHANNELS,
            config.loop,
            sink=self.engine,
            goal=config.goal,
            bounds=config.bounds,
            mode=config.mode,
            notes=self.channel_note,
            goal_point=config.goal_point,
        )
        self.store = store  # the database file; after start, the one actually in use
        self.database: Store | None = None
        self.recorder: Recorder | None = None
        self.publisher: Publisher | None = None
        self.marker_inputs: list[OscMarkers | LslMarkers] = []
        self.remote: RemoteControl | None = None  # the remote-control socket, when [remote] port is set
        self.remote_target = StudioRemote(self)
        self.input_problems: list[str] = []
        self.notices: list[str] = []  # what the operator should know about the session's start, in words
        self._workers: list[Worker] = []
        self.extra_workers: list[Worker] = []  # started and stopped with the studio (replay)
        self.started = False
        self.playing = False
        self._final_rows: dict[str, int] | None = None
        self.session_start = 0.0  # clock time (s) at which the session recording now (or the last one) began
        self.awaiting_client = False  # the steps for the next client began: nothing records until their session does
        self._sessions = threading.RLock()  # one session begins or ends at a time
        self.session_end: float | None = None  # clock time (s) at which the last session ended; None while recording
        self.last_rows: dict[str, int] = {}  # rows the last session that ended wrote, per table
        self._watch: ChannelWatch | None = None
        self.calibration_end: float | None = None
        self._last_flush = -RECORD_PERIOD

    @property
    def control_log(self) -> EventLog[ControlChange]:
        return self.loop.control_log

    def settings(self) -> dict[str, object]:
        """How the session is run as it starts (kept with it): demo or not, goal, control mode, bounds, the music
        playing, the audio output, each channel's backend, the policy."""
        bounds, params = self.loop.bounds, self.loop.params
        body = self.sources["body"]
        return {
            "demo": self.demo,
            "goal": self.loop.goal.value,
            "goal_point": list(self.loop.goal_point),
            "mode": self.loop.mode.value,
            "bounds": asdict(bounds)  # as JSON lists, so that a replay can rebuild them
            | {"allowed_modes": list(bounds.allowed_modes), "allowed_layers": sorted(bounds.allowed_layers)},
            "music": {"mode": params.mode, "layers": sorted(params.layers)},
            "audio": self.engine.backend.detail,
            "audio_kind": self.engine.backend.kind,
            "channels": {ch: s.backend for ch, s in self.sources.items()},
            "body_reference": body.source.reference or None if isinstance(body, BodyChannel) else None,
            "policy": self.loop.policy_kind.value,
            "config": self.config.source,
        }

    # --- the session's life cycle ---------------------------------------------------------------------------
    @property
    def recording(self) -> bool:
        """Whether a session is being recorded now."""
        return self.recorder is not None and not self.recorder.closed

    @property
    def session_id(self) -> int | None:
        """The session recording now, or the last one that ended (its self-report after, notes and report); None
        before the first session."""
        return self.recorder.session_id if self.recorder is not None else None

    def session_time(self) -> float:
        """Seconds since the session began; after it ended, its length."""
        end = self.clock.now() if self.session_end is None else self.session_end
        return max(0.0, end - self.session_start)

    def begin_session(self, client: str | None = None, consent: Consent | None = None, at: float | None = None) -> int:
        """Start recording a session for ``client`` (a pseudonymous code, registered if new; None: no client) with
        ``consent`` (None: the options' consent): session time 0 is clock time ``at`` (default: now; a session that
        records from the start uses 0), nothing measured before is written, the client's stored baselines and
        response model are used (after another client's session, the channels learn a resting profile afresh
        when this client has none stored) and the music fades in. Returns the session id; StoreError without a
        database, for a bad code, or while another session records."""
        with self._sessions:  # the GUI thread and the remote-control socket may both start and end sessions
            if self.database is None:
                raise StoreError("this studio has no session database: nothing can be recorded")
            if self.recording:
                raise StoreError(f"session {self.session_id} is recording; end it before starting the next")
            database = self.database
            if client is not None and database.client(client) is None:
                database.add_client(client)
            if self.recorder is not None and client != self.options.client:
                for source in self.sources.values():  # the last client's resting profile never measures this one
                    source.forget_baseline()
            consent = consent or self.options.consent
            self.options = replace(self.options, client=client, consent=consent)
            now = self.clock.now() if at is None else at
            self.session_start, self.session_end = now, None
            self.awaiting_client = False
            self.loop.goal_watch.restart(now, self.loop.goal, self.loop.goal_point)
            self.loop.use_response_model(new_model())  # an earlier client's model never steers this one
            self.recorder = Recorder(
                database,
                self.hub,
                CHANNELS,
                (self.markers, self.loop.control_log, self.actions),
                self.settings(),
                self.clock.unix_start,
                consent,
                client,
                t0=now,
            )
            self._watch = ChannelWatch(database, self.recorder.session_id, now)
            self._watch.check(self.clock.now(), self.statuses())
            if client is not None:
                self.log_action("client", client)
            self.log_action("consent", consent.describe())
            self._load_client_profile()
            if self.started and not self.playing:
                self.fade_in("session started")
            return self.recorder.session_id

    def flush(self) -> None:
        """Write what is new of the session recording now (nothing when none records), channel health included."""
        recorder, watch = self.recorder, self._watch
        if recorder is None or recorder.closed:
            return
        if watch is not None:
            watch.check(self.clock.now(), self.statuses())
        recorder.flush()

    def expect_next_client(self) -> None:
        """The operator began the steps for the next client: until that client's session begins, nothing may record
        under the last client's code and consent (a remote ``start`` is refused)."""
        self.awaiting_client = True

    def end_session(self, status: str = "completed") -> dict[str, int]:
        """End the session recording now: the music ends with a cadence and fades, a "session end" marker is set,
        the client's baselines and response model and what the session came to are stored, and its record is
        closed with ``status``. The channels and the music engine go on, recording nothing, until the next
        ``begin_session``. Returns the rows the session wrote per table (empty when none was recording)."""
        with self._sessions:  # the GUI thread and the remote-control socket may both start and end sessions
            if not self.recording:
                return {}
            if self.playing:  # a musical ending: a cadence, then the tonic fading away
                self.engine.finish()
                self._log_output(playing=False, reason="session ended: the music closes with a cadence")
            self.add_marker("session end", "studio")
            return self._close_session(status)

    def _close_session(self, status: str) -> dict[str, int]:
        """Close the session recording now (if any): store the client's profile and the outcome, then the record."""
        recorder = self.recorder
        if recorder is None or recorder.closed:
            return {}
        self.flush()
        self.session_end = self.clock.now()
        self._save_client_profile()
        if not recorder.problem:
            with suppress(StoreError):
                recorder.store.save_outcome(recorder.session_id, self.outcome())
        self._watch = None
        self.last_rows = recorder.close(status)
        return self.last_rows

    def outcome(self) -> dict[str, object]:
        """What the session came to, kept with it: its goal, whether the person followed the music, how long the
        goal took (s, None when not reached), the client's response model as it stands (its working levers)."""
        reached = self.loop.goal_watch.time_to_goal
        return {
            "goal": self.loop.goal.value,
            "goal_point": list(self.loop.goal_point),
            "following": self.loop.following(),
            "time_to_goal_s": None if reached is None else round(reached, 2),
            "policy": self.loop.policy_kind.value,
            "response": response_summary(self.loop.response),
        }

    def start(self, run_workers: bool = True) -> None:
        """Open every channel, start the music (fading in), the loop and the recorder.

        With ``run_workers`` False nothing runs by itself: the caller drives the session with ``advance``.
        If any part fails to start, whatever was already opened is closed again before the error propagates.
        """
        try:
            self._start(run_workers)
        except BaseException:
            self.stop("failed")
            raise

    def _start(self, run_workers: bool) -> None:
        self.clock.restart()  # session time 0 is the start, not the preparing of the channels before it
        for source in self.sources.values():
            try:
                source.open(self.hub)
            except Exception as exc:  # a channel that cannot start leaves the others running
                log.exception("channel %s failed to open", source.channel)
                source.set_status(State.DOWN, f"could not start: {exc}")
        if self.store is not None:
            self.database = Store.open(self.store, create=True, passphrase=self.options.passphrase)
            self.store = self.database.path
        self.engine.start()
        self.playing = True
        self.started = True
        self._start_publisher()
        if self.wait_for_consent:
            self.engine.fade_out(0.01)  # no music before the session starts: it fades in with it
            self.playing = False
        elif self.database is not None:
            if self.options.client is not None:  # a code given on the command line must have been added
                self.database.require_client(self.options.client)
            self.begin_session(self.options.client, self.options.consent, at=0.0)
        self._start_remote()  # a socket on its own thread, also when the caller steps the studio
        if not run_workers:
            return
        for source in self.sources.values():
            self._workers += source.workers()
            self._workers.append(
                PeriodicWorker(
                    f"source-{source.channel}",
                    source.period,
                    lambda s=source: s.step(self.clock.now()),  # type: ignore[misc]
                    on_error=lambda exc, s=source: s.set_status(State.DOWN, f"failed: {exc}"),  # type: ignore[misc]
                )
            )
        self._workers.append(
            PeriodicWorker("fusion", 1.0 / self.config.loop.rate_hz, lambda: self.step(self.clock.now()))
        )
        if self.database is not None:
            self._workers.append(PeriodicWorker("recorder", RECORD_PERIOD, self.flush))
        if self.publisher is not None:
            self._workers.append(PeriodicWorker("publish", PUBLISH_PERIOD, self.publisher.step))
        self._start_marker_inputs()
        self._workers += self.extra_workers
        for worker in self._workers:
            worker.start()

    def _start_publisher(self) -> None:
        """LSL/OSC outputs, as the settings ask (off by default)."""
        outputs = self.config.outputs
        if outputs.lsl or outputs.osc:
            body = self.sources["body"]
            self.publisher = Publisher(
                self.hub,
                self.clock,
                CHANNELS,
                self.markers,
                outputs,
                self.config.loop.rate_hz,
                body_rate=body.fs if isinstance(body, BodyChannel) else 0.0,
            )

    def _start_marker_inputs(self) -> None:
        """Marker inputs (LSL, OSC), as the settings ask (off by default); each listens on its own thread."""
        settings = self.config.markers
        if settings.osc_port or settings.lsl_stream:
            try:
                self.marker_inputs = start_marker_inputs(settings, self._external_marker, lsl_offset(self.clock))
            except OSError as exc:  # the session goes on without that input
                self.input_problems.append(str(exc))

    def _start_remote(self) -> None:
        """Open the remote-control socket when the settings ask for it; a port in use is a problem the session
        notes and goes on without."""
        settings = self.config.remote
        if settings.port:
            try:
                self.remote = RemoteControl(settings.address, settings.port, self.remote_target)
            except OSError as exc:
                self.input_problems.append(str(exc))

    def _source_event(self, event: SourceEvent) -> None:
        """A recording's own annotation, or a playback's loop seam, as a marker at its time."""
        label = " ".join(event.label.split())[:MAX_MARKER_LABEL]
        if label:
            self.add_marker(label, event.source, event.t, duration=event.duration)

    def _external_marker(
        self, label: str, source: str, t: float | None, code: int | None, duration: float | None
    ) -> None:
        self.add_marker(label, source, t, code, duration)

    def marker_input_summary(self) -> dict[str, object]:
        """What each marker input received (markers, malformed messages ignored), and inputs that failed."""
        found: dict[str, object] = {i.counter.name: i.counter.summary() for i in self.marker_inputs}
        if self.input_problems:
            found["problems"] = list(self.input_problems)
        return found

    def step(self, now: float) -> None:
        """One fusion/control tick at session time ``now`` (seconds); ends a calibration that is due. The
        demo's listener hears the music up to now first."""
        if self.listener is not None:
            self.listener.advance(now, self.loop.params)
        self.loop.step(now)
        if self.calibration_end is not None and now >= self.calibration_end:
            self.calibration_end = None
            self.markers.append(Marker(now, "calibration complete", "studio"))

    def advance(self, now: float) -> None:
        """Drive a session started with ``run_workers=False`` by hand: one step of each channel's own workers
        (capture, analysis), every channel acquires up to session time ``now`` (seconds), then one
        fusion/control tick, whose results go out on LSL/OSC when they are on; the recorder writes every
        RECORD_PERIOD. Marker inputs need ``run_workers``."""
        for source in self.sources.values():
            try:
                for worker in source.workers():
                    worker.step()
                source.step(now)
            except Exception as exc:
                source.set_status(State.DOWN, f"failed: {exc}")
        self.step(now)
        if self.publisher is not None:
            self.publisher.step()
        if now - self._last_flush >= RECORD_PERIOD:
            self.flush()
            self._last_flush = now

    @property
    def baselines(self) -> dict[str, dict[str, float]]:
        """The resting profile each channel uses now (calibrated, automatic or reused), by channel."""
        return {ch: b for ch, s in self.sources.items() if (b := s.baseline()) is not None}

    def calibrate(self, seconds: float | None = None) -> float:
        """Start the baseline calibration: every channel collects its resting profile for ``seconds``
        (default: the configured length) while the policy holds the music. Returns when it ends (session s)."""
        length = self.config.calibration_seconds if seconds is None else checked_calibration(seconds)
        now = self.clock.now()
        for source in self.sources.values():
            source.calibrate(length)
        self.calibration_end = now + length
        self.loop.hold_policy(self.calibration_end)
        self.markers.append(Marker(now, f"calibration start ({length:g} s rest)", "studio"))
        return self.calibration_end

    def use_baselines(self, baselines: dict[str, dict[str, float]]) -> None:
        """Reuse a client's stored resting profiles (channel -> values) instead of calibrating."""
        for channel, values in baselines.items():
            if channel in self.sources:
                self.sources[channel].load_baseline(values)

    def stop(self, status: str = "completed") -> dict[str, int]:
        """Stop workers, end the session recording now (with ``status``), release devices, stop the music; returns
        the rows the last session recorded per table.

        Stopping again (for example after a start that failed and cleaned up) returns the same counts.
        """
        if self._final_rows is not None:
            return self._final_rows
        if self.remote is not None:  # no command arrives while the session closes
            self.remote.close()
        for worker in self._workers:
            worker.stop()
        self._workers.clear()
        self._close_session(status)
        for marker_input in self.marker_inputs:
            marker_input.close()
        if self.publisher is not None:
            self.publisher.close()
        for source in self.sources.values():
            try:
                source.close()
            except Exception:
                log.exception("channel %s failed to close", source.channel)
        self.engine.stop()
        self.started = False
        self.playing = False
        self._final_rows = self.last_rows
        if self.database is not None:
            self.database.close()
        return self._final_rows

    def _stored_model(self, database: Store, code: str) -> ResponseModel | None:
        """Client ``code``'s stored response model, ready for their next visit (None when none is stored);
        StoreError or ValueError when what is stored is damaged."""
        found = database.load_response_model(code)
        return None if found is None else ResponseModel.from_dict(found, LEVERS, new_model()).next_visit()

    def client_levers(self, code: str) -> str:
        """What the stored response model of client ``code`` knows, in words, with how many visits taught it ("" when
        none is stored, or it is damaged: the session then says so when it starts)."""
        try:
            model = self._stored_model(self.database, code) if self.database is not None else None
        except (StoreError, ValueError):
            return ""
        if model is None:
            return ""
        visits = f"{model.sessions} earlier session{'s' if model.sessions != 1 else ''}"
        return f"{response_words(model)} ({visits})"

    def _load_client_profile(self) -> None:
        """Reuse the client's stored resting profiles instead of calibrating anew, and steer with their stored
        response model from the first minute (a damaged one is ignored, with a message, and the session runs)."""
        if self.database is None or self.options.client is None:
            return
        code = self.options.client
        stored = self.database.load_baselines(code)
        self.use_baselines(stored)
        for channel in stored:
            self.log_action("baseline loaded", channel)
        try:
            model = self._stored_model(self.database, code)
        except (StoreError, ValueError) as exc:
            problem = (
                f"the stored response model of client {code} was ignored ({exc}); starting from what most listeners do"
            )
            self.notices.append(problem)
            self.log_action("response model ignored", str(exc))
            return
        if model is not None:
            self.loop.use_response_model(model)
            self.log_action("response model loaded", f"{model.sessions} earlier sessions, {response_words(model)}")

    def _save_client_profile(self) -> None:
        if self.database is None or self.options.client is None or (self.recorder and self.recorder.problem):
            return
        found = self.baselines
        if found:
            self.database.save_baselines(self.options.client, found)
        model = self.loop.response
        if model.observations:
            self.database.save_response_model(self.options.client, model.to_dict(), model.sessions + 1)

    # --- operator actions (any thread) ------------------------------------------------------------------
    def submit_text(self, text: str) -> None:
        """Score a typed message on the text channel; ValueError (nothing lost, nothing sent) if unusable."""
        source = self.sources["text"]
        assert isinstance(source, TextSource)
        source.submit(text)

    def add_marker(
        self,
        label: str,
        source: str = "operator",
        t: float | None = None,
        code: int | None = None,
        duration: float | None = None,
    ) -> Marker:
        """A marker at session time ``t`` (default: now) with an optional event ``code`` and ``duration`` (s); a
        button's marker carries the button's code (``[markers] codes``). ValueError for an empty or over-long label,
        a code that is not a 32-bit whole number, or a duration that is not a finite number of seconds."""
        cleaned = " ".join(label.split())
        if not cleaned:
            raise ValueError("a marker needs a label")
        if len(cleaned) > MAX_MARKER_LABEL:
            raise ValueError(f"marker label too long ({len(cleaned)} characters; at most {MAX_MARKER_LABEL})")
        if code is None and source == "operator":
            code = self.config.markers.code_of(cleaned)
        code = None if code is None else event_code(code)
        duration = None if duration is None else event_duration(duration)
        marker = Marker(self.clock.now() if t is None else t, cleaned, source, code, duration)
        self.markers.append(marker)
        return marker

    def log_action(self, action: str, detail: str = "") -> None:
        """Record an operator action (not a music change: those go to the control log); open editors follow the
        log. While a session records, the recorder writes it; after the session ended, it is written to that
        session at its end; before the first session nothing is written."""
        self.actions.append(OperatorAction(self.clock.now(), action, detail))
        if self.recording or self.database is None or self.recorder is None or self.session_end is None:
            return
        with suppress(StoreError):  # the action itself (a rating, a note) was stored, or said why not
            self.database.add_operator_action(self.recorder.session_id, self.session_time(), action, detail)

    def _recorded(self, need: str) -> tuple[Store, int]:
        """The session database and the session recording now (or the last that ended); StoreError saying what
        ``need``s them when there is none."""
        if self.database is None:
            raise StoreError(f"this studio records no sessions (no database): {need}")
        if self.recorder is None:
            raise StoreError(f"no session has started yet (consent first, then Start): {need}")
        return self.database, self.recorder.session_id

    def self_report(self, phase: str, valence: int, arousal: int) -> None:
        """Store a Self-Assessment Manikin rating (1-9) now (after the session ended: at its end); StoreError if it
        is out of range or there is no session."""
        database, sid = self._recorded("self-reports belong to a session")
        database.add_self_report(sid, self.session_time(), phase, valence, arousal)
        self.log_action("self-report", f"{phase}: valence {valence}, arousal {arousal}")

    def assign(self, client: str | None = None, consent: Consent | None = None) -> None:
        """Say whom this running session is for (a pseudonymous code, registered if new; None keeps it) and what
        they consented to (None keeps it); a new client's stored baselines are reused. StoreError if the code is
        not acceptable or the session is not recorded."""
        database, sid = self._recorded("a client and consent belong to a session")
        if not self.recording:
            raise StoreError(f"session {sid} has ended; start a new session for the next client")
        consent = consent or self.options.consent
        database.assign_session(sid, client, consent)
        changed = client is not None and client != self.options.client
        self.options = replace(self.options, client=client or self.options.client, consent=consent)
        if changed:
            self.log_action("client", str(client))
            self._load_client_profile()
        self.log_action("consent", consent.describe())

    def notes(self) -> Notes | None:
        """This session's current note as stored now (None before one is written, or when not recorded)."""
        if self.database is None or self.recorder is None:
            return None
        return self.database.notes(self.recorder.session_id)

    def save_notes(
        self, template: str, sections: Mapping[str, str], based_on: int | None = None, source: str = "window"
    ) -> Notes:
        """Save sections of the session note (SOAP or DAP) as its next version: the sections given replace theirs,
        the others are kept. ``based_on``: the version the editor showed (NotesConflict if a section it changed
        was changed since). StoreError if the note cannot be kept; returns the note now current."""
        database, sid = self._recorded("notes belong to a session")
        notes = database.save_notes(sid, template, sections, based_on, source)
        self.log_action(NOTES_SAVED, f"{notes.template}, version {notes.version} ({source})")
        return notes

    @property
    def recording_problem(self) -> str:
        """Why recording stopped early (disk full, ...), or empty while all is well."""
        return self.recorder.problem if self.recorder is not None else ""

    def fade_out(self, reason: str = "fade-out pressed") -> None:
        """Fade the music to silence (within 2 s) and log it as an operator action."""
        self.engine.fade_out()
        self._log_output(playing=False, reason=reason)

    def fade_in(self, reason: str = "music resumed") -> None:
        """Bring the music back (it fades in) and log it as an operator action."""
        self.engine.fade_in()
        self._log_output(playing=True, reason=reason)

    def _log_output(self, playing: bool, reason: str) -> None:
        if playing != self.playing:
            old, new = ("faded out", "playing") if playing else ("playing", "faded out")
            self.loop.control_log.append(ControlChange(self.clock.now(), "output", old, new, "operator", reason))
        self.playing = playing

    def channel_note(self, channel: str) -> str:
        """Why a channel is not fully ok, in its own words ("" when it is)."""
        status = self.sources[channel].status
        return "" if status.state is State.OK else status.detail

    def statuses(self) -> dict[str, ChannelStatus]:
        return {ch: self.sources[ch].status for ch in CHANNELS}
