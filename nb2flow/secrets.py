"""Keep hard-coded credentials out of everything nb2flow writes.

:mod:`nb2flow.secret_spans` finds where a secret sits inside a string literal (the password
of a URL, a query-string key, an ``Authorization`` header, a provider token, a value bound
to a credential-like name). Here each one is replaced by a read at run time:
``Secret.load("<name>").get()`` from a Prefect ``Secret`` block (default), or
``os.environ["<NAME>"]`` (``--secrets env``):

- a literal that is all secret becomes the read; one that holds a secret among other text
  becomes the text around it plus the read (``"postgresql://root:" + Secret... + "@h/db"``);
- a string assigned once to a name (a parameter candidate: ``url = "...?apikey=K&c=1"``)
  is split: the name keeps the text without the secret (``?apikey=&c=1``) and can stay a
  flow parameter; each statement that reads it gets the secret filled in where it reads it;
- a name bound to nothing but secrets and literals (``password = Secret...``,
  ``headers = {"Authorization": "Bearer " + Secret...}``) is bound again in each cell that
  reads it, so the value is loaded by the task that uses it and never crosses a task
  boundary (a Prefect result, persisted or not); notebook functions that read it get the
  read inlined.

The notebook is never modified; the report names the cell and line and the command that
creates the block or variable, never the value.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, replace

import libcst as cst
from libcst.metadata import ExpressionContext, ExpressionContextProvider, MetadataWrapper

from .analyze import analyze
from .astnodes import walk
from .classify import _without_modules, code_of
from .cst_strings import StringReplacer
from .identifiers import unique
from .ir import IMPORT, Classified, Diagnostic, Statement
from .secret_fstrings import redact_fstrings
from .secret_rebuild import _root, rebuildable
from .secret_spans import Span, mask, spans


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


def creation_command(use: SecretUse, mode: str) -> str:
    if mode == "env":
        return f"export {use.env}=..."
    return (
        "python -c \"import getpass; from prefect.blocks.system import Secret; "
        f"Secret(value=getpass.getpass()).save('{use.block}', overwrite=True)\""
    )


@dataclass
class _Fill:
    """A split parameter candidate: ``name`` keeps ``value`` without its secrets; a read
    of ``name`` becomes ``name.replace(old, new_prefix + <read> + new_suffix, 1)``."""

    name: str
    parts: list[tuple[str, str, str, str]]  # (old, new_prefix, read, new_suffix)

    def expression(self) -> str:
        expr = self.name
        for old, prefix, read, suffix in self.parts:
            new = " + ".join(x for x in (repr(prefix) if prefix else "", read,
                                         repr(suffix) if suffix else "") if x)
            expr = f"{expr}.replace({old!r}, {new}, 1)"
        return expr


def redact(c: Classified, mode: str = "block") -> tuple[Classified, list[SecretUse]]:
    """Replace every secret in the kept code by a read at run time (see the module doc)."""
    uses: list[SecretUse] = []
    reads: dict[tuple[str, str], str] = {}  # (value, key) -> read expression
    fills: dict[str, _Fill] = {}
    write_count, mutated = _writes(c)
    assigned = _environment_assigned(c)
    reserved = {n.replace("_", "-").lower() for n in assigned}

    def read_of(secret: str, key: str, kind: str, s: Statement, value: str) -> str:
        if (secret, key) not in reads:
            found = next((r for (v, _), r in reads.items() if v == secret), None)
            if found is not None:  # the same value used twice is one secret
                reads[(secret, key)] = found
                return found
            # a variable the notebook sets is read from itself only (`--secrets env`)
            own = {key.replace("_", "-").lower()} if key in assigned else set()
            base = _unique_name(key, {u.block for u in uses} | (reserved - own))
            use = SecretUse(
                cell=s.cell, line=s.line + _line_offset(s, value), name=key, kind=kind,
                block=base.replace("_", "-").lower(), env=base.upper(),
                aws="AWS" in kind or key.lower().startswith("aws"),
            )
            uses.append(use)
            reads[(secret, key)] = (f'Secret.load("{use.block}").get()' if mode == "block"
                                    else f'os.environ["{use.env}"]')
        return reads[(secret, key)]

    for s in c.statements:
        if s.role != IMPORT:
            _redact_statement(s, read_of, write_count, mutated, fills, c.import_names)
    for s in c.statements:  # split parameter candidates: the literal without its secret
        name = _target_name(s)
        if name in fills and isinstance(s.tree, ast.Assign) and isinstance(
            s.tree.value, ast.Constant
        ):
            s.is_literal, s.literal, s.secret = True, s.tree.value.value, False
    for fill in fills.values():
        _fill_readers(c, fill, c.import_names)
    _materialise(c, write_count, mutated)
    _taint(c)
    _report(c, {v for v, _ in reads}, uses, mode)
    return c, uses


def _redact_statement(s: Statement, read_of, write_count: dict[str, int], mutated: set[str],
                      fills: dict[str, _Fill], modules: set[str]) -> None:
    """Each secret in the statement's strings (and f-strings) replaced by ``read_of``."""
    mapping: dict[str, str] = {}
    for value, name in _strings_with_names(s.tree):
        if value in mapping:
            continue
        found = spans(value, name)
        if not found:
            continue
        target = _split_target(s, value, write_count, mutated)
        pieces = [(sp, read_of(value[sp.start:sp.end], _key(sp, name, value), sp.kind,
                               s, value)) for sp in found]
        if len(found) == 1 and (found[0].start, found[0].end) == (0, len(value)):
            mapping[value] = pieces[0][1]
        elif target is not None:
            cleaned, parts = _split(value, pieces)
            mapping[value] = repr(cleaned)
            fills[target] = _Fill(target, parts)
        else:
            mapping[value] = _concatenation(value, pieces)
    if mapping:
        _replace(s, mapping, modules)
        s.secret = True
    if any(isinstance(n, ast.JoinedStr) for n in walk(s.tree)):
        new = redact_fstrings(s.node, lambda secret, key, kind, text: read_of(
            secret, key, kind, s, text), _key)
        if new is not None:
            s.node = new
            _replace(s, {}, modules)
            s.secret = True


