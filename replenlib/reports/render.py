"""Render parameterised report notebooks to self-contained offline HTML.

Layer 3 (touches files and starts processes). The flow of :func:`render_notebook`:

1. **Execute** the notebook with papermill, called from Python, in a kernel whose environment
   is the current one plus ``PLOTLY_RENDERER=notebook`` plus the caller's ``env``. The variables
   reach only the kernel process: papermill forwards ``kernel_manager_class`` and ``config`` to
   nbclient, which builds a :class:`replenlib.reports.kernel.ReportKernelManager` that merges
   them into the environment it launches the kernel with. ``os.environ`` is never modified and
   the process never changes directory (papermill's ``cwd`` argument would ``chdir``).
2. **Clean the outputs**: remove ``<script src="http…">`` / ``<link href="http…">`` tags from
   ``text/html`` outputs (plotly's ``notebook`` renderer adds a MathJax CDN tag to every
   figure) and keep only the first embedded copy of plotly.js (≈ 5 MB).
3. **Export** with nbconvert's ``HTMLExporter`` and the ``offline`` template (next to this
   module, in ``templates/offline``): inputs and prompts hidden; the template empties the lab
   template's require.js, MathJax, mermaid.js and ipywidgets blocks, and adds a header, footer
   and print-friendly CSS.
4. **Check** that the document loads nothing from the network (:func:`external_resources`).
5. **Write atomically**: a ``.tmp-*`` file in the output folder, ``fsync``, ``os.replace``.

On any failure a :class:`~replenlib.errors.ReportError` with a one-line message is raised,
nothing at ``output_html`` is created or changed and no temporary file is left behind. If the
notebook was executed (even partly), the executed notebook is kept next to the output as
``.failed-<report name>.ipynb`` for debugging; the message says so. A later successful render
of the same report removes that file.

papermill, nbconvert and jupyter_client are imported inside the functions that use them, so
importing this module (for :func:`report_path`, say) keeps the ``replen`` CLI fast.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from replenlib import __version__
from replenlib.errors import ReportError

if TYPE_CHECKING:
    from nbformat import NotebookNode

logger = logging.getLogger(__name__)

TEMPLATE_DIR = Path(__file__).parent / "templates"
"""Folder holding nbconvert templates shipped with replenlib."""

TEMPLATE_NAME = "offline"
"""nbconvert template used for reports: the lab template without any CDN script."""

KERNEL_ENV: Mapping[str, str] = {"PLOTLY_RENDERER": "notebook"}
"""Environment every report kernel gets (the caller's ``env`` may add to it)."""

HIDDEN_TAG = "report-hidden"
"""Cells with this tag (e.g. a notebook's introduction for analysts) are left out of reports."""

_EXTERNAL = r"""["']?\s*(?:https?:)?//"""
_EXTERNAL_TAGS = re.compile(
    rf"<script\b[^>]*\bsrc\s*=\s*{_EXTERNAL}[^>]*>\s*</script\s*>"
    rf"|<link\b[^>]*\bhref\s*=\s*{_EXTERNAL}[^>]*>",
    re.IGNORECASE,
)
_EXTERNAL_LOADS = re.compile(
    rf"<script\b[^>]*\bsrc\s*=\s*{_EXTERNAL}"
    rf"|<link\b[^>]*\bhref\s*=\s*{_EXTERNAL}"
    rf"|@import\s+(?:url\(\s*)?{_EXTERNAL}"
    rf"|\bimport\s*\(\s*{_EXTERNAL}",
    re.IGNORECASE,
)
_PLOTLYJS_MARK = "plotly.js v"
_PLOTLYJS_BUNDLE = re.compile(r"<script\b[^>]*>\s*/\*\*\s*\*\s*plotly\.js v.*?</script\s*>", re.S)


@dataclass(frozen=True)
class RenderResult:
    """What :func:`render_notebook` produced.

    Attributes
    ----------
    path : Path
        The written HTML report (absolute).
    seconds : float
        Wall time of execution, export and writing [s].
    n_cells : int
        Code cells executed, papermill's injected parameters cell included.
    n_bytes : int
        Size of the written report [bytes].
    """

    path: Path
    seconds: float
    n_cells: int
    n_bytes: int


def report_path(reports_dir: Path, name: str, day: date, lang: str = "en") -> Path:
    """Return the path of report ``name`` for ``day``: ``<dir>/<name>-<YYYY-MM-DD>[.lang].html``.

    Parameters
    ----------
    reports_dir : Path
        The reports folder (usually ``reports/``).
    name : str
        Report name, e.g. ``"kpi"``; letters, digits, ``-`` and ``_`` only.
    day : date
        The business day the report is about.
    lang : str, default "en"
        Language code; added before ``.html`` unless it is ``"en"``.

    Returns
    -------
    Path
        For example ``reports/kpi-2026-09-30.html`` or ``reports/kpi-2026-09-30.zh.html``.

    Examples
    --------
    >>> report_path(Path("reports"), "kpi", date(2026, 9, 30), lang="zh").as_posix()
    'reports/kpi-2026-09-30.zh.html'
    """
    if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
        raise ValueError(f"report name {name!r}: use letters, digits, '-' and '_' only")
    if not re.fullmatch(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?", lang):
        raise ValueError(f"language code {lang!r}: expected e.g. 'en', 'zh' or 'zh-Hans'")
    suffix = "" if lang == "en" else f".{lang}"
    return reports_dir / f"{name}-{day.isoformat()}{suffix}.html"


def render_notebook(
    notebook: Path,
    output_html: Path,
    parameters: Mapping[str, Any],
    *,
    kernel_name: str = "python3",
    timeout_s: int = 600,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    title: str | None = None,
    stamp: str | None = None,
) -> RenderResult:
    """Execute a parameterised notebook and write it as one self-contained offline HTML file.

    Parameters
    ----------
    notebook : Path
        The report notebook; it has a cell tagged ``parameters``.
    output_html : Path
        Where the report goes (see :func:`report_path`); its folder is created if needed.
    parameters : Mapping[str, Any]
        Values injected by papermill; every name must be declared in the parameters cell.
        Use JSON-like values (dates as ISO strings). ``title`` and ``lang``, when present,
        also set the report header and the page's language.
    kernel_name : str, default "python3"
        Jupyter kernel to run the notebook in.
    timeout_s : int, default 600
        Per-cell execution timeout [s] (papermill has no whole-notebook timeout).
    cwd : Path, optional
        Working folder of the kernel; defaults to the notebook's folder.
    env : Mapping[str, str], optional
        Extra environment variables for the kernel (e.g. ``PYTHONPATH``), on top of the
        current environment and :data:`KERNEL_ENV`.
    title : str, optional
        Report title for the header; defaults to ``parameters["title"]`` or the file name.
    stamp : str, optional
        A line under the title saying what the report is about (run id, data freshness,
        policy version: see :func:`replenlib.reports.runner.render_report`).

    Returns
    -------
    RenderResult

    Raises
    ------
    ReportError
        Unknown parameter, failing cell, timeout, dead kernel, export or write failure. Nothing
        is written at ``output_html`` in that case.
    """
    started = time.perf_counter()
    notebook, output_html = notebook.resolve(), output_html.resolve()
    _check_parameters(notebook, parameters)
    kernel_env = {**KERNEL_ENV, **(env or {})}
    with tempfile.TemporaryDirectory(prefix="replen-render-") as work:
        executed = Path(work) / notebook.name
        nb = _execute(
            notebook,
            executed,
            parameters,
            kernel_name,
            timeout_s,
            cwd or notebook.parent,
            kernel_env,
            output_html,
        )
        try:
            html = _export_html(nb, notebook, parameters, title, stamp)
            n_bytes = _write_atomic(output_html, html)
        except ReportError as exc:
            raise ReportError(f"{exc}{_keep_failed(executed, output_html)}") from exc
    _failed_notebook_path(output_html).unlink(missing_ok=True)
    seconds = time.perf_counter() - started
    n_cells = sum(1 for c in nb.cells if c.cell_type == "code" and c.get("execution_count"))
    logger.info(
        "rendered %s -> %s (%d code cells, %.1f s, %.2f MB)",
        notebook.name,
        output_html,
        n_cells,
        seconds,
        n_bytes / 1e6,
    )
    return RenderResult(path=output_html, seconds=seconds, n_cells=n_cells, n_bytes=n_bytes)


def _check_parameters(notebook: Path, parameters: Mapping[str, Any]) -> None:
    """Refuse a missing notebook and parameters the notebook does not declare (typos)."""
    import papermill

    if not notebook.is_file():
        raise ReportError(f"report notebook {notebook} does not exist")
    try:
        declared = papermill.inspect_notebook(str(notebook))
    except Exception as exc:
        message = f"report notebook {notebook.name} cannot be read: {_describe(exc)}"
        raise ReportError(message) from exc
    unknown = sorted(set(parameters) - set(declared))
    if unknown:
        known = ", ".join(declared) or "none: no cell is tagged 'parameters'"
        raise ReportError(
            f"report notebook {notebook.name} has no parameter {', '.join(map(repr, unknown))} "
            f"(declared: {known})"
        )


class _CellTracker:
    """nbclient ``on_cell_start`` hook that remembers the code cell being executed."""

    def __init__(self) -> None:
        self.cell: NotebookNode | None = None

    def __call__(self, cell: NotebookNode, cell_index: int, **_: Any) -> None:
        self.cell = cell


def _execute(
    notebook: Path,
    executed: Path,
    parameters: Mapping[str, Any],
    kernel_name: str,
    timeout_s: int,
    cwd: Path,
    kernel_env: Mapping[str, str],
    output_html: Path,
) -> NotebookNode:
    """Run ``notebook`` with papermill into ``executed``; one-line ReportError on failure."""
    import papermill
    from traitlets.config import Config

    from replenlib.reports.kernel import ReportKernelManager

    config = Config()
    config.ReportKernelManager.extra_env = dict(kernel_env)
    config.ReportKernelManager.launch_cwd = str(cwd)
    tracker = _CellTracker()
    logger.info("executing %s with parameters %s", notebook.name, dict(parameters))
    try:
        nb: NotebookNode = papermill.execute_notebook(
            str(notebook),
            str(executed),
            parameters=dict(parameters),
            kernel_name=kernel_name,
            progress_bar=False,
            log_output=False,
            execution_timeout=timeout_s,
            kernel_manager_class=ReportKernelManager,
            config=config,
            on_cell_start=tracker,
        )
    except Exception as exc:
        where = _describe_cell(notebook, tracker.cell)
        raise ReportError(
            f"report notebook {notebook.name} failed{where}: {_describe(exc, timeout_s)}"
            f"{_keep_failed(executed, output_html)}"
        ) from exc
    return nb


def _describe_cell(notebook: Path, cell: NotebookNode | None) -> str:
    """Return `` in cell 3 (`first source line`)`` for the failing cell, numbered as in the file."""
    if cell is None:
        return " before any cell ran"
    first = next((ln.strip() for ln in cell.source.splitlines() if ln.strip()), "")
    first = first if len(first) <= 80 else first[:77] + "..."
    if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
        return f" in papermill's injected parameters cell (`{first}`)"
    cell_id = cell.get("id")
    source_ids = [c.get("id") for c in json.loads(notebook.read_text(encoding="utf-8"))["cells"]]
    if cell_id and cell_id in source_ids:  # nbformat >= 4.5 cells keep their id through papermill
        return f" in cell {source_ids.index(cell_id) + 1} (`{first}`)"
    return f" in the cell starting `{first}`"


def _describe(exc: BaseException, timeout_s: int | None = None) -> str:
    """One line ``Name: message`` for an exception, using the kernel's error when there is one."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        name, message = exc.ename, exc.evalue
    elif isinstance(exc, CellTimeoutError):
        name, message = "CellTimeoutError", f"no result after {timeout_s} s (per-cell timeout)"
    elif isinstance(exc, DeadKernelError):
        name, message = "DeadKernelError", "the kernel died (out of memory, or os._exit?)"
    else:
        name, message = type(exc).__name__, str(exc)
    lines = [ln.strip() for ln in str(message).splitlines() if ln.strip()]
    text = lines[0] if lines else ""
    text = text if len(text) <= 200 else text[:197] + "..."
    return f"{name}: {text}" if text else name


def _failed_notebook_path(output_html: Path) -> Path:
    """Where the executed notebook of a failed render of ``output_html`` is kept."""
    return output_html.with_name(f".failed-{output_html.stem}.ipynb")


def _keep_failed(executed: Path, output_html: Path) -> str:
    """Move the executed notebook next to the report; return a message suffix saying where."""
    if not executed.is_file():
        return " (no executed notebook to keep)"
    kept = _failed_notebook_path(output_html)
    try:
        kept.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(executed, kept)
    except OSError as exc:
        logger.warning("could not keep the failed notebook at %s: %s", kept, exc)
        return " (the executed notebook could not be kept)"
    return f" (executed notebook kept at {kept})"


def _clean_outputs(nb: NotebookNode) -> None:
    """Strip external script/link tags from HTML outputs; keep only the first plotly.js copy."""
    removed, seen_plotlyjs, dropped = 0, False, 0
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            html = output.get("data", {}).get("text/html")
            if html is None:
                continue
            text = "".join(html) if isinstance(html, list) else html
            text, n = _EXTERNAL_TAGS.subn("", text)
            removed += n
            if seen_plotlyjs:
                text, n = _PLOTLYJS_BUNDLE.subn("", text)
                dropped += n
            seen_plotlyjs = seen_plotlyjs or _PLOTLYJS_MARK in text
            output["data"]["text/html"] = text
    if "widgets" in nb.metadata:
        logger.warning("the notebook displayed ipywidgets: they do not work in a static report")
    logger.debug("removed %d external tags and %d extra plotly.js copies", removed, dropped)


def external_resources(html: str) -> list[str]:
    """Return snippets of everything in ``html`` that a browser would fetch from the network.

    Looks for ``<script src>`` and ``<link href>`` pointing at ``http(s)://`` or ``//``, CSS
    ``@import`` of such URLs and JavaScript dynamic ``import("http…")``. URLs that are only
    text (links, strings inside plotly.js such as map-tile servers) are not counted.

    Parameters
    ----------
    html : str
        A rendered HTML document.

    Returns
    -------
    list[str]
        Up to 100 characters from each match; empty for a self-contained document.
    """
    return [html[m.start() : m.start() + 100] for m in _EXTERNAL_LOADS.finditer(html)]


def _export_html(
    nb: NotebookNode,
    notebook: Path,
    parameters: Mapping[str, Any],
    title: str | None,
    stamp: str | None = None,
) -> str:
    """Export the executed notebook to HTML with the offline template, inputs hidden."""
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    _clean_outputs(nb)
    heading = title or str(parameters.get("title") or notebook.stem.replace("_", " "))
    nb.metadata["title"] = heading
    exporter = HTMLExporter(  # type: ignore[no-untyped-call]
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATE_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
    )
    # notes for analysts (a notebook's English introduction, say) stay out of the report
    hide = TagRemovePreprocessor(remove_cell_tags={HIDDEN_TAG}, enabled=True)  # type: ignore[no-untyped-call]
    exporter.register_preprocessor(hide, enabled=True)  # type: ignore[no-untyped-call]
    lang = parameters.get("lang")
    if isinstance(lang, str):
        exporter.language_code = lang.split("-")[0]
    replen = {**_header(heading, notebook, parameters), "stamp": stamp or ""}
    resources = {"metadata": {"name": notebook.stem}, "replen": replen}
    try:
        html, _ = exporter.from_notebook_node(nb, resources=resources)
    except Exception as exc:
        raise ReportError(
            f"report notebook {notebook.name} could not be exported to HTML: {_describe(exc)}"
        ) from exc
    found = external_resources(html)
    if found:
        raise ReportError(
            f"report {notebook.name} would load {len(found)} resource(s) from "
            f"the network, first: {found[0]!r}"
        )
    return str(html)


def _header(heading: str, notebook: Path, parameters: Mapping[str, Any]) -> dict[str, str]:
    """Texts of the template's header and footer blocks, in the report's language."""
    from replenlib.i18n import LANGUAGES, label

    lang = str(parameters.get("lang", "en"))
    lang = lang if lang in LANGUAGES else "en"
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    shown = ", ".join(f"{k}={_short(v)}" for k, v in parameters.items()) or label("defaults", lang)
    return {
        "title": heading,
        "version": __version__,
        "subtitle": f"{label('generated', lang)} {stamp} · replenlib {__version__}",
        "footer": f"{label('source', lang)}: {notebook.name} · {label('parameters', lang)}: {shown}",
    }


def _short(value: Any) -> str:
    """A parameter value shortened for the footer."""
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _write_atomic(path: Path, text: str) -> int:
    """Write ``text`` to ``path`` via a ``.tmp-`` file in the same folder and ``os.replace``."""
    data = text.encode("utf-8")
    tmp: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".tmp-{path.stem}-", suffix=".html", dir=path.parent)
        tmp = Path(name)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.chmod(0o644)
        tmp.replace(path)  # atomic on POSIX: readers see the old or the new report
    except OSError as exc:
        if tmp is not None:
            with contextlib.suppress(OSError):
                tmp.unlink()
        raise ReportError(f"could not write report {path}: {_describe(exc)}") from exc
    return len(data)
