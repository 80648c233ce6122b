"""The import direction, checked: service → surveys → nlp, service and surveys → kernel, and within service
controllers → services → models.

Every module under kernel/, service/, surveys/, nlp/, demo/ and training/ is parsed with `ast` (imports
inside functions count: a lazy import is still a dependency), the graph of imports between them is built, and
the test fails on any cycle between modules, on any cycle between the top-level packages, and on any upward
import: kernel importing anything of ours, nlp importing service or surveys, surveys importing service, a
domain's models / schemas / services importing its controllers or the dashboard, anything but the composition
root importing the dashboard. Each rule is shown failing on a small made-up graph at the end.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("kernel", "service", "surveys", "nlp", "demo", "training")
# The composition root mounts every HTTP module (the dashboard's included): it may import anything.
COMPOSITION_ROOT = {"service.app", "service.openapi"}
# demo/ (the demo's data, the synthetic posting engine) sits above the service: it uses the service's intake,
# worker and drift runs; of the runtime only `serve --demo` (service.cli) reaches up into it.
DEMO_USERS = {"service.cli"}
# training/ (span model and vectors training, the torch teachers) is imported by nothing at run time:
# the CLI mounts its commands (service.cli → training.cli, whose commands import the rest when they run).
TRAINING_USERS = {"service.cli": {"training.cli"}}
# Edges the package graph leaves out: the CLI mounting the demo and the training commands (they sit above it).
MOUNTS = {(module, target) for module, targets in TRAINING_USERS.items() for target in targets} | {
    ("service.cli", "demo.load")
}
# Generic machinery of the service: it knows no domain (a domain registers its jobs and tasks with it).
GENERIC = {"service.scheduler", "service.tasks", "service.job_claims", "service.cli_support"}
DOMAINS = (
    "service.postings",
    "service.credentials",
    "service.demand",
    "service.notifications",
    "service.dashboard",
    "surveys",
)
LOWER_LAYERS = ("models", "schemas", "services", "sources", "queries")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "static" in path.parts or "templates" in path.parts:
                continue
            found[module_name(path)] = path
    return found


def _absolute(module: str, is_package: bool, level: int, target: str | None) -> str:
    if level == 0:
        return target or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([target] if target else []))


def imports_of(module: str, path: Path, known: dict[str, Path]) -> Iterator[tuple[str, int]]:
    """(imported module, line) for each import of a module of ours."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                name = alias.name
                while name and name not in known:
                    name = name.rpartition(".")[0]
                if name:
                    yield name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(module, is_package, node.level, node.module)
            for alias in node.names:
                child = f"{base}.{alias.name}"
                if child in known:
                    yield child, node.lineno
                elif base in known:
                    yield base, node.lineno


def graph() -> dict[str, dict[str, int]]:
    known = modules()
    edges: dict[str, dict[str, int]] = {}
    for module, path in known.items():
        edges[module] = {}
        for target, line in imports_of(module, path, known):
            if target != module:
                edges[module].setdefault(target, line)
    return edges