def _report(c: Classified, values: set[str], uses: list[SecretUse], mode: str) -> None:
    """Dropped code and the description masked; the import of the reads."""
    if values:
        c.dropped = [replace(d, code=mask(d.code)) for d in c.dropped]
        c.dropped = [d if not any(v in d.code for v in values) else replace(
            d, code="<redacted>") for d in c.dropped]
    if uses:
        module, name = ("prefect.blocks.system", "Secret") if mode == "block" else ("os", None)
        source = f"from {module} import {name}" if name else f"import {module}"
        tree = ast.parse(source).body[0]
        c.statements.insert(0, Statement(uses[0].cell, 1, cst.parse_statement(source + "\n"),
                                         role=IMPORT, facts=analyze(tree), tree=tree))
        if c.description and mask(c.description) != c.description:
            c.description = None


def warn_prints(c: Classified) -> Classified:
    """NB2W012 for each kept ``print`` of a value read from a secret or built from one:
    ``log_prints=True`` sends it to the flow run's logs (the Prefect server, the UI)."""
    tainted: set[str] = set()  # names holding the secret itself (or text built from it)
    for s in c.statements:
        if s.role == IMPORT:
            continue
        value = getattr(s.tree, "value", None)
        if _target_name(s) and value is not None and _holds_secret(value, tainted):
            tainted.add(_target_name(s))
        for node in walk(s.tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id == "print"):
                continue
            names = {n.id for a in [*node.args, *(k.value for k in node.keywords)]
                     for n in walk(a) if isinstance(n, ast.Name)}
            leaked = sorted(names & tainted) or (["a secret"] if _reads_secret(node) else [])
            if leaked:
                c.diagnostics.append(Diagnostic(
                    "NB2W012", f"print({', '.join(leaked)}) shows a value read from a secret "
                    "or built from one: the flow's log_prints sends it to the run logs; print "
                    "something that does not hold it", s.cell,
                    s.line + node.lineno - s.tree.lineno))
    return c


