"""A Jupyter kernel manager that starts the kernel with an extra environment and working folder.

papermill starts the kernel through nbclient, which inherits the environment and working
directory of the current process and offers no argument for either. Rather than mutating
``os.environ`` (process-wide, racy when several reports render in threads) or letting papermill
``chdir`` the whole process, :func:`replenlib.reports.render.render_notebook` passes this class
as nbclient's ``kernel_manager_class`` and configures it through a traitlets ``Config``::

    config = Config()
    config.ReportKernelManager.extra_env = {"PLOTLY_RENDERER": "notebook"}
    config.ReportKernelManager.launch_cwd = "/abs/folder"
    papermill.execute_notebook(..., kernel_manager_class=ReportKernelManager, config=config)

papermill forwards unknown keyword arguments to nbclient's ``NotebookClient``, which builds the
kernel manager with that config. Only the kernel process sees the extra variables.

Importing this module imports jupyter_client; import it lazily from the code that renders.
"""

from __future__ import annotations

import os
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from traitlets import Dict, Unicode


class ReportKernelManager(AsyncKernelManager):
    """Async kernel manager that merges ``extra_env`` into the kernel's environment.

    Attributes
    ----------
    extra_env : dict[str, str]
        Variables set for the kernel process on top of the current process's environment.
    launch_cwd : str
        Working folder of the kernel process; empty means the current process's folder.
    """

    extra_env = Dict(
        value_trait=Unicode(), help="Variables added to the kernel's environment."
    ).tag(config=True)
    launch_cwd = Unicode("", help="Working folder of the kernel process.").tag(config=True)

    # jupyter_client types start_kernel as the synchronous KernelManager's; the async manager
    # rebinds it to a coroutine function (with its own type: ignore), and so do we.
    async def start_kernel(self, **kw: Any) -> None:  # type: ignore[override]
        """Start the kernel with ``extra_env`` merged into its environment.

        Parameters
        ----------
        **kw
            Passed on to :meth:`jupyter_client.AsyncKernelManager.start_kernel`; an ``env``
            given here is the base that ``extra_env`` is merged into.
        """
        env = dict(kw.pop("env", None) or os.environ)
        env.update(self.extra_env)
        kw["env"] = env
        if self.launch_cwd:
            kw.setdefault("cwd", self.launch_cwd)
        await super().start_kernel(**kw)
