"""A pending suggestion in a therapist's words: what would change, why, and what the studio expects of it.

"A little slower and softer, to meet the client where they are (iso). Expected: arousal down." The numbers and
the policy's rule stay in the control log; this is the line the console shows on the suggestion card.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from fusion.response import ResponseModel
from studio.levers import lever_vector
from studio.loop import FusionLoop, Suggestion
from studio.music.params import NUMERIC, MusicParams

# parameter -> (words when it goes up, words when it goes down)
DIRECTIONS = {
    "tempo": ("faster", "slower"),
    "volume": ("louder", "softer"),
    "density": ("fuller", "sparser"),
    "brightness": ("brighter", "darker"),
    "tension": ("more tense", "more relaxed"),
    "register": ("higher", "lower"),
    "space": ("more spacious", "drier"),
}
LITTLE = 0.1  # a change below this share of a parameter's range is "a little"
MUCH = 0.3  # one above it is "much"
EXPECT_AT_LEAST = 0.03  # plane units: a smaller predicted change is "little change"

# The policy's rule (its reason's "rule ..." part, or a phrase in it) -> why, in words; the first that fits.
WHY = (
    ("iso match", "to meet the client where they are (iso)"),
    ("iso lead", "to lead the client on towards the goal, step by step (iso)"),
    ("iso step back", "to step back and meet the client again (iso)"),
    ("iso wait", "while the client catches up (iso)"),
    ("iso: target", "to stay at the goal the lead reached (iso)"),
    ("iso: wait", "while the estimate is still unsure (iso)"),
    ("steady", "to hold the client where they are (steady)"),
    ("calm", "towards calm"),
    ("energise", "towards more energy"),
    ("uplift", "towards a brighter mood (uplift)"),
)
SAFE = "holding a calm, safe setting"


@dataclass(frozen=True)
class SuggestionWords:
    """``what`` would change, ``why``, and what the studio ``expects`` (e.g. "arousal down")."""

    what: str
    why: str
    expects: str

    def sentence(self) -> str:
        return f"{self.what}, {self.why}. Expected: {self.expects}."


def _numeric(changes: tuple[tuple[str, object, object], ...]) -> list[tuple[str, float, float]]:
    """The numeric changes (name, old, new), the largest share of its range first."""
    found = [
        (name, float(old), float(new))
        for name, old, new in changes
        if name in DIRECTIONS and isinstance(old, float | int) and isinstance(new, float | int)
    ]
    order = list(DIRECTIONS)  # on a tie the more audible parameter first: tempo, then volume, ...
    return sorted(found, key=lambda c: (-round(_share(*c), 3), order.index(c[0])))


def _share(name: str, old: float, new: float) -> float:
    rng = NUMERIC[name]
    return abs(new - old) / (rng.high - rng.low)


def what_changes(changes: tuple[tuple[str, object, object], ...]) -> str:
    """The changes as one phrase: "A little slower and softer; bring in the melody"."""
    numeric = _numeric(changes)
    parts = []
    if numeric:
        words = [DIRECTIONS[n][0 if new > old else 1] for n, old, new in numeric[:3]]
        biggest = _share(*numeric[0])
        size = "a little " if biggest < LITTLE else "much " if biggest > MUCH else ""
        joined = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
        parts.append(size + joined)
    for name, old, new in changes:
        if name == "mode":
            parts.append(f"switch to the {new} mode")
        elif name == "layers" and isinstance(old, frozenset) and isinstance(new, frozenset):
            parts += [f"bring in the {layer}" for layer in sorted(new - old)]
            parts += [f"leave out the {layer}" for layer in sorted(old - new)]
    text = "; ".join(parts) or "no audible change"
    return text[0].upper() + text[1:]


def why_words(reason: str) -> str:
    """Why the policy suggests it, from its reason: the rule in force, or holding a safe setting."""
    if SAFE in reason:
        return "to hold a calm, safe setting, as no music lever has moved this client"
    rule = reason.rpartition("rule ")[2]
    return next((words for key, words in WHY if key in rule), "towards the goal")


def expected_words(model: ResponseModel, before: MusicParams, after: MusicParams) -> str:
    """Where the response model expects the person to go if the music changes from ``before`` to ``after``."""
    delta = (lever_vector(after) - lever_vector(before)) @ model.coefficients()[1:]
    moves = [
        f"{axis} {'up' if d > 0 else 'down'}"
        for axis, d in zip(("valence", "arousal"), np.asarray(delta, dtype=float), strict=True)
        if abs(d) >= EXPECT_AT_LEAST
    ]
    return " and ".join(moves) if moves else "little change"


def suggestion_words(suggestion: Suggestion, model: ResponseModel, params: MusicParams) -> SuggestionWords:
    """The suggestion in words, its expectation from this person's response ``model`` and the music ``params``."""
    before = replace(params, **{name: old for name, old, _ in suggestion.changes})  # type: ignore[arg-type]
    after = replace(params, **{name: new for name, _, new in suggestion.changes})  # type: ignore[arg-type]
    return SuggestionWords(
        what_changes(suggestion.changes), why_words(suggestion.reason), expected_words(model, before, after)
    )


class SuggestionWatch:
    """Tells its subscribers whenever the loop's pending suggestions change (a suggestion arrives, is answered or
    replaced), with the pending suggestions oldest first. ``refresh`` looks (the console calls it a few times a
    second; the loop keeps its suggestions as a list, not as events)."""

    def __init__(self, loop: FusionLoop) -> None:
        self.loop = loop
        self._pending: tuple[Suggestion, ...] = ()
        self._subscribers: list[Callable[[tuple[Suggestion, ...]], None]] = []

    def subscribe(self, callback: Callable[[tuple[Suggestion, ...]], None]) -> None:
        self._subscribers.append(callback)

    def refresh(self, now: float = 0.0) -> None:
        """Compare the loop's pending suggestions with the last seen; tell the subscribers of a change."""
        pending = tuple(self.loop.suggestions())
        if pending != self._pending:
            self._pending = pending
            for callback in self._subscribers:
                callback(pending)
