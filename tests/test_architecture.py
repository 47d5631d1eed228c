"""The layers are enforced, not hoped for: the import contract (.importlinter) holds, no two
modules import each other, even through an import hidden inside a function, and there is one
refusal type (AppError) that views show one way."""

from __future__ import annotations

import ast
import builtins
import re
import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]


def test_the_layer_contract_holds() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout[-4000:]


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_no_import_cycle_between_modules() -> None:
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 5000))
    graph = grimp.build_graph("shangmi", exclude_type_checking_imports=True)
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = grimp.ImportGraph()
    for module in ("pkg", "pkg.a", "pkg.b", "pkg.c"):
        graph.add_module(module)
    graph.add_import(importer="pkg.a", imported="pkg.b")
    graph.add_import(importer="pkg.b", imported="pkg.a")
    graph.add_import(importer="pkg.c", imported="pkg.a")
    assert _cycles(graph) == [["pkg.a", "pkg.b"]]


# --- One refusal type ----------------------------------------------------------------------------
#
# A service refuses with ``AppError(SOME_MESSAGE, ...)`` (shangmi/core/errors.py) and the views turn
# it into a form error or a message the same way everywhere (core.forms.save_through,
# core.views.refusals_as_messages). A new exception class, or a view that catches an error by hand
# to show it as a message, is a second way; the scans below refuse both unless they are named here
# with the reason they are not an AppError.

PACKAGE = ROOT / "shangmi"
BUILTIN_EXCEPTIONS = frozenset(
    name for name, value in vars(builtins).items() if isinstance(value, type) and issubclass(value, BaseException)
)

# Exception classes that are not AppErrors on purpose: none of them is a refusal a person sees on a
# page. A subclass of an entry shares its reason.
EXCEPTIONS_ALLOWED: dict[str, str] = {
    "AppError": "the one refusal type itself",
    "CalendarMissing": "a year with no working-day calendar: deadline() catches it and says 'not counted', never a "
    "refusal (shangmi/enforcement/workdays.py)",
    "CalendarFileError": "a calendar data file the loader refuses whole; the command prints it, the calendar page "
    "turns it into an AppError",
    "RuleFileError": "a rules data file the loader command refuses whole, printed by the command",
    "RuleMissing": "no rule of a code in force on a date: a gap in the data its caller handles (no lower criminal "
    "threshold before 2025)",
    "OutOfScopeError": "raised by the scope check (core.scoping) after a write; save_through and the API answer it "
    "with the view's own out-of-scope message, and an unhandled one rolls the write back",
    "UploadError": "core.uploads' check of a file, turned into a form field error by the upload forms "
    "(it carries a Message where it has one)",
    "AppendOnlyError": "a model's guard against changing a review record: a programming error, never a refusal",
    "StandardLoadError": "standards are loaded by management commands only; the message names the data file",
    "QuestionnaireLoadError": "questionnaires are loaded by management commands only; the message names the data file",
    "PlanLoadError": "plans are loaded by management commands only; the message names the data file and the task",
    "CJKFontMissing": "an installation fault (the font assets are not built), not a person's mistake",
    "ClientError": "evidence: the transparency-log client's transport failure (low level, below the services)",
    "LeafError": "evidence: a malformed log leaf (low level, below the services)",
    "ProofError": "evidence: a Merkle proof that does not hold (low level, below the services)",
    "MissingNodeError": "evidence: log storage lacks a node (low level, below the services)",
    "NoteError": "evidence: a malformed or forged signed note (low level, below the services)",
    "SignerMemoryError": "evidence: the signer's own files are unreadable (low level; the log's checks "
    "report it as LogCorruptionError, an AppError)",
    "TimestampError": "evidence: a timestamp authority's failure or a bad token (low level, below the services)",
    "WitnessRefusal": "evidence: a witness's HTTP refusal, read by checkpoint_cosign (which logs it and carries "
    "on without that cosignature); no page or service raises it",
    "ReceiptError": "evidence: a receipt that does not verify (low level, read by the verifier and its tests)",
    "DepositError": "evidence: the deposit API's refusal, one bilingual reason per item of a batch (the API's "
    "contract); no page raises it",
}


def _python_files() -> list[Path]:
    return sorted(path for path in PACKAGE.rglob("*.py") if "migrations" not in path.parts)


def _base_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def exception_classes(sources: dict[str, str]) -> dict[str, list[str]]:
    """Every exception class defined in ``sources`` (path -> text) and the chain of names up to a
    built-in exception or AppError. A class counts as an exception when a base is a built-in
    exception, is named ...Error/...Exception, or is itself such a class defined in the sources."""
    bases: dict[str, list[str]] = {}
    for text in sources.values():
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ClassDef):
                bases[node.name] = [name for name in map(_base_name, node.bases) if name]

    def chain(name: str, seen: frozenset[str] = frozenset()) -> list[str] | None:
        if name == "AppError" or name in BUILTIN_EXCEPTIONS:
            return [name]
        if name in seen or name not in bases:
            return [name] if name.endswith(("Error", "Exception")) else None
        for base in bases[name]:
            above = chain(base, seen | {name})
            if above is not None:
                return [name, *above]
        return None

    found = {}
    for name in bases:
        if name == "AppError":
            continue
        up = chain(name)
        if up is not None:
            found[name] = up
    return found


def offending_exceptions(sources: dict[str, str], allowed: set[str] | frozenset[str]) -> list[str]:
    """The exception classes that are neither AppErrors nor (below) an allowed class."""
    return sorted(
        name
        for name, up in exception_classes(sources).items()
        if "AppError" not in up and not any(member in allowed for member in up)
    )


