"""Traceability arithmetic: lot status and usable stock, FEFO, expiry risk, cold chain, recalls.

Pure array functions (no store, no IO): :mod:`.lots` (status precedence, usable stock),
:mod:`.fefo` (first expired, first out), :mod:`.expiry` (stock expected to expire unsold),
:mod:`.coldchain` (time outside range, gaps as unknown exposure, mean kinetic temperature),
:mod:`.serials` (serial bookkeeping checks) and :mod:`.recall` (selectors, lot balance,
replenishment need after a quarantine). The store-facing side is
:mod:`replenlib.store.trace_index`, :mod:`replenlib.store.recall_scope`,
:mod:`replenlib.store.lot_state`, :mod:`replenlib.store.coldchain_data`,
:mod:`replenlib.store.trace_write` and :mod:`replenlib.store.recall_actions`.
"""
