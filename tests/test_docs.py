"""The documentation stays true: examples run, links resolve, the public API is documented.

* Every worked example (a ```python fence in ``docs/**/*.md``) runs, and prints exactly the
  ```text fence that follows it — so a number in the methods reference is asserted here.
* Every internal link, anchor, image, toctree entry and ``{py:…}`` reference resolves.
* Every public function, class and method of the modules the API reference documents has a
  docstring; computation functions taking a physical quantity state its unit in brackets.

The site itself is built by ``make docs`` (Sphinx, warnings as errors); these checks are the
fast part that runs in ``make test``.
"""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import pytest

from tests.docs_pages import DOCS, anchors, examples, fences, normalise, outside_fences, pages
from tests.docs_pages import run_examples as run_page

PAGES = pages()
EXAMPLE_PAGES = [p for p in PAGES if examples(p.read_text(encoding="utf-8"))]
_LINK = re.compile(r"(!?)\[([^\]]*)\]\(\s*([^)\s]+)(?:\s+\"[^\"]*\")?\s*\)")
_ROLE = re.compile(r"\{(ref|doc|py:[a-z]+)\}`([^`]+)`")
_AUTOMODULE = re.compile(r"^\.\. automodule:: (\S+)", re.MULTILINE)
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)


def _id(path: Path) -> str:
    return str(path.relative_to(DOCS))


def test_the_docs_have_pages_and_examples() -> None:
    assert (DOCS / "index.md").exists()
    assert len(EXAMPLE_PAGES) >= 10, [str(p) for p in EXAMPLE_PAGES]


@pytest.mark.parametrize("page", EXAMPLE_PAGES, ids=_id)
def test_worked_examples_print_what_the_page_says(page: Path) -> None:
    results = run_page(page.read_text(encoding="utf-8"))
    checked = 0
    for example, output in results:
        if example.expected is None:
            continue
        checked += 1
        assert normalise(output) == normalise(example.expected), (
            f"{_id(page)} line {example.line}: the example prints\n{output}\n"
            f"but the page says\n{example.expected}"
        )
    assert checked, f"{_id(page)} has python examples but no ```text output to check"


# --- links ---------------------------------------------------------------------------------


def _page_anchors(path: Path) -> set[str]:
    return anchors(path.read_text(encoding="utf-8")) if path.suffix == ".md" else set()


def _all_labels() -> set[str]:
    return set().union(*(_page_anchors(p) for p in PAGES))


def _documented_modules() -> list[str]:
    found: list[str] = []
    for rst in sorted((DOCS / "api").glob("*.rst")):
        found += _AUTOMODULE.findall(rst.read_text(encoding="utf-8"))
    return found


def _resolve_python(name: str) -> object:
    """Import the object a ``{py:…}`` role names (a dotted path from ``replenlib``)."""
    parts = name.lstrip("~").split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(name)


def _link_problems(page: Path, labels: set[str], modules: set[str]) -> list[str]:
    text = page.read_text(encoding="utf-8")
    problems = []
    for number, line in outside_fences(text):
        for _, _, target in _LINK.findall(line):
            if _SCHEME.match(target):
                continue
            path_part, _, anchor = target.partition("#")
            dest = (page.parent / path_part).resolve() if path_part else page
            if not dest.exists():
                problems.append(f"line {number}: {target} — no file {dest}")
            elif anchor and anchor not in _page_anchors(dest):
                problems.append(f"line {number}: {target} — no heading or label '{anchor}'")
        for role, target in _ROLE.findall(line):
            name = target.rsplit("<", 1)[-1].rstrip(">").strip()
            if role == "ref" and name not in labels:
                problems.append(f"line {number}: {{ref}} {name} — no such label")
            elif role == "doc" and not (page.parent / f"{name}.md").exists():
                problems.append(f"line {number}: {{doc}} {name} — no such page")
            elif role.startswith("py:"):
                problems += _python_problems(number, name, modules)
    for fence in fences(text):
        if fence.info == "{toctree}":
            for entry in fence.body.split("\n"):
                entry = entry.strip()
                if entry and not entry.startswith(":"):
                    stem = page.parent / entry
                    if not (stem.with_suffix(".md").exists() or stem.with_suffix(".rst").exists()):
                        problems.append(f"toctree line {fence.line}: {entry} — no such page")
    return problems


def _python_problems(number: int, name: str, modules: set[str]) -> list[str]:
    """The name must import and be written under a module the API reference documents."""
    dotted = name.lstrip("~")
    try:
        _resolve_python(dotted)
    except (ImportError, AttributeError) as error:
        return [f"line {number}: {name} — cannot import ({error})"]
    parts = dotted.split(".")
    if not any(".".join(parts[:cut]) in modules for cut in range(len(parts), 1, -1)):
        return [f"line {number}: {name} — not under a module of the API reference"]
    return []


@pytest.mark.parametrize("page", PAGES, ids=_id)
def test_internal_links_and_references_resolve(page: Path) -> None:
    problems = _link_problems(page, _all_labels(), set(_documented_modules()))
    assert not problems, f"{_id(page)}:\n" + "\n".join(problems)


