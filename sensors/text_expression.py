"""The demo person's typed lines: now and then a line whose sentiment fits how they feel.

Every LINE_EVERY_S seconds or so (jittered) the person types the line of LINES whose VADER reading (valence from
the compound score, arousal from how emotional the wording is, as ``fusion.text`` reads them) lies nearest their
expressed state, avoiding the lines typed most recently.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from fusion.text import affect_from_sentiment
from sensors.person import Expression, Person

LINE_EVERY_S = 25.0
FIRST_LINE_S = 4.0  # the person says how they feel soon after the session starts
RECENT = 4  # the person does not repeat any of their last this many lines
LINES = (
    "I feel awful, everything is going wrong.",
    "I'm really upset and angry right now.",
    "This is terrible, I hate feeling like this.",
    "I'm so stressed, I can't stop worrying.",
    "I feel sad and tired.",
    "I'm a bit tense today, work has been stressful.",
    "Not great, honestly.",
    "I feel a little down.",
    "I'm tired.",
    "Still a little tired, but okay.",
    "I'm okay, I guess.",
    "Nothing much to say.",
    "It's fine.",
    "I feel calm.",
    "That feels a bit better.",
    "The music is nice, I feel calmer now.",
    "I feel relaxed and peaceful.",
    "This is pleasant and quiet.",
    "I like this, it's gentle.",
    "I'm feeling good.",
    "Honestly this is lovely, I really enjoy it!",
    "I feel happy and light.",
    "This is wonderful, I love it!",
    "Great, I feel full of energy!",
    "Wow, this is amazing, I'm so excited!",
    "I feel great, really awake and happy!",
)


class PersonText:
    """What ``person`` types, with its own noise (sd ``noise``): ``due(now)`` gives the lines typed since the
    last call, up to session time ``now`` (seconds)."""

    def __init__(self, person: Person, noise: float, seed: int = 17) -> None:
        self.expression = Expression(person, noise, seed)
        self._rng = np.random.default_rng(seed)
        analyzer = SentimentIntensityAnalyzer()
        readings = [affect_from_sentiment(analyzer.polarity_scores(line)) for line in LINES]
        self._read = np.array([(r.valence, r.arousal) for r in readings])
        self._recent: deque[int] = deque(maxlen=RECENT)
        self._next = FIRST_LINE_S

    def _gap(self) -> float:
        return LINE_EVERY_S * float(self._rng.uniform(0.6, 1.4))

    def due(self, now: float) -> list[str]:
        lines = []
        while self._next <= now:
            valence, arousal = self.expression.at(self._next)
            distance = np.hypot(self._read[:, 0] - valence, 0.5 * (self._read[:, 1] - arousal))
            distance[list(self._recent)] = math.inf
            choice = int(np.argmin(distance))
            self._recent.append(choice)
            lines.append(LINES[choice])
            self._next += self._gap()
        return lines
