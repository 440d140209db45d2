"""The package layout keeps the design: stages whose imports point one way, no import cycle, no
import hidden in a function to dodge one.

Stages, lowest first (a module may import from its own stage and those below it):

    sites      crawler.registry (sites as data, crawler/sites.toml)
    text       crawler.text: bytes to text, normal forms
    discovery  crawler.discovery: URLs, middlewares, safety, cache policy, SharePoint API
    extraction crawler.extraction: one page in, one article out; dates; facets (pure)
    store      crawler.store: schema, migrations, writes, reads (no Scrapy)
    glue       Scrapy glue: settings, spiders, pipelines, extensions, add-ons, commands

`python -m tests.test_layout` prints the stage of every module and the package graph.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

from tests.conftest import python_code

ROOT = Path(__file__).resolve().parent.parent
FIRST_PARTY = ("crawler", "pipelines")
STAGES = ("sites", "text", "discovery", "extraction", "store", "glue")
STAGE_OF_PREFIX = {
    "crawler.registry": "sites",
    "crawler.text": "text",
    "crawler.discovery": "discovery",
    "crawler.extraction": "extraction",
    "crawler.store": "store",
}
# Third-party modules slow to import (or, for the reactor, that install something on import):
# a function may import them lazily, with a comment saying why.
LAZY_ALLOWED = (
    "numpy",
    "dateparser",
    "babel",
    "pycountry",
    "scrapy_redis",
    "plotly",
    "datasette",
    "twisted.internet.reactor",
    "trafilatura",  # the generic body only: a rules crawl's processes never load it
    "yaml",
    "scrapy.core.downloader.contextfactory",  # imported early on purpose (crawler.runner)
)
# First-party modules a function may import lazily, and why (not a cycle).
LAZY_FIRST_PARTY = {
    "crawler.report": "imports plotly (the browse extra): only `scrapy report` loads it",
}


def stage_of(module: str) -> str:
    for prefix, stage in STAGE_OF_PREFIX.items():
        if module == prefix or module.startswith(prefix + "."):
            return stage
    return "glue"


def module_files() -> dict[str, Path]:
    found = {}
    for top in FIRST_PARTY:
        for path in sorted((ROOT / top).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


MODULES = module_files()


def _resolve(module: str, node: ast.ImportFrom) -> list[str]:
    """The first-party modules an import statement loads (`from pkg import submodule` loads
    the submodule, not only the package)."""
    if node.level:
        package = module.split(".")
        is_package = MODULES[module].name == "__init__.py"
        base = package if is_package else package[:-1]
        base = base[: len(base) - (node.level - 1)]
        target = ".".join(base + ([node.module] if node.module else []))
    else:
        target = node.module or ""
    if target.split(".")[0] not in FIRST_PARTY:
        return []
    found = []
    for alias in node.names:
        sub = f"{target}.{alias.name}"
        found.append(sub if sub in MODULES else target)
    return found


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports(module: str) -> tuple[set[str], list[tuple[int, str, bool]]]:
    """(first-party modules imported at module level, outside `if TYPE_CHECKING`;
    imports inside functions as (line, module, commented))."""
    source = MODULES[module].read_text(encoding="utf-8")
    lines = source.splitlines()
    tree = ast.parse(source)
    top: set[str] = set()
    lazy: list[tuple[int, str, bool]] = []

    def names(node: ast.Import | ast.ImportFrom) -> list[str]:
        if isinstance(node, ast.Import):
            return [alias.name for alias in node.names]
        if node.level == 0 and (node.module or "").split(".")[0] not in FIRST_PARTY:
            return [f"{node.module}.{a.name}" for a in node.names]
        return _resolve(module, node)

    def walk(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _type_checking(child):
                for other in child.orelse:
                    walk(other, in_function)
                continue
            if isinstance(child, ast.Import | ast.ImportFrom):
                found = names(child)
                if in_function:
                    line = child.lineno
                    commented = "#" in lines[line - 1] or lines[line - 2].strip().startswith("#")
                    lazy.extend((line, name, commented) for name in found)
                else:
                    top.update(n for n in found if n.split(".")[0] in FIRST_PARTY)
                continue
            inner = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            walk(child, inner)

    walk(tree, False)
    return top, lazy


GRAPH = {module: imports(module)[0] & MODULES.keys() for module in MODULES}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, as the list of modules around it, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for other in sorted(graph.get(node, ())):
            if other == node:
                continue
            if state.get(other) == 1:
                return stack[stack.index(other) :] + [other]
            if other not in state and (found := visit(other)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_every_import_points_down_the_stages():
    against = [
        f"{module} ({stage_of(module)}) imports {other} ({stage_of(other)})"
        for module, deps in GRAPH.items()
        for other in sorted(deps)
        if STAGES.index(stage_of(other)) > STAGES.index(stage_of(module))
    ]
    assert not against, "\n".join(against)


def test_no_import_cycle():
    assert find_cycle(GRAPH) is None, " -> ".join(find_cycle(GRAPH) or [])


def test_no_import_inside_a_function_but_commented_slow_third_party_ones():
    hidden = []
    for module in MODULES:
        for line, name, commented in imports(module)[1]:
            allowed = name in LAZY_FIRST_PARTY or any(
                name == lib or name.startswith(lib + ".") for lib in LAZY_ALLOWED
            )
            if not (allowed and commented):
                hidden.append(f"{MODULES[module].relative_to(ROOT)}:{line}: {name}")
    assert not hidden, "\n".join(hidden)


def test_the_stages_know_nothing_of_scrapy_glue():
    """Below the glue, nothing imports pipelines, commands, extensions or spiders; the store
    does not import Scrapy at all."""
    store_scrapy = []
    for module in MODULES:
        if stage_of(module) != "store":
            continue
        tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                mods = (
                    [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
                )
                store_scrapy += [f"{module}: {m}" for m in mods if m and m.startswith("scrapy")]
    assert not store_scrapy, "\n".join(store_scrapy)


def package_graph() -> dict[str, set[str]]:
    """Module graph folded to packages (crawler.store, crawler.commands, pipelines …)."""

    def package(module: str) -> str:
        parts = module.split(".")
        return parts[0] if parts[0] == "pipelines" else ".".join(parts[:2])

    folded: dict[str, set[str]] = defaultdict(set)
    for module, deps in GRAPH.items():
        folded[package(module)].update(package(d) for d in deps if package(d) != package(module))
    return folded


def main() -> int:
    graph = package_graph()
    for stage in reversed(STAGES):
        members = sorted(p for p in graph if stage_of(p) == stage)
        print(f"[{stage}]")
        for member in members:
            deps = ", ".join(sorted(graph[member])) or "-"
            print(f"  {member} -> {deps}")
    cycle = find_cycle(GRAPH)
    print("import cycle:", " -> ".join(cycle) if cycle else "none")
    return 0


if __name__ == "__main__":
    sys.exit(main())


def test_the_batch_commands_workers_import_no_scrapy():
    """`extract --batch` and `reextract` workers unpickle their tasks from crawler.batch:
    importing Scrapy there doubled each worker's start-up."""
    from crawler import batch

    tasks = (batch._chunk, batch._attempt_chunk, batch._init_worker)
    assert {task.__module__ for task in tasks} == {"crawler.batch"}
    code = "import sys, crawler.batch\n"
    code += "print(sorted({m.split('.')[0] for m in sys.modules} & {'scrapy', 'twisted'}))"
    assert python_code(code).strip() == "[]"