def guard_results(flow, c: Classified):
    """Tasks that return a value built from a secret (an engine, a client): their results
    are never persisted (``persist_result=False``), and NB2W013 says which value crosses to
    which task, so it can be built where it is used."""
    from .ir import Diagnostic as _D

    secret_names = _holders(c)
    readers: dict[str, list[str]] = {}
    for t in flow.tasks:
        for n in t.inputs:
            readers.setdefault(n, []).append(t.name)
    tasks, diagnostics = [], list(flow.diagnostics)
    for t in flow.tasks:
        crossing = [n for n in t.outputs if n in secret_names and readers.get(n)]
        if crossing and "persist_result=False" not in t.decorator:
            head, _, rest = t.decorator.partition("(")
            args = rest[:-1] if rest else ""
            t = replace(t, decorator=f"{head}({args + ', ' if args else ''}"
                                     "persist_result=False)")
        if crossing:
            for n in crossing:
                diagnostics.append(_D(
                    "NB2W013", f"`{n}` is built from a secret and passed from task {t.name} "
                    f"to {', '.join(readers[n])}: it is changed after it is built (or built "
                    "from values that change), so it cannot be built again where it is used; "
                    "its result is never persisted; build it in the cell that uses it",
                    t.cells[0]))
        tasks.append(t)
    return replace(flow, tasks=tuple(tasks) if isinstance(flow.tasks, tuple) else tasks,
                   diagnostics=tuple(diagnostics))


_DATA_CALL = re.compile(r"^(read_|load|get|fetch|download|query|request|post|put|urlopen|"
                        r"sql|execute|select|json|text|content|describe)", re.IGNORECASE)


def _holders(c: Classified) -> set[str]:
    """Names whose value holds a secret: the secret, text made from it, and objects built
    with it (``create_engine(url)``, ``boto3.client(..., aws_secret_access_key=key)``), not
    the data read with it (``pd.read_csv(url)``, ``requests.get(...)``)."""
    held: set[str] = set()
    for s in c.statements:
        if s.role == IMPORT or not s.secret:
            continue
        value = getattr(s.tree, "value", None)
        if value is None or not _target_name(s):
            continue
        if _holds_secret(value, held):
            held.add(_target_name(s))
        elif isinstance(value, ast.Call):
            func = value.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            args = [*value.args, *(k.value for k in value.keywords)]
            if not _DATA_CALL.match(name) and (any(_holds_secret(a, held) for a in args)
                                               or _root(func) in held):  # session.client()
                held.add(_target_name(s))
    return held


def _holds_secret(e: ast.expr, tainted: set[str]) -> bool:
    """The expression's value is a secret or text made from one: secret reads, names that
    hold one, and string operations on them (not the result of other calls)."""
    if not (_reads_secret(e) or any(isinstance(n, ast.Name) and n.id in tainted
                                    for n in walk(e))):
        return False
    for n in walk(e):
        if isinstance(n, ast.Call) and not _is_secret_read(n) and not (
            isinstance(n.func, ast.Attribute) and n.func.attr in _STR_METHODS
            or isinstance(n.func, ast.Name) and n.func.id in ("str", "repr", "format")
        ):
            return False
    return True


_STR_METHODS = {"format", "encode", "decode", "strip", "lower", "upper", "replace", "join",
                "b64encode", "hexdigest"}


