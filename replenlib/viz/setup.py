"""Plotly set-up for notebooks whose figures must survive HTML export and work offline.

Under papermill, plotly's automatic renderer choice (``plotly_mimetype``) emits only a JSON
mimetype that nbconvert drops: the chart silently disappears from the HTML report. The
``notebook`` renderer instead embeds plotly.js once (as the output of the first figure's
cell) and every figure as ``text/html`` that draws without network access.

Report notebooks call :func:`use_offline_renderer` in their first cell after the parameters,
so they render correctly whether they run under :func:`replenlib.reports.render.render_notebook`
(which already sets ``PLOTLY_RENDERER=notebook`` for the kernel) or anywhere else.
"""

from __future__ import annotations

import logging

OFFLINE_RENDERER = "notebook"
"""Plotly renderer that embeds plotly.js in the notebook instead of loading it from a CDN."""

logger = logging.getLogger(__name__)


def use_offline_renderer() -> None:
    """Make plotly's default renderer embed plotly.js, so charts survive offline HTML export.

    Idempotent: plotly re-embeds its ≈ 5 MB bundle every time the default renderer is
    *assigned*, even to the same value, so the assignment only happens when the renderer is
    not already ``"notebook"`` (for instance because the kernel was started with
    ``PLOTLY_RENDERER=notebook``).

    Examples
    --------
    >>> from replenlib.viz.setup import use_offline_renderer
    >>> use_offline_renderer()
    >>> import plotly.io as pio
    >>> pio.renderers.default
    'notebook'
    """
    import plotly.io as pio

    if pio.renderers.default == OFFLINE_RENDERER:
        logger.debug("plotly renderer already %r", OFFLINE_RENDERER)
        return
    logger.debug("plotly renderer %r -> %r", pio.renderers.default, OFFLINE_RENDERER)
    pio.renderers.default = OFFLINE_RENDERER
