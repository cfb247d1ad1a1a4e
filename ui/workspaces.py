"""Workspaces: one set of dock widgets each for therapists (Session), experimenters (Lab) and workshops
(Presentation). The docks hold the same widgets in every workspace; a workspace says which are shown and
where, with an arrangement for each screen size (a laptop gets fewer, wider columns), and each remembers the
operator's own arrangement per screen size (QMainWindow.saveState in ConsoleSettings)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtCore import QByteArray, QSize, Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QMainWindow

Cell = tuple[str, ...]  # dock names sharing one place as tabs (the first one in front)
Column = tuple[Cell, ...]  # cells from top to bottom

COMPACT_BELOW = QSize(1500, 950)  # a screen narrower or lower than this gets the compact arrangements
SIZES = ("compact", "standard")


def size_class(screen: QSize) -> str:
    """``compact`` for a laptop screen (1280x800, 1366x768, 1440x900), ``standard`` for larger ones."""
    small = screen.width() < COMPACT_BELOW.width() or screen.height() < COMPACT_BELOW.height()
    return SIZES[0] if small else SIZES[1]


@dataclass(frozen=True)
class Arrangement:
    """``columns`` left to right with their share of the width (``widths``) and each cell's share of its
    column's height (``heights``, in the same order as the cells)."""

    columns: tuple[Column, ...]
    widths: tuple[int, ...]
    heights: tuple[tuple[int, ...], ...]

    @property
    def docks(self) -> tuple[str, ...]:
        return tuple(name for column in self.columns for cell in column for name in cell)

    @property
    def fronts(self) -> set[str]:
        """The docks in front of their cell (shown at once; the others are tabs behind them)."""
        return {cell[0] for column in self.columns for cell in column}


@dataclass(frozen=True)
class Workspace:
    """The docks a workspace shows and where: ``standard`` on a large screen, ``compact`` (when given) on a
    laptop's."""

    name: str
    title: str
    tip: str
    standard: Arrangement
    compact: Arrangement | None = None
    dark: bool = False
    full_screen: bool = False

    def arrangement(self, size: str) -> Arrangement:
        return self.compact if size == SIZES[0] and self.compact is not None else self.standard

    @property
    def docks(self) -> tuple[str, ...]:
        """Every dock the workspace shows in any of its arrangements."""
        compact = self.compact.docks if self.compact is not None else ()
        return tuple(dict.fromkeys(self.standard.docks + compact))


WORKSPACES = (
    Workspace(
        "session",
        "Session",
        "For the therapist: the affect plane and trend, the music, markers and notes, the session steps",
        standard=Arrangement(
            columns=(
                (("plane",), ("trend",), ("entries",)),
                (("flow",), ("camera",), ("music", "presets")),
            ),
            widths=(62, 38),
            heights=((58, 26, 16), (42, 16, 42)),
        ),
        compact=Arrangement(
            columns=(
                (("plane",), ("trend", "entries")),
                (("flow", "camera"), ("music", "presets")),
            ),
            widths=(58, 42),
            heights=((66, 34), (40, 60)),
        ),
    ),
    Workspace(
        "lab",
        "Lab",
        "For the experimenter: every trace, band power and quality, markers, network and recording",
        standard=Arrangement(
            columns=(
                (("eeg",), ("channel_affect",), ("trend",), ("entries",)),
                (("body",), ("voice", "face_features", "camera"), ("plane",)),
                (("status",), ("marker_log",), ("outputs",)),
            ),
            widths=(45, 25, 30),
            heights=((38, 28, 18, 16), (28, 30, 42), (40, 30, 30)),
        ),
        compact=Arrangement(
            columns=(
                (("eeg",), ("channel_affect", "trend", "entries")),
                (("body", "plane", "voice"), ("status", "face_features", "camera", "marker_log", "outputs")),
            ),
            widths=(60, 40),
            heights=((62, 38), (50, 50)),
        ),
    ),
    Workspace(
        "presentation",
        "Presentation",
        "For a workshop: full screen and dark, readable from the back of the room (F11 leaves full screen)",
        standard=Arrangement(
            columns=(
                (("plane",),),
                (("camera",), ("music_state",), ("contributions",)),
            ),
            widths=(60, 40),
            heights=((100,), (40, 25, 35)),
        ),
        dark=True,
        full_screen=True,
    ),
)
BY_NAME = {w.name: w for w in WORKSPACES}