def test_every_page_is_reachable_from_a_toctree() -> None:
    listed = set()
    for page in [*PAGES, *DOCS.rglob("*.rst")]:
        for fence in fences(page.read_text(encoding="utf-8")):
            if fence.info == "{toctree}":
                for entry in fence.body.split("\n"):
                    if entry.strip() and not entry.strip().startswith(":"):
                        listed.add((page.parent / entry.strip()).resolve())
    for rst in DOCS.rglob("*.rst"):
        for entry in re.findall(r"^   (\S+)$", rst.read_text(encoding="utf-8"), re.MULTILINE):
            listed.add((rst.parent / entry).resolve())
    orphans = [
        _id(p)
        for p in [*PAGES, *DOCS.rglob("*.rst")]
        if p.name != "index.md" or p.parent != DOCS
        if p.with_suffix("").resolve() not in listed
    ]
    assert not orphans, orphans


# --- docstrings ----------------------------------------------------------------------------

#: Packages whose functions compute with physical quantities (units must be stated).
COMPUTATION = ("demand", "policy", "supply", "trace", "sim", "scenario", "plan", "kpi")
_PHYSICAL = re.compile(
    r"(lead_time|quantity|qty|cost|price|_days$|^days|stock|on_hand|on_order|position|"
    r"temperature|_c$|minutes|moq|order_multiple|usage|consumption|order_value|demand_mean|"
    r"demand_std|demand_rate|review_period|horizon_days|window_days|holding|expiry_day)"
)
_UNIT = re.compile(
    r"\[[^\]\n]*(unit|day|CNY|fraction|-\]|period|°C|K\]|min|year|week|month|order|1/)[^\]\n]*\]",
    re.IGNORECASE,
)


def _public_callables(module_name: str) -> list[tuple[str, object]]:
    module = importlib.import_module(module_name)
    found: list[tuple[str, object]] = []
    for name, obj in vars(module).items():
        if name.startswith("_") or getattr(obj, "__module__", None) != module_name:
            continue
        if inspect.isfunction(obj):
            found.append((name, obj))
        elif inspect.isclass(obj):
            found.append((name, obj))
            for attr, member in vars(obj).items():
                if attr.startswith("_"):
                    continue
                target = member.fget if isinstance(member, property) else member
                if isinstance(target, (classmethod, staticmethod)):
                    target = target.__func__
                if inspect.isfunction(target):
                    found.append((f"{name}.{attr}", target))
    return found


def _docstring_problems(module_name: str) -> list[str]:
    computation = module_name.split(".")[1] in COMPUTATION
    problems = []
    for name, obj in _public_callables(module_name):
        doc = inspect.getdoc(obj) if inspect.isclass(obj) else obj.__doc__  # type: ignore[attr-defined]
        if not doc or not doc.strip():
            problems.append(f"{module_name}.{name}: no docstring")
            continue
        if computation and inspect.isfunction(obj):
            params = [p for p in inspect.signature(obj).parameters if p not in ("self", "cls")]
            physical = [p for p in params if _PHYSICAL.search(p)]
            if physical and not _UNIT.search(doc):
                problems.append(f"{module_name}.{name}({', '.join(physical)}): no [unit]")
    return problems


def test_api_reference_lists_the_packages_notebooks_use() -> None:
    documented = set(_documented_modules())
    for needed in (
        "replenlib.store.db",
        "replenlib.io.api",
        "replenlib.demand.forecasters",
        "replenlib.demand.segmentation",
        "replenlib.demand.lead_time",
        "replenlib.policy.strategy",
        "replenlib.policy.policies",
        "replenlib.sim.engine",
        "replenlib.pipeline.scenario_stage",
        "replenlib.plan.proposals",
        "replenlib.governance.approvals",
        "replenlib.kpi.definitions",
        "replenlib.reports.render",
        "replenlib.reports.runner",
        "replenlib.viz.figures",
    ):
        assert needed in documented, needed


def test_public_api_has_docstrings_with_units() -> None:
    problems = [p for module in _documented_modules() for p in _docstring_problems(module)]
    assert not problems, "\n".join(problems)


def test_the_site_loads_nothing_from_the_network() -> None:
    """Offline at build and view time: no remote script, style, font or formula renderer."""
    conf = (DOCS / "conf.py").read_text(encoding="utf-8")
    assert re.search(r'^mathjax_path = "mathjax/[^"]+\.js"', conf, re.MULTILINE), "vendored MathJax"
    assert (DOCS / "_static" / "mathjax" / "tex-svg-full.js").exists()
    assert "intersphinx" not in conf, "intersphinx fetches inventories at build time"
    remote = re.compile(r"<(script|link|img|iframe)[^>]*(src|href)\s*=\s*[\"']?(https?:)?//", re.I)
    for page in [*PAGES, *DOCS.rglob("*.rst"), *(DOCS / "_static").glob("*.css")]:
        text = page.read_text(encoding="utf-8")
        assert not remote.search(text), f"{_id(page)} loads a remote resource"
        assert "@import url(http" not in text, f"{_id(page)} imports a remote style"
