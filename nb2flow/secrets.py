"""Keep hard-coded credentials out of everything nb2flow writes.

A string literal is a secret when detect-secrets' pattern plugins recognise it (AWS keys,
GitHub, Slack, Stripe and other tokens, private keys, JWTs, URLs with a password, a
password assigned to a keyword-like name), or when it is assigned to a name like
``*_key``, ``*_secret``, ``*token*`` or ``password`` and looks random (high entropy).
Only strings that pass a cheap pre-filter are handed to detect-secrets, which is imported
only then.

Each secret is replaced by a read at run time: ``Secret.load("<name>").get()`` from a
Prefect ``Secret`` block (default), or ``os.environ["<NAME>"]`` (``--secrets env``).
The notebook is never modified; the report names the cell and line and the command that
creates the block or variable, never the value.
"""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass, replace

import libcst as cst

from .analyze import analyze
from .classify import _without_modules, code_of
from .ir import IMPORT, Classified, Statement
from .names import unique

_SECRET_NAME = re.compile(
    r"(pass(word|wd)?|pwd|secret|token|api_?key|access_?key|private_?key|_key$|^key$|"
    r"credential|auth|dsn|conn(ection)?_?str)", re.IGNORECASE,
)
_SUSPICIOUS_VALUE = re.compile(
    r"(AKIA|ASIA)[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{20,}|xox[abposr]-|sk_(live|test)_|"
    r"-----BEGIN|eyJ[A-Za-z0-9_-]{10,}\.|://[^/\s:@]+:[^/\s@]+@|hooks\.slack\.com|AIza",
)
_ENTROPY_PLUGINS_SKIPPED = {"Base64 High Entropy String", "Hex High Entropy String"}


@dataclass(frozen=True)
class SecretUse:
    """Where a secret was found and what replaces it (never the value itself)."""

    cell: int
    line: int
    name: str  # the variable or keyword it was assigned to, or a made-up name
    kind: str  # what detect-secrets or nb2flow recognised
    block: str  # Prefect Secret block name (kebab-case)
    env: str  # environment variable name
    aws: bool  # an AWS credential: prefect-aws AwsCredentials is offered too


def redact(c: Classified, mode: str = "block") -> tuple[Classified, list[SecretUse]]:
    uses: list[SecretUse] = []
    replaced: dict[str, str] = {}  # value -> replacement expression source
    for s in c.statements:
        if s.role == IMPORT:
            continue
        found = _find(s)
        if not found:
            continue
        mapping: dict[str, str] = {}
        for value, name, kind in found:
            if value not in replaced:
                base = _unique_name(name, {u.block for u in uses})
                use = SecretUse(
                    cell=s.cell, line=s.line + _line_offset(s, value), name=name, kind=kind,
                    block=base.replace("_", "-").lower(), env=base.upper(),
                    aws="AWS" in kind or name.lower().startswith("aws"),
                )
                uses.append(use)
                replaced[value] = (
                    f'Secret.load("{use.block}").get()' if mode == "block"
                    else f'os.environ["{use.env}"]'
                )
            mapping[value] = replaced[value]
        _replace(s, mapping)
        s.secret = True
    tainted: set[str] = set()  # values computed from a secret: persisting them leaks it
    for s in c.statements:
        if s.secret or tainted & set(s.facts.reads):
            s.secret = True
            tainted.update(s.facts.writes)
    if replaced:
        c.dropped = [
            d if not any(v in d.code for v in replaced) else replace(d, code="<redacted>")
            for d in c.dropped
        ]
    if uses:
        module, name = ("prefect.blocks.system", "Secret") if mode == "block" else ("os", None)
        source = f"from {module} import {name}" if name else f"import {module}"
        tree = ast.parse(source).body[0]
        c.statements.insert(0, Statement(uses[0].cell, 1, cst.parse_statement(source + "\n"),
                                         role=IMPORT, facts=analyze(tree), tree=tree))
        if c.description and any(_SUSPICIOUS_VALUE.search(c.description) for _ in [0]):
            c.description = None
    return c, uses


