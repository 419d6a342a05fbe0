"""The rooms of `workflow/` keep their order: a room imports only itself and the rooms below it.

ARCHITECTURE.md draws the same order; this test is what keeps the drawing true.
"""

import ast
from pathlib import Path

import pytest

WORKFLOW = Path(__file__).resolve().parents[1] / "workflow"

# From the ground up. The ground floor is the modules at the top of workflow/.
FLOORS = ["ground", "templates", "mail", "people", "lifecycle", "answering", "survey", "review", "calendar", "reporting", "cli"]
GROUND = {"errors", "clock", "access", "settings", "readiness", "partnerships"}


def room_of(module: str) -> str:
    """The room a `workflow.…` module name lives in."""
    parts = module.split(".")
    if len(parts) < 2 or parts[1] in GROUND:
        return "ground"
    return parts[1]


def imported_modules(source: str, module: str) -> list[tuple[int, str]]:
    """Every `workflow.…` module the source imports (late imports inside functions included), with its line."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names if alias.name.startswith("workflow.")]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "workflow":
                found += [(node.lineno, f"workflow.{alias.name}") for alias in node.names]
            elif node.module.startswith("workflow."):
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            found.append((node.lineno, f"relative import in {module}"))
    return found


def back_imports(module: str, source: str) -> list[str]:
    """The imports in one module that reach up to a higher room, in words."""
    mine = FLOORS.index(room_of(module))
    problems = []
    for line, target in imported_modules(source, module):
        if target.startswith("relative import"):
            problems.append(f"{module}:{line} uses a relative import; name the room (workflow.<room>.<module>)")
            continue
        theirs = room_of(target)
        if theirs not in FLOORS:
            problems.append(f"{module}:{line} imports {target}, which is in no room of ARCHITECTURE.md")
        elif FLOORS.index(theirs) > mine:
            problems.append(f"{module}:{line} ({room_of(module)}) imports {target} ({theirs}), a room above it")
    return problems


def workflow_modules() -> list[tuple[str, Path]]:
    modules = []
    for path in sorted(WORKFLOW.rglob("*.py")):
        relative = path.relative_to(WORKFLOW.parent).with_suffix("")
        parts = list(relative.parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules.append((".".join(parts), path))
    return modules


def test_every_room_of_workflow_imports_only_rooms_below_it():
    problems = [p for module, path in workflow_modules() for p in back_imports(module, path.read_text())]
    assert problems == []


def test_every_module_of_workflow_sits_in_a_room_of_the_plan():
    rooms = {room_of(module) for module, _ in workflow_modules() if module != "workflow"}
    assert rooms <= set(FLOORS)
    assert {p.name for p in WORKFLOW.iterdir() if p.is_dir() and (p / "__init__.py").exists()} == set(FLOORS) - {"ground"}


def test_every_room_says_what_it_holds():
    for room in set(FLOORS) - {"ground"}:
        docstring = ast.get_docstring(ast.parse((WORKFLOW / room / "__init__.py").read_text()))
        assert docstring, f"workflow/{room}/__init__.py has no docstring saying what it holds"


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("workflow.lifecycle.moves", "from workflow.answering import returns\n"),
        ("workflow.templates.spec", "from workflow.people.accounts import attempt_sign_in\n"),
        ("workflow.errors", "import workflow.mail.outbox\n"),
        ("workflow.answering.rules", "def late():\n    from workflow.reporting import pdfs\n"),
        ("workflow.review.qa", "from .statements import sign\n"),
    ],
)
def test_a_back_import_is_caught(module, source):
    assert back_imports(module, source) != []


def test_an_import_from_below_or_beside_is_allowed():
    source = "from workflow.errors import DomainError\nfrom workflow.answering import content\nfrom workflow.review import qa\n"
    assert back_imports("workflow.review.statements", source) == []
