"""replenlib.demand — the demand layer, pure array computation over whole panels.

==================  ==========================================================================
module              what it does
==================  ==========================================================================
``segmentation``    Syntetos–Boylan classes (ADI / CV² from each series' first demand)
``segments``        ABC by value and volume, XYZ, lifecycle; one :class:`Segments` result
``paths``           :class:`PanelPath`: a forecaster's state at every origin, forecasts from it
``smoothing``       SES, Holt, damped Holt, additive Holt–Winters (one vectorised recursion)
``intermittent``    Croston, SBA, TSB (recursions and loop-free closed forms)
``baselines``       naive, seasonal naive, historic average
``ets_fit``         per-series parameters and model (AICc) fitted for the whole panel at once
``new_items``       launch profiles of a category or analogue, scaled by early sales
``forecasters``     every method behind ``fit`` / ``predict`` / ``forecast``
``reference``       statsmodels per-series fitting (reference path)
``metrics``         MAE, bias, MASE, RMSSE, scaled pinball, scaled periods in stock
``backtest``        rolling-origin evaluation and method choice by evidence
``overlay``         known future demand (surgeries, tenders) without double counting
``lead_time``       demand over lead time + review period: parametric and bootstrap
``distributions``   :class:`DemandDistribution`, the contract with the policy layer
``panel``           :func:`plan_demand`: segments → backtests → choice → forecasts → LTD
``synthetic``       simulated panels with known parameters (tests, benchmarks)
==================  ==========================================================================

Conventions: panels are ``(series, periods)`` float arrays, oldest first, non-negative; NaN
marks a period before a series starts (leading) or a missing one (interior) — see
:mod:`replenlib.demand.smoothing` for the rules every forecaster shares.
"""
