"""Workspaces: one set of dock widgets each for therapists (Session), experimenters (Lab) and workshops
(Presentation). The docks hold the same widgets in every workspace; a workspace says which are shown and
where, and each remembers the operator's own arrangement (QMainWindow.saveState in ConsoleSettings)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtCore import QByteArray, Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QMainWindow

Cell = tuple[str, ...]  # dock names sharing one place as tabs (the first one in front)
Column = tuple[Cell, ...]  # cells from top to bottom


@dataclass(frozen=True)
class Workspace:
    """``columns`` left to right with their share of the width (``widths``) and each cell's share of its
    column's height (``heights``, in the same order as the cells)."""

    name: str
    title: str
    tip: str
    columns: tuple[Column, ...]
    widths: tuple[int, ...]
    heights: tuple[tuple[int, ...], ...]
    dark: bool = False
    full_screen: bool = False

    @property
    def docks(self) -> tuple[str, ...]:
        return tuple(name for column in self.columns for cell in column for name in cell)


WORKSPACES = (
    Workspace(
        "session",
        "Session",
        "For the therapist: the affect plane and trend, the music, markers and notes, the session steps",
        columns=(
            (("plane",), ("trend",), ("entries",)),
            (("flow",), ("camera",), ("music", "presets")),
        ),
        widths=(62, 38),
        heights=((58, 26, 16), (42, 16, 42)),
    ),
    Workspace(
        "lab",
        "Lab",
        "For the experimenter: every trace, band power and quality, markers, network and recording",
        columns=(
            (("eeg",), ("channel_affect",), ("trend",), ("entries",)),
            (("body",), ("voice", "face_features", "camera"), ("plane",)),
            (("status",), ("marker_log",), ("outputs",)),
        ),
        widths=(45, 25, 30),
        heights=((38, 28, 18, 16), (30, 30, 40), (40, 30, 30)),
    ),
    Workspace(
        "presentation",
        "Presentation",
        "For a workshop: full screen and dark, readable from the back of the room (F11 leaves full screen)",
        columns=(
            (("plane",),),
            (("camera",), ("music_state",), ("contributions",)),
        ),
        widths=(60, 40),
        heights=((100,), (40, 25, 35)),
        dark=True,
        full_screen=True,
    ),
)
BY_NAME = {w.name: w for w in WORKSPACES}


class LayoutStore(Protocol):
    """Where the workspaces keep the operator's arrangements (ConsoleSettings): the workspace shown last and
    each workspace's saved dock layout."""

    workspace: str

    def layout(self, workspace: str) -> QByteArray | None: ...

    def set_layout(self, workspace: str, state: QByteArray) -> None: ...

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

    def switch(self, name: str) -> None:
        """Keep the present arrangement, then show workspace ``name`` as it was left (or its default)."""
        if self.current is not None and self.current.name == name:
            return
        self.save()
        workspace = BY_NAME[name]
        self.current = workspace
        self._settings.workspace = name
        self._on_change(workspace)
        for dock in self._docks.values():
            dock.hide()
        saved = self._settings.layout(name)
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
            self._settings.set_layout(self.current.name, self._window.saveState())
            self._settings.sync()

    def arrange(self, workspace: Workspace) -> None:
        """The workspace's default arrangement: columns split side by side, cells stacked, tabs in a cell."""
        window = self._window
        tops = [self._docks[column[0][0]] for column in workspace.columns]
        window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, tops[0])
        for left, right in itertools.pairwise(tops):  # the columns first, so each spans the height
            window.splitDockWidget(left, right, Qt.Orientation.Horizontal)
        for column in workspace.columns:  # then the cells of each column, stacked
            for above, below in itertools.pairwise(column):
                window.splitDockWidget(self._docks[above[0]], self._docks[below[0]], Qt.Orientation.Vertical)
        for column in workspace.columns:  # tabs last: a split beside a tabbed dock would join its tabs
            for cell in column:
                front = self._docks[cell[0]]
                for name in cell[1:]:
                    window.tabifyDockWidget(front, self._docks[name])
                for name in cell:
                    self._docks[name].show()
                front.raise_()
        self._size(workspace, tops)
        QTimer.singleShot(0, self._window, lambda: self._size(workspace, tops))  # again once the new layout has settled

    def _size(self, workspace: Workspace, tops: list[QDockWidget]) -> None:
        window = self._window
        width = window.width()
        window.resizeDocks(tops, [width * w // 100 for w in workspace.widths], Qt.Orientation.Horizontal)
        height = window.height()
        for column, shares in zip(workspace.columns, workspace.heights, strict=True):
            fronts = [self._docks[cell[0]] for cell in column]
            window.resizeDocks(fronts, [height * h // 100 for h in shares], Qt.Orientation.Vertical)
