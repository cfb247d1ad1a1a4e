"""The person's state and how sure the studio is, in one line of plain words for the therapist: where the
estimate is, how it has moved since the session's start, how confident it is and whether the channels agree
("calmer and more pleasant than at the start; fairly sure; face and voice agree")."""

from __future__ import annotations

import re

from fusion.fuse import Fused

CHANGE_AT = 0.15  # a move on the plane (either axis) that is said as a change
NEUTRAL_WITHIN = 0.2  # both axes within this of 0: "near neutral"
START_CONFIDENCE = 0.3  # the first estimate at least this sure is "the start"
COUNTED_SHARE = 0.15  # a channel with less of the estimate is not named as agreeing
USABLE = 0.15  # an estimate less confident than this is not worded


def where_words(valence: float, arousal: float) -> str:
    """The quadrant of the plane (as the plane labels it), or near neutral."""
    if abs(valence) < NEUTRAL_WITHIN and abs(arousal) < NEUTRAL_WITHIN:
        return "near neutral"
    if arousal >= 0:
        return "excited, happy" if valence >= 0 else "tense, stressed"
    return "calm, content" if valence >= 0 else "sad, tired"


def change_words(start: tuple[float, float], now: tuple[float, float]) -> str:
    """How ``now`` differs from ``start`` (valence, arousal) in words."""
    dv, da = now[0] - start[0], now[1] - start[1]
    parts = []
    if da <= -CHANGE_AT:
        parts.append("calmer")
    elif da >= CHANGE_AT:
        parts.append("more activated")
    if dv >= CHANGE_AT:
        parts.append("more pleasant")
    elif dv <= -CHANGE_AT:
        parts.append("less pleasant")
    return " and ".join(parts) + " than at the start" if parts else "about as at the start"


def certainty_words(confidence: float) -> str:
    """How sure a usable estimate (confidence at least USABLE) is, in words."""
    if confidence >= 0.7:
        return "sure"
    return "fairly sure" if confidence >= 0.4 else "unsure"


def agreement_words(fused: Fused) -> str:
    """Which channels the estimate rests on and whether they agree."""
    if fused.conflict:
        said = [part.split(" says ")[0] for part in fused.conflict.split("; ")]
        return f"{' and '.join(said)} disagree"
    counted = sorted((c for c in fused.contributions if c.share >= COUNTED_SHARE), key=lambda c: -c.share)
    names = [c.channel for c in counted]
    if not names:
        return "no channel counts yet"
    if len(names) == 1:
        return f"only {names[0]} counts"
    return f"{', '.join(names[:-1])} and {names[-1]} agree"


def state_line(fused: Fused, start: tuple[float, float] | None) -> str:
    """One line: where the person is, the change since ``start`` (when known), certainty and agreement."""
    a = fused.affect
    if a.confidence < USABLE:
        return f"No usable estimate yet; {agreement_words(fused)}"
    parts = [where_words(a.valence, a.arousal)]
    if start is not None:
        parts.append(change_words(start, (a.valence, a.arousal)))
    parts += [certainty_words(a.confidence), agreement_words(fused)]
    line = "; ".join(parts)
    return line[0].upper() + line[1:]


class StateWords:
    """Keeps the session's starting point (its first estimate sure enough) and words each new estimate."""

    def __init__(self) -> None:
        self.start: tuple[float, float] | None = None
        self._session: int | None = None

    def describe(self, fused: Fused, session: int | None) -> str:
        """``fused`` in words; a new ``session`` starts afresh."""
        if session != self._session:
            self._session, self.start = session, None
        a = fused.affect
        if self.start is None and a.confidence >= START_CONFIDENCE:
            self.start = (a.valence, a.arousal)
        return state_line(fused, self.start)


_POINT = r"\([+-]?\d\.\d\d, [+-]?\d\.\d\d\)"
_PLAIN = (  # the policy's reasons name points on the plane; the line says them in words or leaves them out
    (re.compile(rf"the person is at {_POINT}, near the aim {_POINT}"), "the person is near the aim"),
    (re.compile(rf"what suits {_POINT}"), "what suits the goal"),
    (
        re.compile(rf"the music is expected to bring this person no nearer than {_POINT} to the aim {_POINT}"),
        "the music is not expected to bring this person to the aim",
    ),
    (re.compile(rf"\s*\(towards {_POINT} from {_POINT}\)"), ""),
    (re.compile(rf"\s*{_POINT}"), ""),
)


def music_line(playing: bool, tempo: float, mode: str, goal: str, trying: str) -> str:
    """One line: what the music is doing and why, in words (the plane's coordinates left to the plots)."""
    if not playing:
        return "Music: faded out (Ctrl+Enter starts it again)"
    why = trying
    for pattern, words in _PLAIN:
        why = pattern.sub(words, why)
    why = why.strip() or "waiting for the first estimate"
    return f"Music: {tempo:.0f} BPM, {mode}, towards {goal} · {why}"
