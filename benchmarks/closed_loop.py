"""Closed loop: the adaptive policy against the fixed one on a panel of virtual listeners, through the whole studio.

Every run is a real headless demo session on a simulated clock (--speed 0): the listener feeds the four demo
channel pipelines, the fusion loop and policy steer the music, the session is recorded to SQLite and read back.
For each listener (resources/listeners/*.toml) and goal it prints time to goal (judged from the estimate),
final distance of the true state from the goal, overshoot past the goal, how much the music moved (sum of numeric
parameter changes as shares of their ranges, plus mode and layer switches) and bound or rate violations (must be
0); then the ratios and the issue's targets: reaching every goal the bounds allow, about twice as fast as the
fixed policy on the median listener, the paradoxical listener's levers found in one session, a second visit in at
most 0.75 of the first's time, and the non-responder named within five minutes. Last, the same on the listener's
TRUE state (the estimate's bias can call a goal reached that the person never reached) and the ceiling
(best_possible.py): how fast an oracle that knows each listener exactly could take their true state to calm and
energise inside the same bounds and rates, against the fixed policy on the same footing, so that the measured
ratios can be read against the most any policy could gain.

With --random N the panel is N listeners drawn at random (benchmarks/random_listeners.py) instead, so that the
median listener is a population's median rather than the middle one of the hand-made kinds.

Run: .venv/bin/python -m benchmarks.closed_loop [--minutes 20] [--jobs 2] [--goals calm,energise,iso]
     [--random N [--seed S]]
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import math
import sqlite3
import statistics
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.best_possible import time_to_goal
from benchmarks.random_listeners import write_panel
from studio.config import load_config
from studio.goal_plan import GOAL_POINTS, Goal
from studio.goal_watch import HOLD_S, REACHED_RADIUS
from studio.headless import run_headless
from studio.levers import POPULATION
from studio.listener import ListenerSpec, load_listener
from studio.music.params import NUMERIC, MusicParams
from studio.policy import Bounds, PolicyKind
from studio.session import SessionOptions
from studio.store import Store

LISTENERS = Path(__file__).resolve().parent.parent / "resources" / "listeners"
STEERED = ("tempo", "tension", "brightness", "density", "volume")


def reachable(spec: ListenerSpec, goal: tuple[float, float], bounds: Bounds) -> bool:
    """Whether some music inside ``bounds`` settles this listener within REACHED_RADIUS of ``goal`` (a grid)."""
    tempos = np.linspace(bounds.tempo_min, bounds.tempo_max, 5)
    unit = np.linspace(0.0, 1.0, 5)
    volumes = np.linspace(bounds.volume_ceiling - 12.0, bounds.volume_ceiling, 3)
    layer_sets = [frozenset(c) for n in range(1, 5) for c in itertools.combinations(sorted(bounds.allowed_layers), n)]
    for tempo, density, brightness, tension, volume, mode, layers in itertools.product(
        tempos, unit, unit, unit, volumes, bounds.allowed_modes, layer_sets
    ):
        music = MusicParams(tempo, mode, tension, 0.0, brightness, density, volume, 0.4, layers)
        if math.dist(spec.settles_at(music), goal) <= REACHED_RADIUS:
            return True
    return False


def record(spec_path: str, goal: str, policy: str, minutes: float, store: str, client: str | None) -> dict[str, Any]:
    """One headless demo session with the listener in ``spec_path``, recorded to ``store``, on a simulated clock;
    its summary, with the wall time it took (``wall_s``, seconds)."""
    config = load_config()
    config = replace(
        config, goal=Goal(goal), audio_backend="silent", loop=replace(config.loop, policy=PolicyKind(policy))
    )
    options = SessionOptions(consent=config.consent, client=client)
    wall = time.monotonic()
    summary = run_headless(
        config,
        True,
        minutes * 60.0,
        Path(store),
        io.StringIO(),
        options,
        speed=0.0,
        listener=load_listener(Path(spec_path)),
    )
    summary["wall_s"] = time.monotonic() - wall
    return summary


def session(spec_path: str, goal: str, policy: str, minutes: float, store: str, client: str | None) -> dict[str, Any]:
    """One recorded session; its summary plus what the benchmark reads from the database."""
    summary = record(spec_path, goal, policy, minutes, store, client)
    db = sqlite3.connect(store)
    sid = summary["session_id"]
    rows = db.execute(
        f"SELECT t, {', '.join(STEERED)} FROM music_params WHERE session_id = ? ORDER BY t", (sid,)
    ).fetchall()
    music = np.array(rows, dtype=float)
    spans = np.array([NUMERIC[n].high - NUMERIC[n].low for n in STEERED])
    moved = float(np.sum(np.abs(np.diff(music[:, 1:], axis=0)) / spans))
    switches = db.execute(
        "SELECT COUNT(*) FROM control_log WHERE session_id = ? AND param IN ('mode', 'layers') AND who = 'policy'",
        (sid,),
    ).fetchone()[0]
    summary["music_moved"] = moved + switches
    summary["violations"] = violations(db, sid, music, load_config().bounds)
    person = db.execute(
        "SELECT t, old, new FROM control_log WHERE session_id = ? AND param = 'person' ORDER BY t", (sid,)
    ).fetchall()
    summary["not_following_at"] = next((t for t, _, new in person if new == "not following"), None)
    db.close()
    summary["listener_name"] = Path(spec_path).stem
    summary["goal"], summary["policy_kind"] = goal, policy
    return summary


def violations(db: sqlite3.Connection, sid: int, music: np.ndarray, bounds: Bounds) -> int:
    """Rows outside the bounds plus policy changes faster than the allowed rate (2 s horizon)."""
    tempo, volume = music[:, 1], music[:, 5]
    count = int(np.sum((tempo < bounds.tempo_min - 1e-6) | (tempo > bounds.tempo_max + 1e-6)))
    count += int(np.sum(volume > bounds.volume_ceiling + 1e-6))
    modes = db.execute("SELECT mode FROM music_params WHERE session_id = ?", (sid,)).fetchall()
    count += sum(1 for (m,) in modes if m not in bounds.allowed_modes)
    last: dict[str, float] = {}
    for t, param, old, new in db.execute(
        "SELECT t, param, old, new FROM control_log WHERE session_id = ? AND who = 'policy' ORDER BY t", (sid,)
    ):
        if param in STEERED:
            span = NUMERIC[param].high - NUMERIC[param].low
            elapsed = min(2.0, t - last.get(param, t - 2.0))
            if abs(float(new) - float(old)) > bounds.max_change_per_min * span * elapsed / 60.0 + 0.011 * span:
                count += 1
        elif param == "layers" and not set(new.split(",")) <= bounds.allowed_layers | {""}:
            count += 1
        last[param] = t
    return count


def run_one(args: tuple[str, str, str, float]) -> dict[str, Any]:
    spec_path, goal, policy, minutes = args
    with tempfile.TemporaryDirectory() as tmp:
        return session(spec_path, goal, policy, minutes, str(Path(tmp) / "s.sqlite"), None)


def visits(spec_path: str, goal: str, minutes: float) -> list[dict[str, Any]]:
    """Two visits of the same client: the second starts from the response model the first stored."""
    with tempfile.TemporaryDirectory() as tmp:
        store = str(Path(tmp) / "s.sqlite")
        database = Store.open(Path(store), create=True)
        database.add_client("V1")
        database.close()
        return [session(spec_path, goal, "adaptive", minutes, store, "V1") for _ in range(2)]


def shown(seconds: float | None, cap: float) -> str:
    return f">{cap:.0f}" if seconds is None else f"{seconds:.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=20.0, help="session length (simulated minutes)")
    parser.add_argument("--jobs", type=int, default=2, help="sessions run at once (processes)")
    parser.add_argument("--goals", default="calm,energise,iso", help="goals to run, comma-separated")
    parser.add_argument("--listeners", default="*", help="listener file names to run (glob, without .toml)")
    parser.add_argument("--random", type=int, default=0, help="run this many random listeners instead (a drawn panel)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the random panel")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        if args.random > 0:
            paths = write_panel(args.random, args.seed, Path(folder))
        else:
            paths = sorted(str(p) for p in LISTENERS.glob(f"{args.listeners}.toml"))
        run_panel(paths, args.goals.split(","), args.minutes, args.jobs)


def run_panel(paths: list[str], goals: list[str], minutes: float, jobs_at_once: int) -> None:
    """Run every listener under every goal with both policies, plus two calm visits each, and print the lot."""
    bounds = load_config().bounds
    cap = minutes * 60.0
    jobs = [(p, g, pol, minutes) for p in paths for g in goals for pol in ("adaptive", "fixed")]
    started = time.monotonic()
    with ProcessPoolExecutor(jobs_at_once) as pool:
        results = list(pool.map(run_one, jobs))
        second = list(pool.map(visits, paths, ["calm"] * len(paths), [minutes] * len(paths)))
    by = {(r["listener_name"], r["goal"], r["policy_kind"]): r for r in results}
    print(f"{'listener':18} {'goal':9} {'reach':5} | {'time to goal s':>16} | {'final dist':>11} | "
          f"{'overshoot':>11} | {'music moved':>12} | viol | adaptive says")  # fmt: skip
    print(f"{'':34} |  adapt    fixed  |  adapt fixed |  adapt fixed |  adapt  fixed |      |")
    ratios: dict[str, list[float]] = {g: [] for g in goals}
    misses = []
    for path in paths:
        name, spec = Path(path).stem, load_listener(Path(path))
        for goal in goals:
            point = GOAL_POINTS[Goal(goal)]
            a, f = by[(name, goal, "adaptive")], by[(name, goal, "fixed")]
            ok = reachable(spec, point, bounds)
            ta, tf = a["loop"]["time_to_goal_s"], f["loop"]["time_to_goal_s"]
            if ok and ta is None:
                misses.append(f"{name}/{goal}")
            if ok:
                ratios[goal].append((tf if tf is not None else cap) / (ta if ta is not None else cap))
            dist = [math.dist(r["listener"]["final"], point) for r in (a, f)]
            over = [overshoot(r["listener"]["path"], point) for r in (a, f)]
            print(
                f"{name:18} {goal:9} {'yes' if ok else 'no':5} | {shown(ta, cap):>6}  {shown(tf, cap):>7} | "
                f"{dist[0]:5.2f} {dist[1]:5.2f} | {over[0]:5.2f} {over[1]:5.2f} | {a['music_moved']:6.1f} "
                f"{f['music_moved']:6.1f} | {a['violations'] + f['violations']:4d} | {a['response']['words'][:60]}"
            )
    print()
    for goal, values in ratios.items():
        if values:
            print(f"{goal}: fixed / adaptive time to goal over the listeners it can reach: median "
                  f"{statistics.median(values):.2f} (each counts an unreached goal as {cap:.0f} s)")  # fmt: skip
    print(f"goals the bounds allow but the adaptive policy missed: {', '.join(misses) or 'none'}")
    paradox = by.get(("paradoxical", "calm", "adaptive"))
    if paradox is not None:
        tempo = next(e for e in paradox["response"]["effects"] if e["lever"] == "tempo")
        truth = load_listener(LISTENERS / "paradoxical.toml").response["tempo"][1]
        print(f"paradoxical listener, calm, after one session: {paradox['response']['words']}; tempo's effect on "
              f"arousal {tempo['arousal']:+.2f} (sd {tempo['arousal_sd']:.2f}) per range, most listeners' "
              f"{POPULATION['tempo'][1]:+.2f}, theirs {truth:+.2f}")  # fmt: skip
    for pair in second:
        first_t, second_t = (v["loop"]["time_to_goal_s"] for v in pair)
        ratio = (second_t or cap) / (first_t or cap)
        first_true, second_true = (true_time(v["listener"]["path"], GOAL_POINTS[Goal.CALM]) for v in pair)
        print(f"second visit, {pair[0]['listener_name']}, calm: {shown(first_t, cap)} s then "
              f"{shown(second_t, cap)} s (ratio {ratio:.2f}); true state {shown(first_true, cap)} s then "
              f"{shown(second_true, cap)} s")  # fmt: skip
    for r in results:
        if r["listener_name"] == "non-responder" and r["policy_kind"] == "adaptive":
            print(f"non-responder, {r['goal']}: named after {shown(r['not_following_at'], cap)} s")
    walls = [r["wall_s"] for r in results]
    print(f"{len(results) + 2 * len(second)} sessions of {minutes:g} min in {time.monotonic() - started:.0f} s "
          f"({jobs_at_once} at once); one session: median {statistics.median(walls):.0f} s wall")  # fmt: skip
    true_state = print_true_state(paths, goals, by, bounds, cap)
    medians = {g: round(statistics.median(v), 3) for g, v in ratios.items() if v}
    print(json.dumps({"benchmark": "closed_loop", "fixed_over_adaptive_median": medians, "missed": misses,
                      "true_state": true_state}))  # fmt: skip


def print_true_state(
    paths: list[str], goals: list[str], by: dict[tuple[str, str, str], dict[str, Any]], bounds: Bounds, cap: float
) -> dict[str, dict[str, float]]:
    """Time for the TRUE state to reach each goal: the studio's two runs read from their listener paths, and
    (calm, energise) an oracle and the fixed policy in a plain simulation. Returns per goal the median
    fixed / adaptive ratio of the studio's runs and the median fixed / oracle ratio (the ceiling)."""
    print("\nseconds for the TRUE state to settle at the goal (studio runs read every 5 s; oracle and fixed simulated")
    print("without channels or estimate; the estimate's bias can call a goal reached that the person never reached)")
    print(f"{'listener':18} {'goal':9} | studio: {'adapt':>6} {'fixed':>6} | sim: {'oracle':>6} {'fixed':>6}")
    ratios: dict[str, list[float]] = {g: [] for g in goals}
    ceiling: dict[str, list[float]] = {g: [] for g in goals}
    for path in paths:
        name, spec = Path(path).stem, load_listener(Path(path))
        for goal in goals:
            point = GOAL_POINTS[Goal(goal)]
            studio = [true_time(by[(name, goal, kind)]["listener"]["path"], point) for kind in ("adaptive", "fixed")]
            if reachable(spec, point, bounds):
                ratios[goal].append((studio[1] or cap) / max(studio[0] or cap, 1.0))
            simulated = [None, None] if goal == "iso" else [time_to_goal(spec, Goal(goal), bounds, kind, cap) for
                                                             kind in ("oracle", "fixed")]  # fmt: skip
            if simulated[0] is not None:
                ceiling[goal].append((simulated[1] or cap) / max(simulated[0], 1.0))
            sim = "     (no oracle for iso)" if goal == "iso" else " ".join(f"{shown(x, cap):>6}" for x in simulated)
            print(f"{name:18} {goal:9} |         {shown(studio[0], cap):>6} {shown(studio[1], cap):>6} |      {sim}")
    found = {
        "fixed_over_adaptive": {g: round(statistics.median(v), 3) for g, v in ratios.items() if v},
        "fixed_over_oracle": {g: round(statistics.median(v), 3) for g, v in ceiling.items() if v},
    }
    for goal in goals:
        line = f"{goal}: true state, fixed / adaptive on the median listener the bounds allow: "
        line += f"{found['fixed_over_adaptive'].get(goal, math.nan):.2f}"
        if goal in found["fixed_over_oracle"]:
            line += f"; the most any policy could gain (fixed / oracle): {found['fixed_over_oracle'][goal]:.2f}"
        print(line)
    return found


def true_time(path: list[list[float]], goal: tuple[float, float]) -> float | None:
    """When the true state (a row every 5 s) began a stay of HOLD_S seconds within REACHED_RADIUS of ``goal``."""
    since = None
    for t, v, a in path:
        if math.dist((v, a), goal) > REACHED_RADIUS:
            since = None
        elif since is None:
            since = t
        if since is not None and t - since >= HOLD_S:
            return float(since)
    return None


def overshoot(path: list[list[float]], goal: tuple[float, float]) -> float:
    """How far the true state went past the goal, along the line from where it started to the goal."""
    start = np.array(path[0][1:])
    direction = np.subtract(goal, start)
    length = float(np.linalg.norm(direction))
    if length == 0:
        return 0.0
    unit = direction / length
    beyond = [float((np.array(row[1:]) - goal) @ unit) for row in path]
    return max(0.0, max(beyond))


if __name__ == "__main__":
    main()
