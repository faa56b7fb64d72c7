"""What the table checker reports: one problem per line, each naming where it is and the fix.

A problem is data, not an exception, so the checker can report every problem of a table
at once and a user fixes them in one pass instead of one per run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class ProblemKind(StrEnum):
    BAD_DECLARATION = "bad-declaration"
    MISSING_CELL = "missing-cell"
    UNKNOWN_CELL = "unknown-cell"
    BAD_CELL = "bad-cell"
    UNDECLARED_TARGET = "undeclared-target"
    ELSE_NOT_LAST = "else-not-last"
    NOT_CALLABLE = "not-callable"
    UNREACHABLE = "unreachable"
    TRAP = "trap"
    NO_DOMAIN = "no-domain"
    DOMAIN_ERROR = "domain-error"
    RAISED = "raised"
    OVERLAP = "overlap"
    INVALID_ARRIVES = "invalid-arrives"
    NO_INFER = "no-infer"
    INFER_ERROR = "infer-error"
    INFER_MISMATCH = "infer-mismatch"
    INFER_AMBIGUOUS = "infer-ambiguous"
    DECLARATION = "declaration"  # a state entered while the broker holds what it does not declare
    BAD_RETURN = "bad-return"  # an action returned something that is not a list of intents


@dataclass(frozen=True, slots=True)
class Problem:
    """``state`` and ``event`` are ``None`` when the problem is not about one of them."""

    strategy: str
    kind: ProblemKind
    state: str | None
    event: str | None
    message: str
    fix: str

    def __str__(self) -> str:
        return f"{self.strategy}: {self.where()}: {self.kind}: {self.message}; fix: {self.fix}"

    def where(self) -> str:
        if self.event is None:
            return f"state {self.state}" if self.state is not None else "table"
        return f"state {self.state}, event {self.event}"


def format_problems(strategy: str, problems: Sequence[Problem]) -> str:
    """The checker's report: every problem on its own line, then a count."""
    if not problems:
        return f"{strategy}: table checked, no problems"
    noun = "problem" if len(problems) == 1 else "problems"
    return "\n".join([*map(str, problems), f"{strategy}: {len(problems)} {noun}"])
