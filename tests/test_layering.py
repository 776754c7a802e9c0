"""The layers hold: packages import one way, and the conversation engine builds no SQL and runs no query itself."""
from __future__ import annotations

import ast
from pathlib import Path

CONVERSATIONS = Path(__file__).parent.parent / "conversations"
SESSION_CALLS = frozenset({"execute", "get", "scalar", "scalars", "add", "add_all", "flush", "delete", "refresh", "merge"})


def _modules() -> list[tuple[str, ast.Module]]:
    return [(str(p.relative_to(CONVERSATIONS.parent)), ast.parse(p.read_text())) for p in sorted(CONVERSATIONS.rglob("*.py"))]


def test_conversations_import_nothing_from_sqlalchemy_but_the_session_type():
    found = []
    for name, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found += [(name, a.name) for a in node.names if a.name.split(".")[0] == "sqlalchemy"]
            elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sqlalchemy":
                found += [(name, f"{node.module}.{a.name}") for a in node.names
                          if f"{node.module}.{a.name}" != "sqlalchemy.ext.asyncio.AsyncSession"]
    assert found == []


def test_conversations_never_call_the_database_session_themselves():
    calls = []
    for name, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in SESSION_CALLS:
                owner = node.func.value
                # `session.get(...)` or `ctx.session.get(...)`: the session is only handed to domain functions.
                if (isinstance(owner, ast.Name) and owner.id == "session") or \
                        (isinstance(owner, ast.Attribute) and owner.attr == "session"):
                    calls.append((name, node.lineno, node.func.attr))
    assert calls == []


# Who may import whom among the project's packages: outer to inner, never back (docs/architecture.md).
ALLOWED = {
    "cli": {"app", "bench", "workers", "runtime", "channels", "conversations", "domain", "migrations"},
    "bench": {"app", "admin", "workers", "runtime", "channels", "conversations", "domain", "migrations"},
    "app": {"api", "bot", "admin", "workers", "runtime", "channels", "gateways", "conversations", "domain", "migrations"},
    "api": {"runtime", "conversations", "domain"},
    "bot": {"runtime", "channels", "gateways", "conversations", "domain"},
    "admin": {"runtime", "channels", "gateways", "conversations", "domain"},
    "workers": {"runtime", "channels", "gateways", "conversations", "domain"},
    "runtime": {"channels", "gateways", "domain"},
    "channels": {"conversations", "domain"},
    "gateways": set(),
    "conversations": {"domain"},
    "domain": set(),
    "migrations": {"domain"},
}


def test_packages_import_one_way_only():
    root = CONVERSATIONS.parent
    wrong = []
    for package, allowed in ALLOWED.items():
        for path in sorted((root / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                wrong += [(str(path.relative_to(root)), name) for name in names
                          if (top := name.split(".")[0]) in ALLOWED and top != package and top not in allowed]
    assert wrong == []
