"""The console's words for the person's state and for what the music does: where the estimate is, its change since
the start, how sure it is and whether the channels agree; the policy's reasons without the plane's coordinates."""

from fusion.affect import Affect
from fusion.fuse import Contribution, Fused
from studio.adaptive import Reach
from studio.music.params import MusicParams
from studio.state_words import StateWords, change_words, music_line, state_line

FACE = Contribution("face", 0.5, 0.6, "")
VOICE = Contribution("voice", 0.35, 0.4, "")
TEXT = Contribution("text", 0.05, 0.05, "stale")


def fused(valence: float, arousal: float, confidence: float, conflict: str = "") -> Fused:
    return Fused(Affect(valence, arousal, confidence), (FACE, VOICE, TEXT), 0.8, conflict)


def test_the_state_line_says_where_how_it_changed_how_sure_and_who_agrees() -> None:
    line = state_line(fused(0.3, -0.4, 0.55), start=(0.1, 0.3))
    assert line == "Calm, content; calmer and more pleasant than at the start; fairly sure; face and voice agree"
    assert state_line(fused(0.05, 0.1, 0.8), None) == "Near neutral; sure; face and voice agree"
    conflict = "face says positive valence, low arousal; voice says negative valence, high arousal"
    assert state_line(fused(0.0, 0.5, 0.3, conflict), None).endswith("unsure; face and voice disagree")
    assert state_line(fused(0.0, 0.0, 0.05), None).startswith("No usable estimate yet")


def test_change_words() -> None:
    assert change_words((0.0, 0.0), (0.05, -0.05)) == "about as at the start"
    assert change_words((0.0, -0.5), (-0.3, 0.0)) == "more activated and less pleasant than at the start"


def test_the_start_is_the_first_sure_estimate_of_each_session() -> None:
    words = StateWords()
    words.describe(fused(0.0, 0.6, 0.1), session=1)  # too unsure to be the start
    words.describe(fused(-0.2, 0.6, 0.5), session=1)
    assert words.start == (-0.2, 0.6)
    assert "calmer than at the start" in words.describe(fused(-0.2, 0.2, 0.5), session=1)
    words.describe(fused(0.4, -0.4, 0.5), session=2)
    assert words.start == (0.4, -0.4)


def test_the_music_line_says_what_plays_and_why_in_words() -> None:
    why = (
        "tempo down: slower tempo lowers arousal for most listeners (not yet known for this person) "
        "(towards (+0.30, -0.60) from (+0.05, +0.41))"
    )
    assert music_line(True, 66.4, "dorian", "calm", why) == (
        "Music: 66 BPM, dorian, towards calm · tempo down: slower tempo lowers arousal for most listeners "
        "(not yet known for this person)"
    )
    held = "holding: the person is at (+0.05, +0.41), near the aim (+0.30, -0.60)"
    assert music_line(True, 60, "major", "calm", held).endswith("holding: the person is near the aim")
    out = Reach((0.3, -0.6), (0.1, 0.27), MusicParams()).words()
    assert music_line(True, 79, "dorian", "calm", out).endswith(
        "out of reach: inside the bounds the music is not expected to bring this person to the aim; holding the "
        "nearest setting (wider bounds may reach further)"
    )
    assert music_line(False, 60, "major", "calm", why) == "Music: faded out (Ctrl+Enter starts it again)"
