"""The adaptive policy: plays what this person's response model says takes them where the goal plan aims, learns
from every move, and notices when nothing moves them.

Every DECIDE_S seconds it picks the music setting whose predicted resting point is nearest the aim (pushed
beyond it while the person is far, by as much as the person's lag needs to arrive within HORIZON_S), inside the
operator's bounds, preferring small changes (a lever worth little is not moved). While the person is on their
way to the aim, or near it, it plans with the posterior mean (what works is working: trying other levers then only
cost time, 308 s instead of 142 s to energise the typical listener); once they are stuck it plans with a draw from
the model's posterior (Thompson sampling, redrawn every RESAMPLE_S seconds), which tries levers in proportion to
the chance that they help. The move itself is rate-limited like every policy's.
When the music has moved enough to move most listeners but this person's estimate has not moved (NonResponse),
it stops exploring and holds a calm, safe setting, and says so.

Once a person is stuck, the policy first tries one lever on its own (a Probe): the numeric lever whose move by
PROBE_STEP towards an end of its box has the largest expected improvement beyond what the posterior mean already
promises (fusion.experiment), typically a lever held at a bound whose effect on this person is not known.
Thompson draws move every lever at once, so a lever whose usual effect the prior holds firmly (tempo raises
arousal) was hardly ever tried against it: the paradoxical listener's tempo stayed at the fastest allowed for
700 s under energise (now about 210 s). A probe holds until the model is sure which way the lever moves the
person, until it is no longer worth trying, or for PROBE_LAGS response lags after its lever could have arrived;
then the plan resumes, and keeps the move or reverses it.

When a stuck person has no trial left worth making, and neither the posterior mean nor any of REACH_DRAWS draws
from the posterior expects a setting inside the bounds to bring them within GOAL_RADIUS of the aim, the aim is
out of reach (Reach): the setting the mean expects to bring them nearest holds, and the operator is told.
Before, the music wandered all session for a person the bounds cannot take to the goal (the mode responder
under calm: 350-840 policy changes in the last five of fifteen minutes).
"""

from __future__ import annotations

import itertools
import math
from collections import deque
from dataclasses import dataclass, field, replace

import numpy as np

from fusion.affect import Affect
from fusion.experiment import Trial, expected_improvement, gain, trials
from fusion.response import FloatArray, ResponseModel, box_least_squares
from studio.goal_plan import GOAL_POINTS, Goal, Point, fmt_point
from studio.levers import (
    LEVERS,
    NUMERIC_LEVERS,
    POPULATION,
    VOLUME_SPAN_DB,
    discrete_vector,
    lever_vector,
    lever_words,
    new_model,
    numeric_box,
    with_numeric,
    working_levers,
)
from studio.music.params import MusicParams
from studio.policy import Bounds, Change, PolicyKind, RateLimited, estimate_words, music_for_point

