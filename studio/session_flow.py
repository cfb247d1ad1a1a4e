"""The guided sequence of a session, as a model with no Qt: which step it is at, and how each step ended
(done with a short result, or skipped). Every step can be skipped; the sequence only moves forward."""

from __future__ import annotations

from dataclasses import dataclass

SKIPPED = "skipped"


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    hint: str  # what the operator does in this step


STEPS = (
    Step("client", "Client code", "Type the client's pseudonymous code (never a name)."),
    Step("consent", "Consent", "Tick what the client agreed to."),
    Step("baseline", "Baseline", "The client rests while every channel records a resting profile."),
    Step("sam_before", "Self-report before", "The client rates how they feel now (1-9)."),
    Step("running", "Session", "The session runs; end it when the music work is done."),
    Step("sam_after", "Self-report after", "The client rates how they feel now (1-9)."),
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
        self.complete(SKIPPED)

    def where(self) -> str:
        """Where the session stands, in a few words, e.g. ``step 3 of 8: Baseline``."""
        step = self.current
        if step is None:
            return "all steps done"
        return f"step {self.index + 1} of {len(STEPS)}: {step.title}"
