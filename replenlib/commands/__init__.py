"""CLI command groups of the domain packages, one module each, registered by :mod:`replenlib.cli`.

A module here imports only :mod:`click` (and light standard-library modules) at import time;
everything heavy is imported inside the command functions, so ``replen --help`` stays instant.
Each module exposes the click commands or groups listed in :data:`replenlib.cli.PLUGINS`.
"""
