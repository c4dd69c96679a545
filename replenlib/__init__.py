"""replenlib: replenishment decision support for medical-device supply chains.

The package is layered (see ``../shared/STYLE.md`` in the design notes and the import-linter
contracts in ``pyproject.toml``):

* computation: :mod:`replenlib.demand`, :mod:`replenlib.policy`, :mod:`replenlib.sim`,
  :mod:`replenlib.kpi` — pure array functions and thin parameter objects;
* storage and input: :mod:`replenlib.store`, :mod:`replenlib.io`;
* presentation: :mod:`replenlib.viz`, :mod:`replenlib.widgets`, :mod:`replenlib.reports`;
* pipelines: :mod:`replenlib.pipeline` and the ``replen`` command line (:mod:`replenlib.cli`).

Importing :mod:`replenlib` is cheap; heavy libraries are imported by the modules that use them.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("replenlib")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