def _package_sources() -> dict[str, str]:
    return {str(path.relative_to(ROOT)): path.read_text(encoding="utf-8") for path in _python_files()}


def test_every_exception_class_is_an_app_error_or_says_why_not() -> None:
    offenders = offending_exceptions(_package_sources(), set(EXCEPTIONS_ALLOWED))
    assert offenders == [], (
        "exception classes that are not AppErrors: raise AppError(MESSAGE, ...) instead (shangmi/core/errors.py), "
        f"or name the class in EXCEPTIONS_ALLOWED with the reason: {offenders}"
    )


def test_the_exception_lists_hold_no_stale_entry() -> None:
    classes = exception_classes(_package_sources())
    stale_allowed = sorted(set(EXCEPTIONS_ALLOWED) - {"AppError"} - set(classes))
    assert stale_allowed == [], f"allowed exception classes that no longer exist: {stale_allowed}"


def test_the_exception_scan_finds_a_new_class() -> None:
    sources = {
        "a.py": "class AppError(Exception): pass\nclass Fine(AppError): pass\nclass Finer(Fine): pass\n",
        "b.py": "class Refused(ValueError): pass\nclass Wrapped(Refused): pass\nclass Loader(Exception): pass\n"
        "class Sub(Loader): pass\nclass NotAnError: pass\nclass Custom(forms.ValidationError): pass\n",
    }
    assert offending_exceptions(sources, {"Loader"}) == ["Custom", "Refused", "Wrapped"]


# Handlers in view modules that catch an error and show it with messages.error: the kit's own
# (refusals_as_messages) alone. Keyed by file and the function holding the handler.
HANDLERS_ALLOWED: dict[str, str] = {
    "shangmi/core/views.py::refusals_as_messages": "the kit's one place that turns a refusal into a message",
}


def _is_view_module(path: str) -> bool:
    parts = Path(path).parts
    return Path(path).name.startswith("views") or "views" in parts[:-1]


def _shows_an_error(node: ast.AST) -> bool:
    """A call of messages.error(...) anywhere inside ``node``."""
    return any(
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Attribute)
        and call.func.attr == "error"
        and isinstance(call.func.value, ast.Name)
        and call.func.value.id == "messages"
        for call in ast.walk(node)
    )


def hand_written_refusals(sources: dict[str, str]) -> list[str]:
    """``path::Class.function`` of each except handler in a view module whose body calls
    messages.error: a refusal turned into a message by hand instead of by refusals_as_messages."""
    found: list[str] = []

    def visit(node: ast.AST, path: str, scope: list[str]) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                visit(child, path, [*scope, child.name])
                continue
            if isinstance(child, ast.ExceptHandler) and _shows_an_error(child):
                found.append(f"{path}::{'.'.join(scope)}")
            visit(child, path, scope)

    for path, text in sources.items():
        if _is_view_module(path):
            visit(ast.parse(text), path, [])
    return sorted(set(found))


def test_views_turn_refusals_into_messages_through_the_kit() -> None:
    found = hand_written_refusals(_package_sources())
    offenders = [key for key in found if key not in HANDLERS_ALLOWED]
    assert offenders == [], (
        "views that catch an error and call messages.error by hand: use "
        "`with core.views.refusals_as_messages(request) as outcome:` (or save_through for a form), "
        f"or name the handler in HANDLERS_ALLOWED with the reason: {offenders}"
    )
    stale = sorted(set(HANDLERS_ALLOWED) - set(found))
    assert stale == [], f"listed handlers that no longer exist (take them off the lists): {stale}"


def test_the_handler_scan_finds_a_new_handler() -> None:
    source = (
        "class ThingView(View):\n"
        "    def post(self, request):\n"
        "        try:\n"
        "            do()\n"
        "        except ThingError as exc:\n"
        "            messages.error(request, str(exc))\n"
        "        try:\n"
        "            do()\n"
        "        except OtherError as exc:\n"
        "            form.add_error(None, str(exc))\n"
        "\n"
        "def helper(request):\n"
        "    messages.error(request, 'not in a handler')\n"
    )
    assert hand_written_refusals({"shangmi/things/views.py": source, "shangmi/things/services.py": source}) == [
        "shangmi/things/views.py::ThingView.post"
    ]


# "Is this a platform administrator" has one answer, core.scoping.is_platform_admin; an app that
# asks is_superuser or compares with the role itself would drift from it (superusers, anonymous).
_ADMIN_QUESTION = re.compile(r"\.is_superuser\b|(?:==|!=)\s*Role\.PLATFORM_ADMIN|Role\.PLATFORM_ADMIN\s*(?:==|!=)")


def admin_questions_outside_core(sources: dict[str, str]) -> list[str]:
    return sorted(
        f"{name}:{number}"
        for name, text in sources.items()
        if not name.startswith("shangmi/core/") and "/migrations/" not in name
        for number, line in enumerate(text.splitlines(), 1)
        if _ADMIN_QUESTION.search(line)
    )


def test_only_core_asks_whether_a_user_is_a_platform_administrator() -> None:
    found = admin_questions_outside_core(_package_sources())
    assert found == [], f"ask core.scoping.is_platform_admin(user) instead: {found}"


def test_the_admin_question_scan_finds_one() -> None:
    sources = {
        "shangmi/x/views.py": "ok = is_platform_admin(user)\nif user.is_superuser:\n    pass\n",
        "shangmi/y/forms.py": "if creator.role == Role.PLATFORM_ADMIN:\n    pass\n",
        "shangmi/core/scoping.py": "return user.is_superuser or user.role == Role.PLATFORM_ADMIN\n",
    }
    assert admin_questions_outside_core(sources) == ["shangmi/x/views.py:2", "shangmi/y/forms.py:1"]
