"""Monte-Carlo inventory simulation: any replenishment policy, all items and replications at once.

=====================  =====================================================================
module                 what it holds
=====================  =====================================================================
:mod:`.system`         what is simulated: policies, supply, stocking, demand changes, settings
:mod:`.demand`         compound (occurrence × size) demand models and replayed demand paths
:mod:`.sampling`       drawing demand day by day, only for the occurrences that happen
:mod:`.supply`         lead-time tables per source, order crossover, supplier outages
:mod:`.streams`        the random streams, arranged for common random numbers
:mod:`.lots`           FEFO lots and expiry write-off
:mod:`.engine`         :func:`~.engine.simulate`: the vectorised day loop
:mod:`.result`         totals, KPIs per item and pooled, spread across replications
:mod:`.analytic`       closed forms the simulator reproduces (tests, teaching)
:mod:`.reference`      the same model as a plain per-row Python loop (tests, benchmark peer)
=====================  =====================================================================

Pure numpy/scipy: no IO, no pandas, randomness only from the caller's
:class:`numpy.random.Generator`.
"""
