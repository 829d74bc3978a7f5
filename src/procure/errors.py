"""Domain errors; the CLI turns them into messages and exit codes, never tracebacks."""

from __future__ import annotations

from dataclasses import dataclass

MAX_MESSAGE = 400  # characters of one error line's message; longer ones are cut


def excerpt(value: object, limit: int = 60) -> str:
    """A value as short, single-line text for an error message: never a whole file or number."""
    text = " ".join(str(value).split())
    return text if len(text) <= limit else f"{text[: limit - 1]}… ({len(text):,} characters)"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, located as precisely as the parser allows."""

    file: str
    message: str
    field: str = ""
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        field = f" {excerpt(self.field, 80)}:" if self.field else ""
        return f"{excerpt(where, 200)}:{field} {excerpt(self.message, MAX_MESSAGE)}"


class ProcureError(Exception):
    """Base of every error the CLI reports without a traceback."""

    exit_code = 1


class InputError(ProcureError):
    """Bad input: usage, YAML syntax or validation. Exit code 2."""

    exit_code = 2

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class InfeasibleError(ProcureError):
    """No award satisfies the constraints. Exit code 3; the message says why."""

    exit_code = 3


class FieldError(ValueError):
    """A validation error about a field below the model that raised it (path is relative)."""

    def __init__(self, path: tuple[str | int, ...], message: str) -> None:
        self.path = path
        super().__init__(message)
