"""Exit codes and the exceptions that map onto them.

Every failure a user can cause or meet is an `ImgvarError` with a one-line
message; the CLI prints that line and exits with the error's code. Anything
else is a bug and exits with `ExitCode.INTERNAL`.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    INTERNAL = 1  # a bug: rerun with --debug for the traceback
    USAGE = 2  # bad option, empty prompt, bad configuration
    BAD_INPUT = 3  # missing, unreadable, corrupt or oversized image
    ENGINE = 4  # an engine or stage failed
    BUDGET = 5  # a paid call was refused by the cost limits
    CONTENT = 6  # the provider refused the content
    OUTPUT = 7  # the result or the store could not be written
    INTERRUPTED = 130  # Ctrl-C


# The word each exit code goes by in JSON output ("error": {"kind": ...}).
ERROR_KINDS = {ExitCode.INTERNAL: "internal", ExitCode.USAGE: "usage", ExitCode.BAD_INPUT: "bad_input",
               ExitCode.ENGINE: "engine", ExitCode.BUDGET: "budget", ExitCode.CONTENT: "content_refused",
               ExitCode.OUTPUT: "output", ExitCode.INTERRUPTED: "interrupted"}


class ImgvarError(Exception):
    """A failure with a message meant for the user and a documented exit code."""

    exit_code: ExitCode = ExitCode.INTERNAL

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message} ({self.hint})"


class UsageError(ImgvarError):
    exit_code = ExitCode.USAGE


class ConfigError(UsageError):
    pass


class BadInputError(ImgvarError):
    exit_code = ExitCode.BAD_INPUT


class EngineError(ImgvarError):
    exit_code = ExitCode.ENGINE


class StageError(EngineError):
    """An unexpected failure inside one stage; names the stage."""

    def __init__(self, stage: str, cause: BaseException) -> None:
        detail = str(cause) or type(cause).__name__
        super().__init__(f"stage '{stage}' failed: {detail}")
        self.stage = stage


class BudgetError(ImgvarError):
    exit_code = ExitCode.BUDGET


class ContentRefusedError(ImgvarError):
    exit_code = ExitCode.CONTENT


class OutputError(ImgvarError):
    exit_code = ExitCode.OUTPUT


class StoreError(OutputError):
    pass