def creation_command(use: SecretUse, mode: str) -> str:
    if mode == "env":
        return f"export {use.env}=..."
    return (
        "python -c \"import getpass; from prefect.blocks.system import Secret; "
        f"Secret(value=getpass.getpass()).save('{use.block}', overwrite=True)\""
    )


def _find(s: Statement) -> list[tuple[str, str, str]]:
    """(value, name, kind) for each secret string literal in the statement."""
    out: list[tuple[str, str, str]] = []
    for node, name in _strings_with_names(s.tree):
        value = node.value
        if len(value) < 6 or any(v == value for v, _, _ in out):
            continue
        named = bool(name and _SECRET_NAME.search(name))
        suspicious = _SUSPICIOUS_VALUE.search(value) is not None
        if not (named or suspicious):
            continue
        kind = _detect(name or "value", value)
        if kind is None and named and _looks_random(value):
            kind = "high-entropy string assigned to a secret-like name"
        if kind is not None:
            out.append((value, name or _name_from_kind(kind), kind))
    return out


def _strings_with_names(tree: ast.AST):
    """String constants with the name they are bound to (target, keyword or dict key)."""
    named: dict[int, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(
            node.value, ast.Constant
        ):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                if isinstance(t, ast.Name):
                    named[id(node.value)] = t.id
                elif isinstance(t, ast.Subscript) and isinstance(t.slice, ast.Constant):
                    named[id(node.value)] = str(t.slice.value)
        elif isinstance(node, ast.keyword) and node.arg and isinstance(node.value, ast.Constant):
            named[id(node.value)] = node.arg
        elif isinstance(node, ast.Dict):
            for k, v in zip(node.keys, node.values):
                if isinstance(k, ast.Constant) and isinstance(v, ast.Constant):
                    named[id(v)] = str(k.value)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node, named.get(id(node), "")


def _detect(name: str, value: str) -> str | None:
    from detect_secrets.core.scan import scan_line
    from detect_secrets.settings import default_settings

    safe_name = re.sub(r"\W", "_", name) or "value"
    with default_settings():
        for secret in scan_line(f'{safe_name} = "{value}"'):
            if secret.type not in _ENTROPY_PLUGINS_SKIPPED:
                return secret.type
    return None


def _looks_random(value: str) -> bool:
    if len(value) < 8 or " " in value or "/" in value and "." in value.rsplit("/", 1)[-1]:
        return False
    counts = {ch: value.count(ch) for ch in set(value)}
    entropy = -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())
    return entropy >= 3.0


def _name_from_kind(kind: str) -> str:
    if "Basic Auth" in kind:
        return "connection_string"
    return re.sub(r"\W+", "_", kind).strip("_").lower() or "secret"


def _unique_name(name: str, taken: set[str]) -> str:
    base = re.sub(r"\W+", "_", name).strip("_") or "secret"
    return unique(base, taken, key=lambda n: n.replace("_", "-").lower())


def _line_offset(s: Statement, value: str) -> int:
    for node in ast.walk(s.tree):
        if isinstance(node, ast.Constant) and node.value == value:
            return node.lineno - s.tree.lineno
    return 0


class _Replace(cst.CSTTransformer):
    def __init__(self, mapping: dict[str, str]):
        self.mapping = mapping

    def leave_SimpleString(self, original, updated):
        try:
            value = updated.evaluated_value
        except Exception:  # noqa: BLE001 - bytes or unusual prefixes
            return updated
        if isinstance(value, str) and value in self.mapping:
            return cst.parse_expression(self.mapping[value])
        return updated

    def leave_ConcatenatedString(self, original, updated):
        try:
            value = updated.evaluated_value
        except Exception:  # noqa: BLE001
            return updated
        if isinstance(value, str) and value in self.mapping:
            return cst.parse_expression(self.mapping[value])
        return updated


def _replace(s: Statement, mapping: dict[str, str]) -> None:
    s.node = s.node.visit(_Replace(mapping))
    s.tree = ast.parse(code_of(s.node)).body[0]
    s.facts = _without_modules(analyze(s.tree), {"Secret", "os"})
    s.is_literal = False
    s.literal = None
