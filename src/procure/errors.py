"""Domain errors; the CLI turns them into messages and exit codes, never tracebacks."""

from __future__ import annotations

from dataclasses import dataclass


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
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"


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