def cycles(edges: dict[str, dict[str, int]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in edges:
        if start in index:
            continue
        work = [(start, iter(edges[start]))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges.get(child, {}))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def package_graph(
    edges: dict[str, dict[str, int]], mounts: set[tuple[str, str]] = MOUNTS
) -> dict[str, dict[str, int]]:
    """The graph between top-level packages (`service.db` → `service`), less the CLI's mounts."""
    packages: dict[str, dict[str, int]] = {}
    for module, targets in edges.items():
        top = module.split(".")[0]
        packages.setdefault(top, {})
        for target in targets:
            target_top = target.split(".")[0]
            if target_top != top and (module, target) not in mounts:
                packages[top].setdefault(target_top, 1)
    return packages


def is_controller(module: str) -> bool:
    last = module.rsplit(".", 1)[-1]
    return last.endswith(("controllers", "controller")) or module.startswith("service.dashboard")


def upward(module: str, target: str) -> str | None:
    """Why importing `target` from `module` goes the wrong way, or None."""
    top, target_top = module.split(".")[0], target.split(".")[0]
    if top == "kernel" and target_top != "kernel":
        return "kernel is the shared base of service and surveys: it imports nothing of ours"
    if top == "nlp" and target_top in ("service", "surveys"):
        return "nlp is a pure library: it imports neither service nor surveys"
    if top == "surveys" and target_top == "service":
        return "surveys never imports service"
    if target_top == "demo" and top != "demo" and module not in DEMO_USERS:
        return "the runtime never imports the demo (only `serve --demo` does)"
    if target_top == "training" and top != "training" and target not in TRAINING_USERS.get(module, ()):
        return "nothing imports training/ at run time (the CLI mounts training.cli's commands)"
    if target.startswith("service.dashboard") and not module.startswith("service.dashboard"):
        if module not in COMPOSITION_ROOT:
            return "only the dashboard (and the app that mounts it) imports the dashboard"
    if module in GENERIC and target.startswith(DOMAINS):
        return "the generic scheduler, task runner and CLI support know no domain"
    last = module.rsplit(".", 1)[-1]
    if last in LOWER_LAYERS and not module.startswith("service.dashboard") and is_controller(target):
        return f"a domain's {last} never imports controllers (HTTP) or the dashboard"
    if last == "models" and target.rsplit(".", 1)[-1] in ("services", "sources", "queries"):
        return "models never import services"
    return None


def upward_imports(edges: dict[str, dict[str, int]]) -> list[str]:
    """Each import that goes the wrong way, as "module:line imports target: why"."""
    return [
        f"{module}:{line} imports {target}: {reason}"
        for module, targets in sorted(edges.items())
        for target, line in sorted(targets.items())
        if (reason := upward(module, target))
    ]


EDGES = graph()


def test_the_graph_sees_every_package_and_its_imports():
    assert {m.split(".")[0] for m in EDGES} == set(PACKAGES)
    assert "service.postings.sources" in EDGES["service.postings.sources_controller"]
    assert "surveys.services" in EDGES["service.dashboard.survey_exports"]
    assert "service.cli_support" in EDGES["service.postings.cli"]
    assert "kernel.schemas" in EDGES["service.credentials.schemas"]
    assert "kernel.schemas" in EDGES["surveys.schemas"]
    assert "kernel.security_headers" in EDGES["service.app"]
    assert "kernel" in package_graph(EDGES)["surveys"]


def test_no_import_cycle_between_modules():
    found = cycles(EDGES)
    assert not found, "import cycles (each line one cycle):\n" + "\n".join(" ↔ ".join(c) for c in found)


def test_no_import_cycle_between_packages():
    found = cycles(package_graph(EDGES))
    assert not found, "package cycles (each line one cycle):\n" + "\n".join(" ↔ ".join(c) for c in found)


def test_no_upward_import():
    wrong = upward_imports(EDGES)
    assert not wrong, "upward imports:\n" + "\n".join(wrong)


@pytest.mark.parametrize(
    ("module", "target", "wrong"),
    [
        ("nlp.link", "service.db", True),
        ("surveys.store", "service.postings.models", True),
        ("service.postings.services", "service.postings.controllers", True),
        ("service.credentials.services", "service.dashboard.rendering", True),
        ("service.demand.models", "service.demand.services", True),
        ("service.dashboard.source_pages", "service.postings.sources", False),
        ("service.postings.sources_controller", "service.postings.sources", False),
        ("service.app", "service.dashboard.controllers", False),
        ("surveys.controllers", "nlp", False),
        ("service.scheduler", "service.demand.models", True),
        ("service.postings.worker", "demo.synthetic", True),
        ("service.cli", "demo.load", False),
        ("demo.load", "service.postings.intake", False),
        ("nlp.cli", "training.spans", True),
        ("service.cli", "training.cli", False),
        ("service.cli", "training.teacher", True),
        ("training.embedding", "nlp.reference", False),
        ("kernel.schemas", "service.credentials.schemas", True),
        ("kernel.tokens", "surveys.tokens", True),
        ("kernel.clock", "nlp", True),
        ("kernel.di", "demo.load", True),
        ("kernel.security_headers", "training.cli", True),
        ("kernel.security_headers", "kernel.tokens", False),
        ("service.app", "kernel.security_headers", False),
        ("surveys.store", "kernel.clock", False),
        ("surveys.caller", "service.dependencies", True),
        ("nlp.pipeline", "surveys.models", True),
    ],
)
def test_the_rules_say_which_way_is_up(module: str, target: str, wrong: bool):
    assert (upward(module, target) is not None) is wrong


def test_a_cycle_is_found():
    assert cycles({"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1}, "d": {"a": 1}}) == [["a", "b", "c"]]


def test_an_upward_import_in_a_graph_is_named_with_its_line():
    fake = {
        "kernel.tokens": {"kernel.clock": 3, "surveys.tokens": 7},
        "kernel.clock": {},
        "surveys.tokens": {"kernel.tokens": 5},
        "surveys.store": {"service.db": 9},
    }
    assert upward_imports(fake) == [
        "kernel.tokens:7 imports surveys.tokens: kernel is the shared base of service and surveys: it "
        "imports nothing of ours",
        "surveys.store:9 imports service.db: surveys never imports service",
    ]


def test_a_cycle_between_packages_is_found_where_modules_have_none():
    # no module cycle: service.a → surveys.b → service.c, but the packages service ↔ surveys are one
    fake = {"service.a": {"surveys.b": 1}, "surveys.b": {"service.c": 1}, "service.c": {}, "nlp": {}}
    assert cycles(fake) == []
    assert cycles(package_graph(fake)) == [["service", "surveys"]]


def test_only_the_clis_mounts_leave_the_package_graph():
    mounted = {"service.cli": {"demo.load": 1}, "demo.load": {"service.db": 1}, "service.db": {}}
    assert cycles(package_graph(mounted)) == []
    imported = {"service.worker": {"demo.load": 1}, "demo.load": {"service.db": 1}, "service.db": {}}
    assert cycles(package_graph(imported)) == [["demo", "service"]]