def test_a_scrapy_command_s_start_imports_no_extraction_or_browse_library():
    """Scrapy imports every module of the commands package to list the commands: anything
    heavy they import at the top is paid by every command and every crawl's start."""
    code = (
        "import sys\n"
        "from scrapy.cmdline import _get_commands_dict\n"
        "from scrapy.utils.project import get_project_settings\n"
        "_get_commands_dict(get_project_settings(), inproject=True)\n"
        "print(sorted(m for m in ('trafilatura', 'yaml', 'datasette') if m in sys.modules))"
    )
    assert python_code(code).strip() == "[]"


def test_the_workers_steps_import_neither_scrapy_nor_the_glue(tmp_path: Path):
    """The pipelines' steps travel to the extraction workers by reference: importing them
    there must not pull Scrapy, Twisted or the pipelines into every worker (memory, start-up)."""
    from scrapy.pipelines import ItemPipelineManager
    from scrapy.utils.test import get_crawler

    from crawler import settings as project_settings
    from crawler.extraction.pool import shared_pool

    values = {k: getattr(project_settings, k) for k in dir(project_settings) if k.isupper()}
    # a pool of its own (pools are per worker count): no other test's steps in it
    values.update(SQLITE_PATH=str(tmp_path / "news.db"), EXTRACT_WORKERS=97)
    crawler = get_crawler(settings_dict=values)
    manager = ItemPipelineManager.from_crawler(crawler)
    try:
        steps = shared_pool(crawler.settings).steps
        assert [name for name, _ in steps] == [
            "cap_fields", "normalise_text", "fingerprint", "item_facets", "store_prep"
        ]
        modules = sorted({step.__module__ for _, step in steps})
        code = "import sys, crawler.extraction.pool\n" + "".join(f"import {m}\n" for m in modules)
        glue = "{'scrapy', 'twisted', 'pipelines'}"
        code += f"print(sorted({{m.split('.')[0] for m in sys.modules}} & {glue}))"
        out = python_code(code)
        assert out.strip() == "[]", (modules, out)
    finally:
        for pipe in manager.middlewares:
            if hasattr(pipe, "store"):
                pipe.close_spider()
