"""Sphinx configuration of the replenlib guide, methods and API reference.

Built by ``make docs`` (``sphinx-build -W --keep-going -b html docs site``) with no network:
the theme (furo) ships its assets, formulas are rendered by a vendored MathJax 3 (SVG output,
so no web fonts) in ``_static/mathjax``, and nothing is fetched from a CDN at build or view
time. Guide pages are MyST Markdown; the API reference is autodoc + numpydoc over the
library's docstrings (which use reStructuredText roles such as ``:math:`` and ``:class:``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PLOTLY_RENDERER", "notebook")

project = "replenlib"
author = "replenlib maintainers"
copyright = "replenlib maintainers"
release = "0.1.0"

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
]

source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
exclude_patterns = ["_build", "README.md", "**/README.md"]
root_doc = "index"

# MyST: $…$ math, heading anchors for in-page links, ::: fences for admonitions
myst_enable_extensions = ["dollarmath", "colon_fence", "deflist"]
myst_heading_anchors = 3

# autodoc + numpydoc: signatures without long type unions; members in source order
autodoc_member_order = "bysource"
autodoc_typehints = "none"
autodoc_default_options = {"members": True, "show-inheritance": False}
autodoc_preserve_defaults = True
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks: set[str] = set()

# Offline formulas: MathJax 3, SVG output, vendored (Apache-2.0, _static/mathjax/LICENSE)
mathjax_path = "mathjax/tex-svg-full.js"
mathjax3_config = {
    "options": {"enableMenu": False},
    "svg": {"fontCache": "global"},
}

html_theme = "furo"
html_title = "replenlib"
html_static_path = ["_static"]
html_css_files = ["replenlib.css"]
html_show_sourcelink = False
html_theme_options = {
    "navigation_with_keys": True,
    "footer_icons": [],
}
html_last_updated_fmt = None

# Warnings are errors in `make docs`; these are the only ones we accept on purpose.
suppress_warnings: list[str] = []
nitpicky = False