def _environment_assigned(c: Classified) -> set[str]:
    """The environment variables the notebook sets (``os.environ["X"] = ...``,
    ``os.environ.setdefault("X", ...)``)."""
    names: set[str] = set()
    for s in c.statements:
        for n in walk(s.tree) if s.role != IMPORT else ():
            if isinstance(n, ast.Subscript) and isinstance(n.ctx, ast.Store) and isinstance(
                    n.slice, ast.Constant) and _is_environ(n.value):
                names.add(str(n.slice.value))
            elif (isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
                  and n.func.attr == "setdefault" and _is_environ(n.func.value)
                  and n.args and isinstance(n.args[0], ast.Constant)):
                names.add(str(n.args[0].value))
    return names


def _is_environ(e: ast.expr) -> bool:
    """``e`` is ``os.environ`` (written so; only an attribute unparses with a dot)."""
    return isinstance(e, ast.Attribute) and e.attr == "environ" and ast.unparse(e) == "os.environ"


def _writes(c: Classified) -> tuple[dict[str, int], set[str]]:
    count: dict[str, int] = {}
    mutated: set[str] = set()
    for s in c.statements:
        if s.role == IMPORT:
            continue
        for n in s.facts.writes:
            count[n] = count.get(n, 0) + 1
        mutated.update(s.facts.mutates)
    return count, mutated


def _target_name(s: Statement) -> str | None:
    t = s.tree
    if isinstance(t, ast.Assign) and len(t.targets) == 1 and isinstance(t.targets[0], ast.Name):
        return t.targets[0].id
    if isinstance(t, ast.AnnAssign) and isinstance(t.target, ast.Name) and t.value is not None:
        return t.target.id
    return None


def _split_target(s: Statement, value: str, write_count: dict[str, int],
                  mutated: set[str]) -> str | None:
    """The name of ``name = "<value>"`` when it can keep the text without the secret."""
    name = _target_name(s)
    if name is None or not isinstance(s.tree, ast.Assign):
        return None
    v = s.tree.value
    if not (isinstance(v, ast.Constant) and v.value == value):
        return None
    return name if write_count.get(name, 0) == 1 and name not in mutated else None


def _key(sp: Span, name: str, value: str) -> str:
    """The name of the secret block or variable for a span of ``value`` bound to ``name``."""
    if (sp.start, sp.end) == (0, len(value)):
        return name or sp.key
    if name and sp.key.lower() == name.lower():
        return name
    owner = name
    if not owner:
        m = re.search(r"//(?:[^/@]*@)?([A-Za-z0-9\-]+)", value)
        owner = m.group(1) if m else ""
    return f"{owner}_{sp.key}" if owner else sp.key


def _split(value: str, pieces: list[tuple[Span, str]]) -> tuple[str, list]:
    """The value without its secrets, and how to put each one back."""
    cleaned, parts, last = "", [], 0
    for sp, read in pieces:
        start = sp.start
        if sp.kind == "password in a URL":  # drop ":password" too
            start -= 1
        cleaned += value[last:start]
        last = sp.end
        anchor = re.search(r"[^/?&;#\s]*$", cleaned).group(0)
        delimiter = cleaned[len(cleaned) - len(anchor) - 1: len(cleaned) - len(anchor)]
        old = delimiter + anchor
        if sp.kind == "password in a URL":
            following = value[last]  # the "@"
            parts.append((old + following, old + ":", read, following))
        else:
            parts.append((old, old, read, ""))
    cleaned += value[last:]
    # an anchor must find the place it was cut from, not an earlier one
    for old, *_ in parts:
        if cleaned.count(old) != 1:
            return value, []
    return cleaned, parts


def _concatenation(value: str, pieces: list[tuple[Span, str]]) -> str:
    out, last = [], 0
    for sp, read in pieces:
        if sp.start > last:
            out.append(repr(value[last:sp.start]))
        out.append(read)
        last = sp.end
    if last < len(value):
        out.append(repr(value[last:]))
    return " + ".join(out)


