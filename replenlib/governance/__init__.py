"""Governance: policy versions, approvals, alerts, the audit trail and ERP exports.

Store-facing counterparts of the pure rules in :mod:`replenlib.plan`: every function here
takes an open store connection inside a :func:`replenlib.store.writer` (or reader) block, so
each decision is one transaction and the CLI and notebooks apply the same rules.
"""
