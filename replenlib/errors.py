"""Exceptions for faults a user can fix; the CLI prints them as one line, never a traceback."""

from __future__ import annotations


class ReplenError(Exception):
    """A fault the user can act on. ``exit_code`` is what the CLI exits with."""

    exit_code: int = 1


class DatabaseMissingError(ReplenError):
    """The store file does not exist (run ``replen demo`` or import data first)."""

    exit_code = 3


class DatabaseLockedError(ReplenError):
    """Another process holds the store (or its writer lock) longer than we were willing to wait."""

    exit_code = 4


class SchemaVersionError(ReplenError):
    """The store was written by a newer replenlib, or is not a replenlib store at all."""

    exit_code = 5


class InputDataError(ReplenError):
    """Input data violates an expectation; the message names file, row, column and expectation."""

    exit_code = 6


class ReportError(ReplenError):
    """A report failed to render; no partial report was written."""

    exit_code = 7