DECIDE_S = 5.0  # seconds between two choices of the setting to head for
RESAMPLE_S = 30.0  # seconds between two draws from the posterior while exploring
# Exploration draws use a share of the posterior's spread: none while the person is on their way to the aim
# (what works is working), most of it while they are stuck (PROGRESS_S seconds brought them less than PROGRESS
# closer).
TEMPER_MOVING, TEMPER_STUCK = 0.0, 0.9
PROGRESS_S, PROGRESS = 60.0, 0.05
PROGRESS_SAMPLES = 3  # the gap is averaged over this many decisions at each end of PROGRESS_S (the estimate wanders)
PROBE_GAIN = 0.03  # plane units: a lever is tried on its own when its expected improvement is at least this
REACH_DRAWS = 12  # the aim is out of reach when none of this many posterior draws can be brought to it...
REACH_HOLD = 1.5  # ... and, once it is, a trial must promise this many times PROBE_GAIN to be made
PROBE_STEP = 0.3  # lever units (a share of the parameter's full range): how far a probe moves its lever
PROBE_LAGS = 1.5  # a probe holds this many response lags after its lever reaches its end...
PROBE_SURE = 2.0  # ... or until the gain along the way to the aim is this many sd from zero
GOAL_RADIUS = 0.15  # plane units: this close to the aim the policy stops exploring and holds
AIM_MOVED = 0.05  # plane units: an aim that moves further than this is a new aim (a new plan, probe, verdict)
# Once the person is that close, the setting chosen for them holds until they drift RELEASE away (or the aim
# moves): the music does not chase the estimate's own wander, which would also teach the model that its own
# corrections cause that wander (a closed loop's bias: the fast listener's second visit took 122 s, not 20 s).
RELEASE = 0.25
ARRIVED = 0.3  # plane units: this close to the aim a person who stays put is not "not following"
HORIZON_S = 20.0  # while far, aim so that the person would arrive within about this many seconds...
MAX_LEAD = 3.0  # ... but never aim further beyond the aim than this many times the remaining gap
MOVE_COST = 0.02  # cost of moving a numeric lever by one unit of its lever value, squared
SWITCH_COST = 0.04  # cost of a mode change or of a layer coming in or going out
CONFIDENT = 0.2  # estimates less confident than this are not learned from
SAFE_POINT = GOAL_POINTS[Goal.CALM]  # where a non-responder's music settles: calm, consonant, soft
N_NUMERIC = len(NUMERIC_LEVERS)
# From the client's second visit on, while the person is on their way (not stuck), a setting's cost also counts
# CAUTION times the model's own uncertainty about where it leaves them (its predictive variance: with the squared
# distance, the expected squared distance). The first visit steers by the population's effects, boldly, which is
# also how it learns; later visits steer by what this person's moves taught, and an effect seen in a few moves
# carries its spread. Without it the second visit after a quick first one leaned on such effects: the drawn
# listener random-04 (calm in 20 s) took 41-69 s on the second visit in the loop harness (six seeds; 22-26 s with
# it), and 88 s in the studio, where louder music, learned as calming from five moves, raised their arousal.
CAUTION = 1.0


@dataclass(frozen=True)
class Probe:
    """One lever tried on its own until session time ``until`` (seconds) at most, towards ``aim``: the music
    ``target`` is what played when it began, with the trial's lever at its end."""

    trial: Trial
    start: float  # the lever's value (lever units) when the probe began
    target: MusicParams
    aim: Point
    until: float
    words: str


@dataclass(frozen=True)
class Verdict:
    """A change of verdict for the operator: a control-log row ``param`` (person, reach) from ``old`` to ``new``
    at session time ``t`` (seconds), said in ``words``."""

    t: float
    param: str
    old: str
    new: str
    words: str


def same_aim(a: Point, b: Point) -> bool:
    """Whether two aims are the same for the policy (an aim that moves less than AIM_MOVED has not moved)."""
    return math.dist(a, b) <= AIM_MOVED


@dataclass(frozen=True)
class Reach:
    """The aim lies out of this person's reach inside the bounds: the nearest the model expects the music to
    bring them is ``nearest`` (plane units), with ``setting``."""

    aim: Point
    nearest: Point
    setting: MusicParams  # the setting held, chosen when the aim went out of reach (re-planning every 5 s swept
    # a lever whose effect is near zero from one end of its range to the other)

    def words(self) -> str:
        return (
            f"out of reach: inside the bounds the music is expected to bring this person no nearer than "
            f"{fmt_point(self.nearest)} to the aim {fmt_point(self.aim)}; holding the nearest setting (wider bounds "
            f"may reach further)"
        )


