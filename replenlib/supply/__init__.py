"""Supply arithmetic: supplier scorecards and grades, lead-time statistics, sourcing decisions.

Pure array functions (no store, no IO): :mod:`.scorecard` (on-time delivery, quantity fill,
inspection pass rate, cold-chain excursion rate, lead-time reliability, price → score → grade
A/B/C/D with trend), :mod:`.lead_time` (empirical and fitted lead-time distributions, the
credibility-blended lead time policy uses) and :mod:`.sourcing` (primary/backup, split rules,
switch suggestions). The store-facing side is :mod:`replenlib.store.supplier_data` and
:mod:`replenlib.store.sourcing_data`.
"""