def _fill_readers(c: Classified, fill: _Fill, modules: set[str]) -> None:
    """Each later statement reading the split name reads it with its secret filled in."""
    if not fill.parts:
        return
    seen = False
    for s in c.statements:
        if s.role == IMPORT:
            continue
        if _target_name(s) == fill.name and s.is_literal:
            seen = True
            continue
        if seen and fill.name in s.facts.reads:
            _rename_reads(s, fill.name, fill.expression(), modules)
            s.secret = True


def _materialise(c: Classified, write_count: dict[str, int], mutated: set[str]) -> None:
    """Bind a secret-only name again in each cell that reads it (see the module doc)."""
    pure: set[str] = set()
    candidates = []
    for s in c.statements:
        name = _target_name(s)
        if (s.role != IMPORT and name and write_count.get(name, 0) == 1 and name not in mutated
                and _pure_secret(s.tree.value, pure)):
            pure.add(name)
            candidates.append(s)
    _taint(c)
    rebuilt = rebuildable(c, _holders(c), mutated, pure)
    order = {id(s): i for i, s in enumerate(c.statements)}
    candidates = sorted([*candidates, *rebuilt], key=lambda s: order[id(s)])
    rebuilt_ids = {id(s) for s in rebuilt}
    copies: set[int] = set()
    for s in reversed(candidates):  # later first: the copies of `headers` read `token`
        name = _target_name(s)
        start = next(i for i, t in enumerate(c.statements) if t is s)
        bound: set[int] = set()
        keep_original = False
        i = start + 1
        while i < len(c.statements):
            r = c.statements[i]
            if r.role == IMPORT or name not in r.facts.reads:
                i += 1
                continue
            if isinstance(r.tree, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                if isinstance(s.node, cst.SimpleStatementLine):
                    _rename_reads(r, name, code_of(s.node.body[0].value).strip(),
                                  c.import_names)
                i += 1
                continue
            if r.cell == s.cell:
                keep_original = True
            elif r.cell not in bound:
                at = i
                if id(s) in rebuilt_ids:  # at the start of the cell: `engine` names the task
                    while at > 0 and c.statements[at - 1].cell == r.cell and (
                            c.statements[at - 1].role != IMPORT):
                        at -= 1
                while at > 0 and id(c.statements[at - 1]) in copies and (
                        c.statements[at - 1].cell == r.cell):
                    at -= 1  # copies stay in the notebook's order
                copy = replace(s, cell=r.cell, line=r.line)
                copies.add(id(copy))
                c.statements.insert(at, copy)
                i += 1
            bound.add(r.cell)
            i += 1
        if not keep_original:
            c.statements.remove(s)


def _pure_secret(e: ast.expr | None, pure: set[str]) -> bool:
    """Literals, secret reads, names bound to them (``pure``) and their combinations:
    cheap to compute again anywhere."""
    if e is None or not (_reads_secret(e) or any(
            isinstance(n, ast.Name) and n.id in pure for n in walk(e))):
        return False
    for n in walk(e):
        if isinstance(n, ast.Call) and not _is_secret_read(n):
            return False
        if isinstance(n, (ast.Lambda, ast.Await, ast.Yield, ast.NamedExpr, ast.ListComp,
                          ast.DictComp, ast.SetComp, ast.GeneratorExp)):
            return False
        if isinstance(n, ast.Name) and n.id not in ("Secret", "os", *pure):
            return False
    return True


def _is_secret_read(n: ast.Call) -> bool:
    # only `<...>.load(...)` or `<...>.get()` can unparse to `Secret.load(...)[.get()]`
    if not (isinstance(n.func, ast.Attribute) and n.func.attr in ("load", "get")):
        return False
    src = ast.unparse(n)
    return bool(re.fullmatch(r"""Secret\.load\((['"])[^'"]*\1\)(\.get\(\))?""", src))


def _reads_secret(e: ast.AST) -> bool:
    for n in walk(e):
        if isinstance(n, ast.Call) and _is_secret_read(n):
            return True
        if (isinstance(n, ast.Subscript) and isinstance(n.ctx, ast.Load)
                and _is_environ(n.value)):
            return True
    return False


def _taint(c: Classified) -> None:
    """Statements that read a secret or a value computed from one: never cached."""
    tainted: set[str] = set()
    for s in c.statements:
        if s.role == IMPORT:
            continue
        if s.secret or _reads_secret(s.tree) or tainted & set(s.facts.reads):
            s.secret = True
            tainted.update(s.facts.writes)


def _strings_with_names(tree: ast.AST):
    """(value, name) of each string constant with the name it is bound to (the target,
    keyword, dict key, or the variable of ``os.environ.setdefault("NAME", "...")``)."""
    named: dict[int, str] = {}
    in_fstrings = {id(n) for j in walk(tree) if isinstance(j, ast.JoinedStr)
                   for n in walk(j)}  # their text is scanned whole (secret_fstrings)
    for node in walk(tree):
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(
            node.value, ast.Constant
        ):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                if isinstance(t, ast.Name):
                    named[id(node.value)] = t.id
                elif isinstance(t, ast.Attribute):
                    named[id(node.value)] = t.attr
                elif isinstance(t, ast.Subscript) and isinstance(t.slice, ast.Constant):
                    named[id(node.value)] = str(t.slice.value)
        elif isinstance(node, ast.keyword) and node.arg and isinstance(node.value, ast.Constant):
            named[id(node.value)] = node.arg
        elif isinstance(node, ast.Dict):
            for k, v in zip(node.keys, node.values):
                if isinstance(k, ast.Constant) and isinstance(v, ast.Constant):
                    named[id(v)] = str(k.value)
        elif isinstance(node, ast.Call) and len(node.args) >= 2 and all(
            isinstance(a, ast.Constant) and isinstance(a.value, str) for a in node.args[:2]
        ):
            named[id(node.args[1])] = node.args[0].value
    for node in walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and (
                id(node) not in in_fstrings):
            yield node.value, named.get(id(node), "")


def _unique_name(name: str, taken: set[str]) -> str:
    base = re.sub(r"\W+", "_", name).strip("_") or "secret"
    return unique(base, taken, key=lambda n: n.replace("_", "-").lower())


def _line_offset(s: Statement, value: str) -> int:
    for node in walk(s.tree):
        if isinstance(node, ast.Constant) and node.value == value:
            return node.lineno - s.tree.lineno
    return 0


class _RenameReads(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (ExpressionContextProvider,)

    def __init__(self, name: str, expression: str):
        self.name, self.expression = name, cst.parse_expression(expression)
        self.bound: list[bool] = []

    def visit_FunctionDef(self, node):  # a function whose own argument has the name
        params = node.params
        names = {p.name.value for p in [*params.params, *params.kwonly_params,
                                        *params.posonly_params]}
        self.bound.append(self.name in names)

    def leave_FunctionDef(self, original, updated):
        self.bound.pop()
        return updated

    def leave_Name(self, original, updated):
        if (original.value == self.name and not any(self.bound)
                and self.get_metadata(ExpressionContextProvider, original, None)
                == ExpressionContext.LOAD):
            return self.expression
        return updated


def _rename_reads(s: Statement, name: str, expression: str, modules: set[str]) -> None:
    module = MetadataWrapper(cst.Module(body=[s.node]))
    new = module.visit(_RenameReads(name, expression))
    s.node = new.body[0]
    s.tree = ast.parse(code_of(s.node)).body[0]
    s.facts = _without_modules(analyze(s.tree), {"Secret", "os", *modules})


def _replace(s: Statement, mapping: dict[str, str], modules: set[str]) -> None:
    s.node = s.node.visit(StringReplacer(mapping))
    s.tree = ast.parse(code_of(s.node)).body[0]
    s.facts = _without_modules(analyze(s.tree), {"Secret", "os", *modules})
    s.is_literal = False
    s.literal = None
