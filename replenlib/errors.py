"""Exceptions for faults a user can fix; the CLI prints them as one line, never a traceback.

Every fault has its own exit status, so a scheduler can tell them apart:

====  ======================================================  ==================================
exit  fault                                                   class
====  ======================================================  ==================================
1     other expected fault (the message says what)            :class:`ReplenError`
2     wrong command-line usage                                (click)
3     no store at the path                                    :class:`DatabaseMissingError`
4     store locked by another process too long                :class:`DatabaseLockedError`
5     store of a newer replenlib, or not a replenlib store    :class:`SchemaVersionError`
6     input data or a strategy violates an expectation        :class:`InputDataError`,
                                                              ``policy.strategy.StrategyError``
7     a report failed to render (nothing written)             :class:`ReportError`
8     the audit trail failed verification or export           ``governance.audit.AuditError``
9     an export could not be written (nothing written)        ``governance.files.ExportError``
10    an approval the rules refuse                            ``governance.approvals.ApprovalError``
11    a policy version or request the rules refuse            ``governance.policy_versions``,
                                                              ``governance.policy_requests``
12    an alert that does not exist or cannot change           ``governance.alerts.AlertError``
13    another scheduled night is still running                ``pipeline.scheduled.NightlyRunningError``
====  ======================================================  ==================================
"""

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
