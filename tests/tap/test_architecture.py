"""The shape of the code: no import cycle, modules small enough to read, the engine only where it belongs."""

from __future__ import annotations

import ast
import sys
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

from stack.contract import PROJECT_ROOT, Output
from stack.engines import ENGINES

PACKAGES = ("stack", "tap")
# Read by every tool, for free.
PLAIN_PYTHON = (
    "stack/contract.py",
    "stack/config.py",
    "stack/naming.py",
    "stack/engines.py",
    "stack/policy_documents.py",
    "stack/hosts.py",
    "stack/agent_setup.py",
    "stack/placeholder_service.py",
    "stack/tamper.py",
)
# Where outputs are read: the tooling, the live suite and the drift catalogue.
READERS = [
    *(PROJECT_ROOT / "tap").rglob("*.py"),
    *(PROJECT_ROOT / "tests" / "integration").glob("*.py"),
    PROJECT_ROOT / "tests" / "rehearsal" / "drifts.py",
]
ENGINE_PACKAGES = {package for engine in ENGINES.values() for package in (engine.core, *engine.providers)}
# The one module of the stack that imports the engine; `constructs` is shared by both engines.
ENGINE_MODULE = "stack/cdk.py"
MAX_TOOL_MODULE_LINES = 400


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (PROJECT_ROOT / package).rglob("*.py"):
            parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _imports(path: Path) -> set[str]:
    """Every module an import statement names (at any depth: imports inside functions count too)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def test_no_import_cycle_in_stack_or_tap():
    modules = _modules()
    graph = {
        name: {imported for imported in _imports(path) if imported in modules} - {name}
        for name, path in modules.items()
    }
    # A package's __init__ re-exporting its own modules is not a cycle: drop edges from a package to its children.
    graph = {name: {i for i in imports if not i.startswith(f"{name}.")} for name, imports in graph.items()}
    try:
        tuple(TopologicalSorter(graph).static_order())
    except CycleError as error:
        pytest.fail(f"import cycle: {' -> '.join(error.args[1])}")


def test_no_tool_module_is_too_long_to_read():
    long = {
        str(path.relative_to(PROJECT_ROOT)): lines
        for path in (PROJECT_ROOT / "tap").rglob("*.py")
        if (lines := len(path.read_text().splitlines())) > MAX_TOOL_MODULE_LINES
    }
    assert long == {}


@pytest.mark.parametrize(
    "path", [*PLAIN_PYTHON, *(str(p.relative_to(PROJECT_ROOT)) for p in (PROJECT_ROOT / "tap").rglob("*.py"))]
)
def test_tools_and_plain_modules_never_import_the_engine(path):
    engine = {name for name in _imports(PROJECT_ROOT / path) if name.split(".")[0] in {*ENGINE_PACKAGES, "constructs"}}
    assert engine == set()


@pytest.mark.parametrize(
    "path", [str(p.relative_to(PROJECT_ROOT)) for p in sorted((PROJECT_ROOT / "stack").rglob("*.py"))]
)
def test_only_stack_cdk_imports_the_engine(path):
    """A stack module importing `cdktf...` itself would tie the stack to that engine."""
    engine = {name for name in _imports(PROJECT_ROOT / path) if name.split(".")[0] in ENGINE_PACKAGES}
    assert engine == set() or path == ENGINE_MODULE


def test_every_output_is_read_by_a_tool():
    # An output nobody reads is a check nobody makes (or a key that silently went stale).
    read = {
        node.attr
        for path in READERS
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "Output"
    }
    assert [key.name for key in Output if key.name not in read] == []


@pytest.mark.parametrize("path", sorted((PROJECT_ROOT / "tests" / "unit").glob("*.py")), ids=lambda path: path.name)
def test_the_pre_commit_suite_imports_no_module_that_loads_the_engine(path):
    """The unit suite asserts on plans read from the cache: importing a stack module that loads the
    engine (cdktf's provider, Node) would cost every commit a second or more."""
    stack = {name for name in _imports(path) if name.startswith("stack.") and name.count(".") == 1}
    allowed = {module.removesuffix(".py").replace("/", ".") for module in PLAIN_PYTHON}
    assert stack - allowed == set()


def _anchored_patterns(path: Path) -> list[str]:
    """Whole-value patterns written `^...$` (or `...$` given to re.match): `$` also matches before a final
    newline ('role\\n' passes `^[\\w-]+$`), so a value is validated whole only with fullmatch, unanchored.
    (A name's suffix searched with `...$` is detection, not validation: a final newline only widens it.)"""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args:
            pattern = node.args[0]
            if node.func.attr in ("compile", "match", "search", "fullmatch") and isinstance(pattern, ast.Constant):
                text = pattern.value if isinstance(pattern.value, str) else ""
                ends = text.endswith("$") and not text.endswith("\\$")
                if ends and (text.startswith("^") or node.func.attr == "match"):
                    found.append(f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}: {text}")
    return found


def test_no_value_is_validated_with_anchors_that_let_a_newline_through():
    sources = [path for folder in (*PACKAGES, "policies", "tests") for path in (PROJECT_ROOT / folder).rglob("*.py")]
    assert [found for path in sources for found in _anchored_patterns(path)] == []


# Where a module could write to the terminal by itself: every such line must pass through tap/console.py.
STREAMS = {"stdout", "stderr", "__stdout__", "__stderr__"}
CONSOLE_MODULE = "tap/console.py"


def _writes_to_the_terminal(node: ast.AST) -> bool:
    if isinstance(node, ast.Name) and node.id in ("print", "pprint"):
        return True
    if isinstance(node, ast.ImportFrom) and node.module in ("sys", "pprint"):
        return any(alias.name in {*STREAMS, "pprint"} for alias in node.names)
    if not (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute | ast.Name)):
        return False
    stream = node.value
    if isinstance(stream, ast.Name):  # os.write(1, ...)
        return stream.id == "os" and node.attr == "write"
    named = isinstance(stream.value, ast.Name) and stream.value.id == "sys" and stream.attr in STREAMS
    return named and node.attr in ("write", "writelines", "buffer")


@pytest.mark.parametrize(
    "path",
    sorted(
        path
        for path in (str(p.relative_to(PROJECT_ROOT)) for p in (PROJECT_ROOT / "tap").rglob("*.py"))
        if path != CONSOLE_MODULE
    ),
)
def test_only_the_console_module_writes_to_the_terminal(path):
    """Text from a plan, a folder or an account carries control characters that would steer the
    terminal or the CI log (a fake PASS): only tap/console.py's `say` writes, and it escapes them."""
    tree = ast.parse((PROJECT_ROOT / path).read_text())
    writes = sorted(node.lineno for node in ast.walk(tree) if _writes_to_the_terminal(node))
    assert writes == [], f"{path} writes to the terminal itself at lines {writes}: use tap.console.say"


def test_no_module_is_named_like_one_of_the_standard_library():
    """The checkov worker runs as a script from tap/audit, so its folder comes first on its path: a module
    there named `html` hid the standard library's from checkov itself."""
    names = {path.stem for package in PACKAGES for path in (PROJECT_ROOT / package).rglob("*.py")}
    assert sorted(names & sys.stdlib_module_names) == []