class LayoutStore(Protocol):
    """Where the workspaces keep the operator's arrangements (ConsoleSettings): the workspace shown last and
    the saved dock layout of each workspace and screen size (key ``lab/compact``)."""

    workspace: str

    def layout(self, key: str) -> QByteArray | None: ...

    def set_layout(self, key: str, state: QByteArray) -> None: ...

    def reject(self, what: str) -> None: ...

    def sync(self) -> None: ...


class Workspaces:
    """Switches ``window`` between the workspaces; ``on_change(workspace)`` applies its look (theme, screen)
    and ``on_shown()`` fills the panels the new arrangement shows."""

    def __init__(
        self,
        window: QMainWindow,
        docks: dict[str, QDockWidget],
        settings: LayoutStore,
        on_change: Callable[[Workspace], None],
        on_shown: Callable[[], None],
    ) -> None:
        self._window = window
        self._docks = docks
        self._settings = settings
        self._on_change = on_change
        self._on_shown = on_shown
        self.current: Workspace | None = None

    @property
    def size(self) -> str:
        """The size class of the screen the window is on (its arrangements and saved layouts go by it)."""
        return size_class(self._window.screen().availableGeometry().size())

    def _key(self, workspace: Workspace) -> str:
        return f"{workspace.name}/{self.size}"

    def switch(self, name: str) -> None:
        """Keep the present arrangement, then show workspace ``name`` as it was left on a screen of this size
        (or its default for this size)."""
        if self.current is not None and self.current.name == name:
            return
        self.save()
        workspace = BY_NAME[name]
        self.current = workspace
        self._settings.workspace = name
        self._on_change(workspace)
        for dock in self._docks.values():
            dock.hide()
        saved = self._settings.layout(self._key(workspace))
        if saved is None or not self._window.restoreState(saved):
            if saved is not None:
                self._settings.reject(f"layout of the {workspace.title} workspace")
            self.arrange(workspace)
        self._on_shown()

    def reset(self) -> None:
        """Put the current workspace back to its default arrangement."""
        if self.current is not None:
            for dock in self._docks.values():
                dock.hide()
            self.arrange(self.current)
            self._on_shown()

    def save(self) -> None:
        if self.current is not None:
            self._settings.set_layout(self._key(self.current), self._window.saveState())
            self._settings.sync()

    def arrange(self, workspace: Workspace) -> None:
        """The workspace's default arrangement for this screen size: columns split side by side, cells stacked,
        tabs in a cell."""
        window = self._window
        arrangement = workspace.arrangement(self.size)
        tops = [self._docks[column[0][0]] for column in arrangement.columns]
        window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, tops[0])
        for left, right in itertools.pairwise(tops):  # the columns first, so each spans the height
            window.splitDockWidget(left, right, Qt.Orientation.Horizontal)
        for column in arrangement.columns:  # then the cells of each column, stacked
            for above, below in itertools.pairwise(column):
                window.splitDockWidget(self._docks[above[0]], self._docks[below[0]], Qt.Orientation.Vertical)
        for column in arrangement.columns:  # tabs last: a split beside a tabbed dock would join its tabs
            for cell in column:
                front = self._docks[cell[0]]
                for name in cell[1:]:
                    window.tabifyDockWidget(front, self._docks[name])
                for name in cell:
                    self._docks[name].show()
                front.raise_()
        self._size(arrangement, tops)
        QTimer.singleShot(0, self._window, lambda: self._size(arrangement, tops))  # again once the layout settled

    def _size(self, arrangement: Arrangement, tops: list[QDockWidget]) -> None:
        window = self._window
        width = window.width()
        window.resizeDocks(tops, [width * w // 100 for w in arrangement.widths], Qt.Orientation.Horizontal)
        height = window.height()
        for column, shares in zip(arrangement.columns, arrangement.heights, strict=True):
            fronts = [self._docks[cell[0]] for cell in column]
            window.resizeDocks(fronts, [height * h // 100 for h in shares], Qt.Orientation.Vertical)
