"""Exit statuses: each fault class has the status documented in replenlib.errors."""

from __future__ import annotations

import importlib
import pkgutil

import replenlib
from replenlib.errors import ReplenError

DOCUMENTED = {
    "ReplenError": 1,
    "DatabaseMissingError": 3,
    "DatabaseLockedError": 4,
    "SchemaVersionError": 5,
    "InputDataError": 6,
    "StrategyError": 6,
    "ReportError": 7,
    "AuditError": 8,
    "ExportError": 9,
    "ApprovalError": 10,
    "PolicyVersionError": 11,
    "PolicyRequestError": 11,
    "AlertError": 12,
    "NightlyRunningError": 13,
}


def _all_subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _all_subclasses(sub)
    return found


def test_every_fault_has_its_documented_exit_status() -> None:
    for module in pkgutil.walk_packages(replenlib.__path__, "replenlib."):
        importlib.import_module(module.name)
    classes = {c.__name__: c.exit_code for c in _all_subclasses(ReplenError)} | {"ReplenError": 1}
    undocumented = {name: code for name, code in classes.items() if name not in DOCUMENTED}
    # a subclass that inherits its parent's status is fine; a new status must be documented
    assert all(code in DOCUMENTED.values() for code in undocumented.values()), undocumented
    for name, code in DOCUMENTED.items():
        assert classes[name] == code, name
