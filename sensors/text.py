"""The text channel: typed messages scored with VADER. Live (the text box), scripted, or a text log."""

from __future__ import annotations

import queue
from collections.abc import Callable, Sequence
from pathlib import Path

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from fusion.text import affect_from_sentiment
from sensors.base import Source, State
from studio.kernel.streams import Record, Stream, StreamHub, StreamSpec

SENTIMENT_FIELDS = ("compound", "pos", "neu", "neg")
SENTIMENT = StreamSpec("text.sentiment", SENTIMENT_FIELDS, "", 3600.0, Record.FEATURES)  # VADER scores per message
SENTIMENT_RATE = 3.0  # messages per second at the most, for the memory it keeps
MAX_CHARS = 2000


def clean_text(text: str) -> str:
    """Strip control characters and outer white space; refuse empty or overlong text with a clear reason."""
    cleaned = "".join(ch for ch in text if ch.isprintable() or ch in "\n\t").strip()
    if not cleaned:
        raise ValueError("nothing to score: the message is empty")
    if len(cleaned) > MAX_CHARS:
        raise ValueError(f"message too long ({len(cleaned)} characters); send at most {MAX_CHARS} at a time")
    return cleaned


def read_text_log(path: Path) -> list[tuple[float, str]]:
    """Read a text log: one message per line as ``SECONDS<TAB>TEXT``; blank lines and '#' lines are skipped."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValueError(f"text log {path} does not exist") from None
    except UnicodeDecodeError:
        raise ValueError(f"text log {path} is not UTF-8 text") from None
    lines: list[tuple[float, str]] = []
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        stamp, sep, text = line.partition("\t")
        try:
            t = float(stamp)
        except ValueError:
            t = float("nan")
        if not sep or t != t or t < 0:
            raise ValueError(f"{path}:{number}: expected 'SECONDS<TAB>TEXT' with SECONDS >= 0, got {line[:40]!r}")
        lines.append((t, clean_text(text)))
    return sorted(lines)


class TextSource(Source):
    """Scores each message when it arrives and emits one affect estimate stamped at arrival.

    Messages come from ``submit`` (the live text box, any thread) and from a schedule of
    ``(seconds, text)`` lines: scripted demo lines that loop every ``cycle`` seconds, or a replayed log.
    """

    channel = "text"
    period = 0.1

    def __init__(
        self,
        schedule: Sequence[tuple[float, str]] = (),
        cycle: float | None = None,
        backend: str = "live",
        speaker: Callable[[float], list[str]] | None = None,
    ):
        """``speaker(now)``, when given, also types lines: those due up to session time ``now`` (the demo person)."""
        self.backend = backend
        self._speaker = speaker
        super().__init__()
        self._schedule = list(schedule)
        self._cycle = cycle
        self._next = 0
        self._loop_offset = 0.0
        self._inbox: queue.SimpleQueue[str] = queue.SimpleQueue()
        self._analyzer = SentimentIntensityAnalyzer()
        self.sentiment: Stream | None = None

    def specs(self) -> tuple[StreamSpec, ...]:
        return (*super().specs(), SENTIMENT)

    def open(self, hub: StreamHub) -> None:
        super().open(hub)
        self.sentiment = hub.open(SENTIMENT, SENTIMENT_RATE)
        self.set_status(State.OK, "waiting for text" if self.backend == "live" else f"{self.backend} lines")

    def submit(self, text: str) -> None:
        """Queue a typed message; raises ValueError (nothing queued) for empty or overlong text."""
        self._inbox.put(clean_text(text))

    def _due(self, now: float) -> list[str]:
        due: list[str] = []
        while self._schedule:
            if self._next >= len(self._schedule):
                if self._cycle is None:
                    break
                self._next = 0
                self._loop_offset += self._cycle
            t, text = self._schedule[self._next]
            if t + self._loop_offset > now:
                break
            due.append(text)
            self._next += 1
        return due

    def step(self, now: float) -> None:
        assert self.sentiment is not None
        messages = self._due(now) + (self._speaker(now) if self._speaker is not None else [])
        while not self._inbox.empty():
            messages.append(self._inbox.get_nowait())
        for text in messages:
            scores = self._analyzer.polarity_scores(text)
            self.sentiment.append(now, [scores[k] for k in SENTIMENT_FIELDS])
            self.emit(now, affect_from_sentiment(scores))
            self.set_status(State.OK, f"last message scored {scores['compound']:+.2f}")


def replay_text(path: Path) -> TextSource:
    return TextSource(read_text_log(path), backend="replay")
