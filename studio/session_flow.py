"""The guided sequence of a session, as a model with no Qt: which step it is at, and how each step ended
(done with a short result, or skipped). The sequence only moves forward; ``restart`` begins the next session's.

Consent, the explicit start and the session itself cannot be skipped: nothing is recorded without consent, a
session records only once started, and it ends only when the operator ends it.
"""

from __future__ import annotations

from dataclasses import dataclass

SKIPPED = "skipped"


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    hint: str  # what the operator does in this step
    skippable: bool = True


STEPS = (
    Step("client", "Client code", "Type the client's pseudonymous code (never a name)."),
    Step("consent", "Consent", "Tick what the client agreed to. Nothing is recorded before.", skippable=False),
    Step("start", "Start", "Start the session: the recording and the music begin now.", skippable=False),
    Step("baseline", "Baseline", "The client rests while every channel records a resting profile."),
    Step("sam_before", "Self-report before", "The client rates how they feel now (keys 1-9, Tab: next scale)."),
    Step("running", "Session", "The session runs; end it when the music work is done.", skippable=False),
    Step("sam_after", "Self-report after", "The client rates how they feel now (keys 1-9, Tab: next scale)."),
    Step("notes", "Notes", "Write the session note (SOAP or DAP)."),
    Step("report", "Report", "Make the session report (HTML and PDF) for the record."),
)


class SessionFlow:
    """Where a session stands: ``current`` is the step under way (None once all are done or skipped)."""

    def __init__(self) -> None:
        self.index = 0
        self.results: dict[str, str] = {}  # step key -> result text, or SKIPPED

    @property
    def current(self) -> Step | None:
        return STEPS[self.index] if self.index < len(STEPS) else None

    @property
    def finished(self) -> bool:
        return self.current is None

    def complete(self, result: str) -> None:
        """The current step is done, with ``result`` in a few words; move to the next."""
        step = self.current
        if step is None:
            raise ValueError("the session's steps are all done")
        self.results[step.key] = result
        self.index += 1

    def skip(self) -> None:
        """Leave the current step out; ValueError for a step that cannot be skipped."""
        step = self.current
        if step is not None and not step.skippable:
            raise ValueError(f"the {step.title.lower()} step cannot be skipped")
        self.complete(SKIPPED)

    def restart(self) -> None:
        """Back to the first step, for the next session."""
        self.index = 0
        self.results.clear()

    def where(self) -> str:
        """Where the session stands, in a few words, e.g. ``step 4 of 9: Baseline``."""
        step = self.current
        if step is None:
            return "all steps done"
        return f"step {self.index + 1} of {len(STEPS)}: {step.title}"