class NonResponse:
    """Watches the music and the person over the last WINDOW_S seconds: when the music moved enough to move
    most listeners by PUSH_ENOUGH (by the population's lever effects) but the person's estimate moved less than
    STILL, and they were nowhere near the aim all that time, the person is not following; once they move by
    MOVING again, they are. A person whose estimate has already moved FOLLOWED this session is following: they
    may have stopped where the music that moves most listeners cannot take them further (a paradoxical listener
    under calm music), which is for the response model to learn, not a reason to hold a setting."""

    WINDOW_S = 180.0
    # The estimate is averaged over blocks this long (s) before its movement is measured; shorter blocks leave the
    # fused estimate's own wandering in (20 s blocks of a still person's estimate differ by 0.24, 60 s by 0.11).
    BLOCK_S = 60.0
    PUSH_ENOUGH = 0.35
    STILL = 0.15
    MOVING = 0.25
    # Session blocks of SESSION_BLOCK_S seconds whose mean estimates lie FOLLOWED apart show a person who followed
    # (a still person's 20 s means differ by up to about 0.24; a paradoxical listener moved 0.54 in a minute).
    SESSION_BLOCK_S = 20.0
    FOLLOWED = 0.4

    def __init__(self) -> None:
        self.population = np.array([POPULATION[name] for name in LEVERS])
        self.samples: deque[tuple[float, FloatArray | None, FloatArray]] = deque()
        self.flagged = False
        self.followed = False
        self._block: tuple[int, FloatArray, int] | None = None  # (session block, sum of estimates, count)
        self._block_means: list[FloatArray] = []
        self.push = 0.0
        self.movement = 0.0
        self.near_aim = -math.inf  # the last session time the person was near the aim

    def add(self, t: float, person: FloatArray | None, levers: FloatArray, near_aim: bool = False) -> bool:
        """Add a sample (session seconds, estimate or None when unsure, lever vector, whether the person is near
        the aim); True when the verdict changed."""
        if near_aim:
            self.near_aim = t
        if person is not None and not self.followed:
            self._note_block(t, person)
        self.samples.append((t, person, levers))
        while self.samples and self.samples[0][0] < t - self.WINDOW_S:
            self.samples.popleft()
        if self.samples[0][0] > t - self.WINDOW_S + self.BLOCK_S:
            return False  # not a full window yet
        music = [s[2] for s in self.samples]
        self.push = float(sum(np.linalg.norm((b - a) @ self.population) for a, b in itertools.pairwise(music)))
        blocks: dict[int, list[FloatArray]] = {}
        for when, seen, _ in self.samples:
            if seen is not None:
                blocks.setdefault(int((when - self.samples[0][0]) // self.BLOCK_S), []).append(seen)
        means = [np.mean(v, axis=0) for v in blocks.values() if len(v) >= 3]
        if len(means) < 3:
            return False
        self.movement = max(float(np.linalg.norm(a - b)) for a in means for b in means)
        was = self.flagged
        away = t - self.near_aim >= self.WINDOW_S
        if not self.flagged and away and not self.followed and self.push >= self.PUSH_ENOUGH:
            self.flagged = self.movement < self.STILL
        elif self.flagged and self.movement >= self.MOVING:
            self.flagged = False
        return self.flagged != was

    def _note_block(self, t: float, person: FloatArray) -> None:
        """Add an estimate to its session block; when a block is complete, compare its mean with the earlier
        ones."""
        block = int(t // self.SESSION_BLOCK_S)
        if self._block is not None and self._block[0] != block:
            _, total, count = self._block
            if count >= 3:
                mean = total / count
                self.followed = any(np.linalg.norm(mean - m) >= self.FOLLOWED for m in self._block_means)
                self._block_means.append(mean)
            self._block = None
        _, total, count = self._block or (block, np.zeros(2), 0)
        self._block = (block, total + person, count + 1)


def sureness(mean: float, sd: float) -> str:
    """How sure the model is of an effect, in words."""
    ratio = abs(mean) / sd if sd > 0 else math.inf
    return "sure" if ratio >= 3.0 else "fairly sure" if ratio >= 2.0 else "not sure yet"


@dataclass
class AdaptivePolicy(RateLimited):
    """Steers by this person's response model (``model``, learned by the loop), inside the bounds and rates."""

    model: ResponseModel = field(default_factory=new_model)
    seed: int = 0
    kind: PolicyKind = PolicyKind.ADAPTIVE
    trying: str = "waiting for a confident estimate"
    watch: NonResponse = field(default_factory=NonResponse)
    _rng: np.random.Generator = field(init=False)
    _reach_rng: np.random.Generator = field(init=False)  # its own, so the exploration draws stay as they were
    _target: MusicParams | None = None
    _holding: bool = False
    _decided: float = -math.inf
    _aimed: Point | None = None
    _draw: FloatArray | None = None
    _drawn: float = -math.inf
    _observed: float = -math.inf
    _gaps: deque[tuple[float, float]] = field(default_factory=deque)  # (session s, distance to the aim)
    _probe: Probe | None = None
    _probed: float = -math.inf  # session time the last probe ended
    reach: Reach | None = None  # set while the aim lies out of this person's reach inside the bounds
    verdicts: list[Verdict] = field(default_factory=list)  # for the control log, taken by the loop

    def __post_init__(self) -> None:
        self._rng = np.random.default_rng(self.seed)
        self._reach_rng = np.random.default_rng(self.seed + 1)

    @property
    def not_following(self) -> bool:
        """True while the person does not follow the music and the policy holds a safe setting."""
        return self.watch.flagged

    def observe(self, t: float, affect: Affect, params: MusicParams) -> None:
        """Watch the person and the music on every tick, whoever moves the music; a "person" verdict for the
        operator when the verdict on following changes."""
        if t - self._observed < DECIDE_S:
            return
        self._observed = t
        person = np.array([affect.valence, affect.arousal]) if affect.confidence >= CONFIDENT else None
        goal = self._aimed if self.goal is Goal.STEADY else self.plan.point  # iso: its target, not the waypoint
        near = person is not None and goal is not None and math.dist(person, goal) < ARRIVED
        if working_levers(self.model):  # the person follows at least one lever: bounds, not the person, limit
            near = True
        if not self.watch.add(t, person, lever_vector(params), near):
            return
        self._decided = -math.inf
        if self.watch.flagged:
            words = (
                f"not following: the music changed enough to move most listeners by {self.watch.push:.2f}, but this "
                f"person's estimate moved only {self.watch.movement:.2f} in {self.watch.WINDOW_S / 60:.0f} min; "
                "exploring stops and a calm, safe setting holds"
            )
            self.verdicts.append(Verdict(t, "person", "following", "not following", words))
        else:
            words = f"following again: the estimate moved {self.watch.movement:.2f}; exploring resumes"
            self.verdicts.append(Verdict(t, "person", "not following", "following", words))

    def propose(
        self, t: float, affect: Affect, current: MusicParams, bounds: Bounds, horizon: float
    ) -> tuple[MusicParams, list[Change], str]:
        """The next rate-limited move at session time ``t`` (seconds): new params, the changes and the reason."""
        aim, rule = self.plan.aim(t, affect)
        # While iso leads, meet the waypoint where it will be once this person's lag has passed.
        aim = self.plan.ahead(self.model.lag_s) or aim
        person = (affect.valence, affect.arousal)
        if aim is None:
            self.trying = f"holding: {rule}"
            target = bounds.clamp(current)
        elif self.watch.flagged:
            self.trying = "holding a calm, safe setting: no music lever has moved this person"
            target = music_for_point(SAFE_POINT, bounds, current)
        else:
            moved_aim = self._aimed is None or not same_aim(aim, self._aimed)
            gap = math.dist(person, aim)
            self._holding = self._holding and not moved_aim and gap <= RELEASE
            if self._target is None or (not self._holding and (moved_aim or t - self._decided >= DECIDE_S)):
                self._target = self._choose(t, person, aim, current, bounds)
                self._decided, self._aimed, self._holding = t, aim, gap < GOAL_RADIUS
            target = bounds.clamp(self._target)
        moved, changes = self.step_towards(t, target, current, bounds, horizon)
        why = self._why(changes, person, aim) if changes else ""
        if why:
            self.trying = why
        elif aim is not None and not self.watch.flagged and self.reach is not None:
            self.trying = self.reach.words()
        elif aim is not None and not self.watch.flagged and math.dist(person, aim) < GOAL_RADIUS:
            self.trying = f"holding: the person is at {fmt_point(person)}, near the aim {fmt_point(aim)}"
        reason = f"{why + '; ' if why else ''}{estimate_words(affect)}; goal {self.goal.value}; rule {rule}"
        return moved, changes, reason

    # --- choosing the setting ----------------------------------------------------------------------------
    def _stuck(self, t: float, gap: float) -> bool:
        """Note the distance to the aim at session time ``t``; True when the last PROGRESS_S seconds brought the
        person less than PROGRESS closer (each end averaged over PROGRESS_SAMPLES decisions)."""
        self._gaps.append((t, gap))
        while self._gaps and self._gaps[0][0] < t - PROGRESS_S:
            self._gaps.popleft()
        if t - self._gaps[0][0] < PROGRESS_S / 2:
            return False
        gaps = [g for _, g in self._gaps]
        return float(np.mean(gaps[:PROGRESS_SAMPLES]) - np.mean(gaps[-PROGRESS_SAMPLES:])) < PROGRESS

    def _coefficients(self, t: float, gap: float, stuck: bool) -> FloatArray:
        if gap < GOAL_RADIUS:
            return self.model.coefficients()
        if self._draw is None or t - self._drawn >= RESAMPLE_S:
            self._draw, self._drawn = self.model.sample(self._rng, TEMPER_STUCK if stuck else TEMPER_MOVING), t
        return self._draw

    def _numeric_effects(self) -> tuple[FloatArray, FloatArray]:
        """The numeric levers' posterior effects and variances, each (levers, 2)."""
        effects = self.model.effects()[:N_NUMERIC]
        return np.array([e.mean for e in effects]), np.array([e.sd for e in effects]) ** 2

    def _probe_over(self, t: float, person: Point, aim: Point) -> bool:
        """Whether the running probe has taught what it can: the model is sure which way its move takes the
        person, or the move is no longer worth trying (or its time or aim is gone)."""
        probe = self._probe
        assert probe is not None
        if t >= probe.until or not same_aim(aim, probe.aim) or math.dist(person, aim) < GOAL_RADIUS:
            return True
        means, variances = self._numeric_effects()
        i = probe.trial.index
        mean, sd = gain(means[i], variances[i], probe.trial.end - probe.start, np.subtract(aim, person))
        return abs(mean) >= PROBE_SURE * sd or expected_improvement(mean, sd) < PROBE_GAIN

    def _best_trial(
        self, person: Point, aim: Point, current: MusicParams, bounds: Bounds, least: float
    ) -> Trial | None:
        """The single-lever trial with the largest expected improvement, if that is ``least`` or more (plane
        units)."""
        means, variances = self._numeric_effects()
        low, high = steered_box(bounds)
        start = lever_vector(current)[:N_NUMERIC]
        found = trials(means, variances, start, low, high, np.subtract(aim, person), PROBE_STEP)
        return found[0] if found and found[0].gain >= least else None

    def _new_probe(self, t: float, trial: Trial, aim: Point, current: MusicParams, bounds: Bounds) -> Probe:
        """A probe of ``trial``'s lever from the music playing now."""
        lever = NUMERIC_LEVERS[trial.index]
        levers = lever_vector(current)[:N_NUMERIC]
        start = float(levers[trial.index])
        levers[trial.index] = trial.end
        travel = abs(trial.end - start) / (bounds.max_change_per_min / 60.0)
        sign = 1.0 if trial.end > start else -1.0
        words = (
            f"trying {lever} {'up' if sign > 0 else 'down'} on its own: the person has come no closer in "
            f"{t - self._gaps[0][0]:.0f} s, and it is not known yet whether {MORE_LESS[lever][0 if sign > 0 else 1]} "
            f"helps this person"
        )
        until = t + travel + PROBE_LAGS * self.model.lag_s
        return Probe(trial, start, with_numeric(current, levers), aim, until, words)

    def _choose(self, t: float, person: Point, aim: Point, current: MusicParams, bounds: Bounds) -> MusicParams:
        """The setting to head for now (``_pick``); tells the operator when the aim goes out of reach or comes
        back within it (a "reach" row for the control log)."""
        before = self.reach
        music = self._pick(t, person, aim, current, bounds)
        if before is None and self.reach is not None:
            self.verdicts.append(Verdict(t, "reach", "within reach", "out of reach", self.reach.words()))
        elif before is not None and self.reach is None:
            why = "within reach again" if same_aim(before.aim, aim) else f"the aim moved to {fmt_point(aim)}"
            self.verdicts.append(Verdict(t, "reach", "out of reach", "within reach", f"{why}: exploring resumes"))
        return music

    def _pick(self, t: float, person: Point, aim: Point, current: MusicParams, bounds: Bounds) -> MusicParams:
        """The setting whose predicted resting point is nearest the (led) aim, inside the bounds, or the running
        probe's; when the person is stuck, nothing is left worth trying and the model expects no setting to bring
        them within GOAL_RADIUS of the aim, the setting expected to bring them nearest (out of reach; it stays so
        for the same aim, stuck or not, while nothing is worth trying and the model still expects no setting to
        reach it)."""
        held = self.reach if self.reach is not None and same_aim(self.reach.aim, aim) else None
        self.reach = None
        gap_now = math.dist(person, aim)
        stuck = self._stuck(t, gap_now)
        if self._probe is not None:
            if not self._probe_over(t, person, aim):
                return self._probe.target
            self._probe, self._probed = None, t
        if (stuck or held) and gap_now >= GOAL_RADIUS:
            trial = self._best_trial(person, aim, current, bounds, PROBE_GAIN * (REACH_HOLD if held else 1.0))
            if trial is not None and t - self._probed >= PROGRESS_S:
                self._probe = self._new_probe(t, trial, aim, current, bounds)
                return self._probe.target
            if trial is None or held:
                nearest, settles = self._plan(self.model.coefficients(), np.asarray(aim), current, bounds)
                if math.dist(settles, aim) >= GOAL_RADIUS and (
                    held or not self._any_draw_reaches(aim, current, bounds)
                ):
                    self.reach = held or Reach(aim, (float(settles[0]), float(settles[1])), nearest)
                    return self.reach.setting
        coef = self._coefficients(t, gap_now, stuck)
        gap = np.subtract(aim, person)
        lead = min(MAX_LEAD, 1.0 / (1.0 - math.exp(-HORIZON_S / self.model.lag_s)) - 1.0)
        goal = beyond(aim, lead * gap) if np.linalg.norm(gap) > GOAL_RADIUS else np.asarray(aim, dtype=np.float64)
        caution = CAUTION if self.model.sessions >= 1 and not stuck else 0.0
        return self._plan(coef, goal, current, bounds, caution)[0]

    def _any_draw_reaches(self, aim: Point, current: MusicParams, bounds: Bounds) -> bool:
        """Whether any of REACH_DRAWS draws from the posterior (each a person this one may be) expects some
        setting inside the bounds to bring the person within GOAL_RADIUS of ``aim``: the posterior mean alone
        gave up on people whom exploring would have taken there (two of twelve drawn listeners under energise)."""
        for _ in range(REACH_DRAWS):
            _, settles = self._plan(self.model.sample(self._reach_rng), np.asarray(aim), current, bounds)
            if math.dist(settles, aim) < GOAL_RADIUS:
                return True
        return False

    def _plan(
        self, coef: FloatArray, goal: FloatArray, current: MusicParams, bounds: Bounds, caution: float = 0.0
    ) -> tuple[MusicParams, FloatArray]:
        """The setting inside the bounds whose resting point by ``coef`` is nearest ``goal`` (small changes
        preferred), and that resting point (valence, arousal). With ``caution`` > 0 the cost also counts that
        many times the model's own uncertainty about where the setting leaves the person (its predictive
        variance), so that a setting is chosen for what the model knows, not for an effect it has barely seen."""
        low, high = steered_box(bounds)
        start = lever_vector(current)[:N_NUMERIC]
        effect = coef[1 : 1 + N_NUMERIC].T  # (2, numeric levers)
        weight = math.sqrt(MOVE_COST)
        roots = math.sqrt(caution) * self.model.spread_rows() if caution > 0 else np.zeros((0, 1 + len(LEVERS)))
        matrix = np.vstack([effect, weight * np.eye(N_NUMERIC), roots[:, 1 : 1 + N_NUMERIC]])
        best: tuple[float, MusicParams, FloatArray] | None = None
        for mode, layers in candidates(current, bounds):
            discrete = discrete_vector(mode, layers)
            base = coef[0] + discrete @ coef[1 + N_NUMERIC :]
            spread_fixed = roots[:, 0] + roots[:, 1 + N_NUMERIC :] @ discrete  # the spread's part x does not move
            rhs = np.concatenate([goal - base, weight * start, -spread_fixed])
            x = box_least_squares(matrix, rhs, low, high, start)
            cost = float(np.sum((matrix @ x - rhs) ** 2))
            cost += SWITCH_COST * ((mode != current.mode) + len(layers ^ current.layers))
            if best is None or cost < best[0]:
                best = (cost, with_numeric(replace(current, mode=mode, layers=layers), x), base + effect @ x)
        assert best is not None
        return best[1], best[2]

    # --- saying why ----------------------------------------------------------------------------------------
    def _why(self, changes: list[Change], person: Point, aim: Point | None) -> str:
        """The change expected to help most, in a therapist's words, with what the model knows about it."""
        if aim is None or self.watch.flagged:
            return "holding a calm, safe setting: no music lever has moved this person" if self.watch.flagged else ""
        if self.reach is not None:
            return self.reach.words()
        if self._probe is not None and any(name == NUMERIC_LEVERS[self._probe.trial.index] for name, _, _ in changes):
            return self._probe.words
        effects = {e.lever: e for e in self.model.effects()}
        gap = np.subtract(aim, person)
        lines: list[tuple[float, str]] = []
        for name, old, new in changes:
            lever, sign = lever_of(name, old, new)
            if lever is None:
                continue
            effect = effects[lever]
            helps = np.array(effect.mean) * gap * sign
            axis = int(np.argmax(np.abs(helps))) if np.any(gap) else 1
            mean, sd = effect.mean[axis], effect.sd[axis]
            lines.append((float(helps.sum()), describe_move(name, sign, lever, mean, sd, effect.moves, axis)))
        towards = f"towards {fmt_point(aim)} from {fmt_point(person)}"
        return f"{max(lines)[1]} ({towards})" if lines else ""


def beyond(aim: Point, push: FloatArray) -> FloatArray:
    """``aim`` pushed on by ``push`` (plane units), shortened along the same line to stay in the plane: clipping
    each axis apart would turn the push towards the axis with more room (a slow listener's calm lead of three
    gaps became mostly valence, and brighter music that raised their arousal was played to lift it)."""
    start = np.asarray(aim, dtype=np.float64)
    room = [(math.copysign(1.0, p) - a) / p for a, p in zip(start, push, strict=True) if p != 0.0]
    return start + min(1.0, *room) * push if room else start


def steered_box(bounds: Bounds) -> tuple[FloatArray, FloatArray]:
    """The lowest and highest numeric lever values the loop steers between inside ``bounds`` (lever units):
    each parameter's limits, the volume within VOLUME_SPAN_DB dB under the ceiling."""
    limits = {name: bounds.limits(name) for name in NUMERIC_LEVERS}
    limits["volume"] = (max(limits["volume"][0], bounds.volume_ceiling - VOLUME_SPAN_DB), bounds.volume_ceiling)
    return numeric_box(limits)


def candidates(current: MusicParams, bounds: Bounds) -> list[tuple[str, frozenset[str]]]:
    """The modes and layer sets worth comparing: each allowed mode with the current layers or with one allowed
    layer more or less (never none)."""
    layers = current.layers & bounds.allowed_layers or bounds.allowed_layers
    options = [layers, *(layers ^ {name} for name in sorted(bounds.allowed_layers))]
    sets = list(dict.fromkeys(option for option in options if option))
    return [(mode, option) for mode in bounds.allowed_modes for option in sets]


def lever_of(name: str, old: object, new: object) -> tuple[str | None, float]:
    """The lever a parameter change moves and the direction (+1 up or in, -1 down or out)."""
    if name in NUMERIC_LEVERS:
        assert isinstance(old, float | int) and isinstance(new, float | int)
        return name, 1.0 if new > old else -1.0
    if name == "mode":
        if new != "major":
            return f"mode {new}", 1.0
        return (f"mode {old}", -1.0) if old != "major" else (None, 0.0)
    if name == "layers":
        assert isinstance(old, frozenset) and isinstance(new, frozenset)
        added, removed = sorted(new - old), sorted(old - new)
        return (f"layer {added[0]}", 1.0) if added else (f"layer {removed[0]}", -1.0) if removed else (None, 0.0)
    return None, 0.0


MORE_LESS = {
    "tempo": ("faster tempo", "slower tempo"),
    "density": ("denser music", "sparser music"),
    "brightness": ("brighter sound", "darker sound"),
    "volume": ("louder music", "softer music"),
    "tension": ("more tension", "less tension"),
}


UNCLEAR_AFTER = 24  # moves (5 s steps a lever moved in: two minutes of moving) after which an unsure effect is
# "still unclear"


def describe_move(name: str, sign: float, lever: str, mean: float, sd: float, moves: int, axis: int) -> str:
    """One change in words, e.g. 'density down: sparser music lowered arousal by 0.06 per tenth of the range so
    far (6 moves, sure)', or before the studio knows: 'tempo down: slower tempo lowers arousal for most listeners
    (not yet known for this person)', and once it has tried for a while: '(still unclear after 40 moves)'."""
    axis_word = ("valence", "arousal")[axis]
    if lever in NUMERIC_LEVERS:
        head = f"{name} {'up' if sign > 0 else 'down'}"
        phrase = MORE_LESS[lever][0 if sign > 0 else 1]
    elif lever.startswith("mode "):
        head, phrase = f"mode to {lever.removeprefix('mode ') if sign > 0 else 'major'}", lever_words(lever)
        phrase = phrase if sign > 0 else f"leaving {phrase}"
    else:
        layer = lever.removeprefix("layer ")
        head, phrase = f"{layer} {'in' if sign > 0 else 'out'}", f"{'with' if sign > 0 else 'without'} the {layer}"
    usual = POPULATION[lever][axis] * sign
    sure = sureness(mean, sd)
    if sure == "not sure yet" or moves < 2:
        known = "not yet known for this person" if moves < UNCLEAR_AFTER else f"still unclear after {moves} moves"
        if abs(usual) >= 0.1:
            way = "raises" if usual > 0 else "lowers"
            return f"{head}: {phrase} {way} {axis_word} for most listeners ({known})"
        return f"{head}: trying whether {phrase} moves {axis_word} ({known})"
    went = "raised" if mean * sign > 0 else "lowered"
    per, unit = (0.1, " per tenth of the range") if lever in NUMERIC_LEVERS else (1.0, "")
    reversed_note = "; the opposite of most listeners" if usual * mean * sign < 0 and abs(usual) >= 0.1 else ""
    return (
        f"{head}: {phrase} {went} {axis_word} by {abs(mean) * per:.2f}{unit} so far "
        f"({moves} moves, {sure}{reversed_note})"
    )
