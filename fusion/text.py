"""Affect from VADER sentiment scores of a typed message."""

from __future__ import annotations

from collections.abc import Mapping

from fusion.affect import Affect


def affect_from_sentiment(scores: Mapping[str, float]) -> Affect:
    """Map VADER scores (``pos``, ``neg``, ``neu`` in 0..1, ``compound`` in -1..1) to affect.

    Valence is the compound score. Text says little about arousal: emotional wording (a low neutral share)
    reads as mildly raised arousal. Confidence grows with how emotional the wording is; a message with no
    sentiment-bearing words carries almost none.
    """
    compound = float(scores.get("compound", 0.0))
    neutral = float(scores.get("neu", 1.0))
    emotional = 1.0 - neutral
    arousal = 0.8 * emotional - 0.2
    confidence = 0.1 + 0.6 * min(1.0, abs(compound) + emotional)
    if abs(compound) < 0.05 and emotional < 0.05:
        confidence = 0.1
    return Affect.make(compound, arousal, confidence)
