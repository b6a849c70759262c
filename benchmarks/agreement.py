"""Statement-level agreement of nb2flow with the scripts people wrote by hand from notebooks.

    python benchmarks/agreement.py FOLDER [--nb2flow PATH] [--out FILE] [--results]
    python benchmarks/agreement.py FOLDER --show NAME      # one pair, statement by statement

FOLDER holds reference pairs: ``NAME.ipynb`` (a real public notebook) beside ``NAME.py`` (the
script its own authors later wrote from it, several files concatenated when they split it).
``benchmarks/corpora/reference.csv`` lists where each pair comes from and its style; pairs in the
manifest but not in the folder are reported as missing.

For each pair, the units are the notebook's code statements: the top-level statements of its
code cells, magics and shell lines ignored. A unit is *kept* by a script when an equivalent
statement appears anywhere in it (inside functions too). Equivalence is judged on normalised
``ast.dump`` strings:

* string and number literals become a placeholder; an f-string keeps only its expressions;
* a call argument that is a plain value (a literal, a name, an attribute or a subscript of one,
  a path join of those) becomes the placeholder, so ``read_parquet("data/x.parquet")`` matches
  ``read_parquet(train_path)`` and ``read_parquet(config["data"]["train"])``;
* ``NAME = <literal>`` is kept when the script binds ``NAME`` in any way (an assignment, a
  function or flow parameter, a keyword argument, an ``argparse``/``click`` option);
* an assignment is also kept when the script computes the same value under another name or
  returns it; a shown value (a bare expression) matches ``print``/``display`` of it;
* an import is kept when the script imports any of the same names;
* a compound statement (``def``, ``class``, ``for``, ``with``, ``if``, ``while``, ``try``) is kept
  when the script has the same header (a ``def``/``class`` of that name, a loop over the same
  normalised iterable) or at least half of its body's statements.

The person's script says which units belong in the pipeline. nb2flow's generated script
(``nb2flow convert NB -o OUT --force -q``) says which units nb2flow kept. Per notebook:
recall = units both kept / units the person kept, precision = units both kept / units nb2flow
kept, F1 their harmonic mean. The baseline is keeping everything, what
``jupyter nbconvert --to script`` gives (recall 1 by construction; its precision is the share of
the notebook the person kept). A refused notebook (non-zero exit) counts as recall 0 and is
listed with its error code. Overall figures pool the units of every notebook (micro average);
the mean of the per-notebook F1 is shown beside them.

Nothing here imports nb2flow: it measures the executable given (default: the one beside the
running interpreter). It prints a markdown report; ``--out FILE`` writes it too, and
``--results`` rewrites its section of ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import ast
import copy
import csv
import datetime
import json
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
MANIFEST = HERE / "corpora" / "reference.csv"
SECTION = "agreement with hand-written scripts"

PLACEHOLDER = "_C"
SHOW_FUNCS = {"print", "display", "pprint"}
REPORT_FUNCS = SHOW_FUNCS | {"logger.info", "logging.info", "log.info", "st.write"}
# Cell magics whose body is Python that runs; every other cell magic (%%bash, %%writefile,
# %%sql, ...) makes the whole cell a magic, ignored like line magics and shell lines.
PYTHON_BODY_MAGICS = {"time", "timeit", "capture", "prun", "memit", "debug"}
# Calls that only wrap or look up a value: a literal moved into a path, the environment or a
# secret store is still the same argument.
PLAIN_CALLS = {"str", "Path", "int", "float", "os.path.join", "Path.home", "pathlib.Path",
               "os.getenv", "os.environ.get", "getenv"}
_SECRET_CALL = re.compile(r"^(Secret\.load\(.*\)\.get|Variable\.get|dbutils\.secrets\.get)$")
COMPOUND = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.For, ast.AsyncFor,
            ast.While, ast.If, ast.With, ast.AsyncWith, ast.Try)


# --------------------------------------------------------------------------------------------
# Reading code: notebook cells and scripts
# --------------------------------------------------------------------------------------------

def _cell_source(cell: dict) -> str:
    src = cell.get("source", cell.get("input", ""))
    return "".join(src) if isinstance(src, list) else str(src)


def notebook_cells(path: Path) -> list[str]:
    """Sources of the code cells of a notebook (nbformat 4, or 3 with worksheets)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    cells = nb.get("cells")
    if cells is None:
        cells = [c for ws in nb.get("worksheets", []) for c in ws.get("cells", [])]
    return [_cell_source(c) for c in cells if c.get("cell_type") == "code"]


_MAGIC_LINE = re.compile(r"^(\s*)(%|!)")
_SHELL_ASSIGN = re.compile(r"^(\s*)[\w., ]+=\s*[!%]")
_HELP_LINE = re.compile(r"^\s*[\w.]+\?{1,2}\s*$")


def strip_magics(source: str) -> str:
    """Python of a cell with its magics and shell lines replaced by ``pass`` (indent kept).

    A cell magic whose body is Python (``%%time``, ``%%capture``) keeps its body; any other
    cell magic empties the cell.
    """
    lines = source.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is not None and lines[first].lstrip().startswith("%%"):
        name = lines[first].strip()[2:].split(maxsplit=1)[0] if lines[first].strip()[2:] else ""
        if name not in PYTHON_BODY_MAGICS:
            return ""
        lines = lines[first + 1:]
    out = []
    continued = False
    for line in lines:
        if continued:  # a shell or magic line continued with a backslash
            continued = line.rstrip().endswith("\\")
            continue
        m = _MAGIC_LINE.match(line) or _SHELL_ASSIGN.match(line)
        if m or _HELP_LINE.match(line):
            indent = m.group(1) if m else re.match(r"^\s*", line).group(0)
            out.append(indent + "pass")
            continued = line.rstrip().endswith("\\")
        else:
            out.append(line)
    return "\n".join(out)


def parse_cell(source: str) -> list[ast.stmt] | None:
    """Top-level statements of a cell, or None when it is not Python (after magics)."""
    code = strip_magics(source)
    try:
        return ast.parse(code).body
    except SyntaxError:
        pass
    # Automagic lines (``pip install x``, ``ls data/``): drop the lines that do not parse
    # on their own at top level, once, then give up.
    kept = []
    for line in code.splitlines():
        if line and not line[0].isspace():
            try:
                ast.parse(line)
            except SyntaxError:
                if not line.rstrip().endswith((":", "(", "[", "{", ",", "\\")):
                    continue
        kept.append(line)
    try:
        return ast.parse("\n".join(kept)).body
    except SyntaxError:
        return None


def is_unit(stmt: ast.stmt) -> bool:
    """Whether a top-level statement is a unit of code (not a docstring or ``pass``)."""
    if isinstance(stmt, ast.Pass):
        return False
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
        return False
    return True


# --------------------------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------------------------

def _is_literal(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        return _is_literal(node.operand)
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return all(_is_literal(e) for e in node.elts)
    if isinstance(node, ast.Dict):
        return all(k is not None and _is_literal(k) for k in node.keys) and all(
            _is_literal(v) for v in node.values)
    if isinstance(node, ast.BinOp):  # 1e-3 * 5, "a" + "b"
        return _is_literal(node.left) and _is_literal(node.right)
    return False


def _is_plain_value(node: ast.AST) -> bool:
    """A value that a script may take from a parameter, a constant or a config instead."""
    if _is_literal(node) or isinstance(node, ast.Name):
        return True
    if isinstance(node, ast.Attribute):
        return _is_plain_value(node.value)
    if isinstance(node, ast.Subscript):
        return _is_plain_value(node.value) and _is_plain_value(node.slice)
    if isinstance(node, (ast.List, ast.Tuple)):
        return all(_is_plain_value(e) for e in node.elts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Div, ast.Add)):
        return _is_plain_value(node.left) and _is_plain_value(node.right)
    if isinstance(node, ast.Call) and not node.keywords:
        name = ast.unparse(node.func)
        if name in PLAIN_CALLS or _SECRET_CALL.match(name):
            return all(_is_plain_value(a) for a in node.args)
    return False


class _Normalise(ast.NodeTransformer):
    """Literals and plain call arguments to a placeholder; with ``anonymous``, variable names
    too (the names of called functions and of attributes stay)."""

    def __init__(self, anonymous: bool = False) -> None:
        self.anonymous = anonymous

    def visit_Name(self, node: ast.Name) -> ast.AST:
        return ast.Name("_N", node.ctx) if self.anonymous else node

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        if node.value is None or isinstance(node.value, bool) or node.value is Ellipsis:
            return node
        return ast.Name(PLACEHOLDER, ast.Load())

    def visit_JoinedStr(self, node: ast.JoinedStr) -> ast.AST:
        values = [self.visit(v.value) for v in node.values if isinstance(v, ast.FormattedValue)]
        if not values:
            return ast.Name(PLACEHOLDER, ast.Load())
        return ast.Call(ast.Name("_F", ast.Load()), values, [])

    def visit_Call(self, node: ast.Call) -> ast.AST:
        # what a print reports is its identity: only its literals are normalised
        plain = _is_literal if ast.unparse(node.func) in REPORT_FUNCS else _is_plain_value
        if not isinstance(node.func, ast.Name):  # a called function keeps its name
            node.func = self.visit(node.func)
        node.args = [a if isinstance(a, ast.Starred) else
                     ast.Name(PLACEHOLDER, ast.Load()) if plain(a) else self.visit(a)
                     for a in node.args]
        for kw in node.keywords:
            if kw.arg is not None and _is_plain_value(kw.value):
                kw.value = ast.Name(PLACEHOLDER, ast.Load())
            else:
                kw.value = self.visit(kw.value)
        node.keywords.sort(key=lambda kw: kw.arg or "")
        return node


def _dump(node: ast.AST, anonymous: bool = False) -> str:
    return ast.dump(_Normalise(anonymous).visit(copy.deepcopy(node)), annotate_fields=False)


# A statement may match under other variable names (``df = df.select(...).join(...)`` in the
# notebook, ``df_clean = events.select(...).join(...)`` in a function) only when it is
# distinctive enough: this many attribute and function names in it. ``lr.fit(X, y)`` (one)
# must not match ``booster.fit(X, y)``.
MIN_NAMES_ANONYMOUS = 3


def _anonymous_key(node: ast.AST) -> str | None:
    names = sum(isinstance(n, ast.Attribute) or (isinstance(n, ast.Call) and
                                                 isinstance(n.func, ast.Name))
                for n in ast.walk(node))
    return "anon " + _dump(node, anonymous=True) if names >= MIN_NAMES_ANONYMOUS else None


def _anonymous_keys(stmt: ast.stmt) -> set[str]:
    """Keys of a simple statement and of its value with variable names anonymised."""
    keys = {_anonymous_key(stmt)}
    value = getattr(stmt, "value", None)
    if isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.Return, ast.Expr)) and value is not None:
        keys.add(_anonymous_key(_shown(value) or value))
    keys.discard(None)
    return keys


def _shown(node: ast.expr) -> ast.expr | None:
    """``x`` for ``print(x)``/``display(x)`` with one argument, else None."""
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id in SHOW_FUNCS and len(node.args) == 1 and not node.keywords):
        return node.args[0]
    return None


def _header(stmt: ast.stmt) -> str | None:
    """The normalised header of a compound statement (None for ``try``)."""
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return f"def {stmt.name}"
    if isinstance(stmt, ast.ClassDef):
        return f"class {stmt.name}"
    if isinstance(stmt, (ast.For, ast.AsyncFor)):
        return f"for {_dump(stmt.target)} in {_dump(stmt.iter)}"
    if isinstance(stmt, (ast.While, ast.If)):
        return f"{type(stmt).__name__.lower()} {_dump(stmt.test)}"
    if isinstance(stmt, (ast.With, ast.AsyncWith)):
        return "with " + "; ".join(_dump(i.context_expr) for i in stmt.items)
    return None


def _bodies(stmt: ast.stmt) -> list[ast.stmt]:
    out = []
    for name in ("body", "orelse", "finalbody"):
        out += getattr(stmt, name, []) or []
    for handler in getattr(stmt, "handlers", []) or []:
        out += handler.body
    return out


def _leaves(stmts: list[ast.stmt]) -> list[ast.stmt]:
    """Simple statements of a body, at any depth (the statements a compound one is made of)."""
    out = []
    for s in stmts:
        if isinstance(s, COMPOUND):
            out += _leaves(_bodies(s))
        elif is_unit(s) and not isinstance(s, (ast.Return, ast.Break, ast.Continue)):
            out.append(s)
    return out


def _import_names(stmt: ast.Import | ast.ImportFrom) -> set[str]:
    if isinstance(stmt, ast.Import):
        return {f"import {a.name}" for a in stmt.names}
    return {f"import {stmt.module}.{a.name}" for a in stmt.names}


def _bound_names(stmt: ast.stmt) -> set[str]:
    """``param NAME`` keys for every name the statement binds (targets, parameters, ...)."""
    out = set()
    if isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        for t in targets:
            for n in ast.walk(t):
                if isinstance(n, ast.Name):
                    out.add(n.id)
                elif isinstance(n, ast.Attribute):  # self.name = ..., config.name = ...
                    out.add(n.attr)
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
        a = stmt.args
        for arg in a.posonlyargs + a.args + a.kwonlyargs:
            out.add(arg.arg)
    return {f"param {n.lower()}" for n in out}


def _options(node: ast.AST) -> set[str]:
    """``param NAME`` keys for keyword arguments and ``--name`` command-line options."""
    out = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Call):
            for kw in n.keywords:
                if kw.arg:
                    out.add(kw.arg)
            for a in n.args:
                if isinstance(a, ast.Constant) and isinstance(a.value, str) and \
                        a.value.startswith("--"):
                    out.add(a.value[2:].replace("-", "_"))
    return {f"param {n.lower()}" for n in out}


# --------------------------------------------------------------------------------------------
# Matching
# --------------------------------------------------------------------------------------------

@dataclass
class ScriptIndex:
    """Everything a script provides for a notebook statement to match."""

    stmts: set[str] = field(default_factory=set)  # normalised simple statements
    values: set[str] = field(default_factory=set)  # normalised values computed or returned
    headers: set[str] = field(default_factory=set)  # headers of compound statements
    imports: set[str] = field(default_factory=set)
    params: set[str] = field(default_factory=set)  # names bound in any way
    anonymous: set[str] = field(default_factory=set)  # distinctive statements, names anonymised


def index_script(tree: ast.Module) -> ScriptIndex:
    ix = ScriptIndex()
    ix.params |= _options(tree)
    for s in ast.walk(tree):
        if not isinstance(s, ast.stmt):
            continue
        ix.params |= _bound_names(s)
        if isinstance(s, (ast.Import, ast.ImportFrom)):
            ix.imports |= _import_names(s)
            continue
        if isinstance(s, COMPOUND):
            header = _header(s)
            if header:
                ix.headers.add(header)
            continue
        ix.stmts.add(stmt_key(s))
        ix.anonymous |= _anonymous_keys(s)
        value = getattr(s, "value", None)
        if isinstance(s, (ast.Assign, ast.AnnAssign, ast.Return, ast.Expr)) and value is not None:
            ix.values.add(_dump(value))
            shown = _shown(value)
            if shown is not None:
                ix.values.add(_dump(shown))
            for arg in _reported(value):
                ix.values.add(_dump(arg))
    return ix


def _reported(node: ast.expr) -> list[ast.expr]:
    """The values a ``print``/``display``/``logger.info`` call reports, f-strings opened:
    ``print("R2 =", r2_score(y, p))`` reports ``r2_score(y, p)``."""
    if not (isinstance(node, ast.Call) and ast.unparse(node.func) in REPORT_FUNCS):
        return []
    out = []
    for arg in node.args:
        if isinstance(arg, ast.JoinedStr):
            out += [v.value for v in arg.values if isinstance(v, ast.FormattedValue)]
        elif not isinstance(arg, ast.Constant):
            out.append(arg)
    return out


def stmt_key(stmt: ast.stmt) -> str:
    """The normalised form of a simple statement; a shown value is the value itself.

    A print of literals only (``print("Labels:")``) keeps its text: with the literals
    replaced, every such print would match every other.
    """
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and \
            stmt.value.args and all(isinstance(a, ast.Constant) for a in stmt.value.args):
        return "literal " + ast.dump(stmt.value, annotate_fields=False)
    if isinstance(stmt, ast.Expr):
        shown = _shown(stmt.value)
        return "expr " + _dump(shown if shown is not None else stmt.value)
    return _dump(stmt)


def is_kept(stmt: ast.stmt, ix: ScriptIndex) -> bool:
    """Whether a notebook statement has an equivalent in the script indexed by ``ix``."""
    if isinstance(stmt, (ast.Import, ast.ImportFrom)):
        return bool(_import_names(stmt) & ix.imports)
    if isinstance(stmt, COMPOUND):
        header = _header(stmt)
        if header is not None and header in ix.headers:
            return True
        leaves = _leaves(_bodies(stmt))
        if not leaves:
            return False
        return sum(is_kept(s, ix) for s in leaves) * 2 >= len(leaves)
    key = stmt_key(stmt)
    if key in ix.stmts or key.startswith("literal "):
        return key in ix.stmts
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and \
            isinstance(stmt.targets[0], ast.Name) and _is_literal(stmt.value):
        return f"param {stmt.targets[0].id.lower()}" in ix.params
    if isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.Expr)) and stmt.value is not None:
        value = stmt.value
        if isinstance(stmt, ast.Expr):
            value = _shown(value) or value
        if (not isinstance(value, ast.Name) or isinstance(stmt, ast.Expr)) and \
                _dump(value) in ix.values:
            return True
    return bool(_anonymous_keys(stmt) & ix.anonymous)


# --------------------------------------------------------------------------------------------
# Running the tools and scoring
# --------------------------------------------------------------------------------------------

@dataclass
class Pair:
    name: str
    notebook: Path
    script: Path
    style: str = "unlisted"
    repository: str = ""


@dataclass
class Score:
    pair: Pair
    units: list[tuple[int, ast.stmt]]  # (cell number, statement)
    person: list[bool]
    nb2flow: list[bool] | None  # None when refused
    baseline: list[bool]
    error: str = ""
    skipped_cells: int = 0

    def counts(self, tool: list[bool] | None) -> tuple[int, int, int]:
        """(units the person kept, units the tool kept, units both kept)."""
        tool = tool or [False] * len(self.units)
        return (sum(self.person), sum(tool),
                sum(p and t for p, t in zip(self.person, tool)))


def prf(person: int, tool: int, both: int) -> tuple[float, float, float]:
    recall = both / person if person else 0.0
    precision = both / tool if tool else 0.0
    f1 = 2 * recall * precision / (recall + precision) if recall + precision else 0.0
    return recall, precision, f1


def script_index(path_or_text: Path | str) -> ScriptIndex:
    text = path_or_text.read_text(encoding="utf-8") if isinstance(path_or_text, Path) \
        else path_or_text
    try:
        return index_script(ast.parse(text))
    except SyntaxError:
        # nbconvert output with a cell that is not Python (a shell line or magic left as it
        # was): index it cell by cell, as cells are read. Cells are marked ``# In[n]:``, or
        # only separated by blank lines when the notebook names no Python lexer.
        ix = ScriptIndex()
        marker = re.compile(r"^# In\[[ \d]*\]:\s*$", flags=re.M)
        chunks = marker.split(text) if marker.search(text) else re.split(r"\n{3,}", text)
        for chunk in chunks:
            body = parse_cell(chunk)
            if body is None:
                continue
            part = index_script(ast.Module(body=body, type_ignores=[]))
            for name in ("stmts", "values", "headers", "imports", "params", "anonymous"):
                getattr(ix, name).update(getattr(part, name))
        return ix


def convert(nb2flow: str, notebook: Path, out: Path) -> tuple[str | None, str]:
    """The generated script's text, or None and the error code (or message) on refusal."""
    proc = subprocess.run([nb2flow, "convert", str(notebook), "-o", str(out), "--force", "-q"],
                          capture_output=True, text=True, timeout=120)
    if proc.returncode == 0 and out.exists():
        return out.read_text(encoding="utf-8"), ""
    codes = sorted(set(re.findall(r"NB2F\d{3}", proc.stderr + proc.stdout)))
    message = ", ".join(codes) if codes else (
        f"exit {proc.returncode}: " + (proc.stderr.strip().splitlines() or [""])[-1][:80])
    return None, message


def nbconvert(jupyter: str | None, notebook: Path) -> str | None:
    if not jupyter:
        return None
    proc = subprocess.run([jupyter, "nbconvert", "--to", "script", "--stdout", str(notebook)],
                          capture_output=True, text=True, timeout=120)
    return proc.stdout if proc.returncode == 0 else None


def score(pair: Pair, nb2flow: str, jupyter: str | None, work: Path) -> Score:
    units: list[tuple[int, ast.stmt]] = []
    skipped = 0
    for number, source in enumerate(notebook_cells(pair.notebook), start=1):
        body = parse_cell(source)
        if body is None:
            skipped += 1
            continue
        units += [(number, s) for s in body if is_unit(s)]
    person_ix = script_index(pair.script)
    person = [is_kept(s, person_ix) for _, s in units]
    generated, error = convert(nb2flow, pair.notebook, work / f"{pair.name}.py")
    tool = None
    if generated is not None:
        ix = script_index(generated)
        tool = [is_kept(s, ix) for _, s in units]
    exported = nbconvert(jupyter, pair.notebook)
    if exported is None:  # keep-everything without the tool: every unit
        baseline = [True] * len(units)
    else:
        ix = script_index(exported)
        baseline = [is_kept(s, ix) for _, s in units]
    return Score(pair, units, person, tool, baseline, error, skipped)


# --------------------------------------------------------------------------------------------
# Input and report
# --------------------------------------------------------------------------------------------

def read_manifest(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def find_pairs(folder: Path, manifest: list[dict[str, str]]) -> tuple[list[Pair], list[str]]:
    """Pairs present in the folder (styles from the manifest) and manifest rows missing."""
    rows = {r["name"]: r for r in manifest}
    pairs, missing = [], []
    for nb in sorted(folder.glob("*.ipynb")):
        script = nb.with_suffix(".py")
        if not script.exists():
            missing.append(f"{nb.name}: no {script.name} beside it")
            continue
        row = rows.get(nb.stem, {})
        pairs.append(Pair(nb.stem, nb, script, row.get("style", "unlisted") or "unlisted",
                          row.get("repository", "")))
    present = {p.name for p in pairs}
    missing += [f"{name}: in the manifest, not in {folder}" for name in rows
                if name not in present]
    return pairs, missing


def _pct(x: float) -> str:
    return f"{x:.2f}"


def _row(label: str, scores: list[Score]) -> list[str]:
    tot = [0, 0, 0]
    base = [0, 0, 0]
    for s in scores:
        tot = [a + b for a, b in zip(tot, s.counts(s.nb2flow))]
        base = [a + b for a, b in zip(base, s.counts(s.baseline))]
    r, p, f = prf(*tot)
    _, bp, bf = prf(*base)
    refused = sum(s.nb2flow is None for s in scores)
    units = sum(len(s.units) for s in scores)
    return [label, str(len(scores)), str(units), str(tot[0]), str(tot[1]), _pct(r), _pct(p),
            _pct(f), _pct(bp), _pct(bf), str(refused)]


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join("---:" if i else "---" for i in range(len(header))) + "|"]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])


def report(scores: list[Score], missing: list[str], versions: str) -> str:
    out = [f"Measured {datetime.date.today().isoformat()}: {versions}.", ""]
    out.append(
        f"{len(scores)} notebooks from {len({s.pair.repository or s.pair.name for s in scores})}"
        " repositories, each beside the script its authors wrote from it. Units: top-level "
        "statements of code cells (magics ignored). R = recall (of the units the person kept, "
        "share nb2flow kept), P = precision (of the units nb2flow kept, share the person "
        "kept); the baseline keeps everything (`jupyter nbconvert --to script`), so its recall "
        "is 1. Totals pool the units of all notebooks; a refused notebook counts as recall 0.")
    out.append("")
    header = ["", "notebooks", "units", "person kept", "nb2flow kept", "R", "P", "F1",
              "baseline P", "baseline F1", "refused"]
    styles = sorted({s.pair.style for s in scores})
    rows = [_row(style, [s for s in scores if s.pair.style == style]) for style in styles]
    rows.append(["**all**"] + [f"**{c}**" for c in _row("", scores)[1:]])
    out.append(_table(header, rows))
    f1s = [prf(*s.counts(s.nb2flow))[2] for s in scores]
    bf1s = [prf(*s.counts(s.baseline))[2] for s in scores]
    if scores:
        base_kept = sum(sum(s.baseline) for s in scores)
        base_person = sum(s.counts(s.baseline)[2] for s in scores)
        person = sum(sum(s.person) for s in scores)
        out += ["", f"Mean of the per-notebook F1: nb2flow {sum(f1s) / len(f1s):.2f}, "
                    f"baseline {sum(bf1s) / len(bf1s):.2f}. The baseline kept {base_kept} of "
                    f"{sum(len(s.units) for s in scores)} units ({base_person} of the "
                    f"{person} the person kept)."]
    converted = [s for s in scores if s.nb2flow is not None]
    if len(converted) < len(scores) and converted:
        row = _row("", converted)
        out += ["", f"On the {len(converted)} notebooks nb2flow converts: R {row[5]}, P {row[6]},"
                    f" F1 {row[7]} (baseline P {row[8]}, F1 {row[9]})."]
    out += ["", "Per notebook:", ""]
    prow = []
    for s in scores:
        person, tool, both = s.counts(s.nb2flow)
        r, p, f = prf(person, tool, both)
        _, bp, bf = prf(*s.counts(s.baseline))
        note = f"refused: {s.error}" if s.nb2flow is None else ""
        if s.skipped_cells:
            note = (note + "; " if note else "") + f"{s.skipped_cells} cell(s) not Python"
        prow.append([f"`{s.pair.name}`", s.pair.style, str(len(s.units)), str(person),
                     str(tool), str(both), _pct(r), _pct(p), _pct(f), _pct(bp), _pct(bf), note])
    out.append(_table(["notebook", "style", "units", "person kept", "nb2flow kept", "both",
                       "R", "P", "F1", "baseline P", "baseline F1", "note"], prow))
    refused = [s for s in scores if s.nb2flow is None]
    if refused:
        out += ["", "Refused: " + "; ".join(f"`{s.pair.name}` ({s.error})" for s in refused)]
    if missing:
        out += ["", "Missing: " + "; ".join(missing)]
    return "\n".join(out) + "\n"


def show(s: Score) -> str:
    """Each unit with who kept it: P = the person, N = nb2flow."""
    lines = [f"{s.pair.name}: P = kept by the person's script, N = kept by nb2flow"
             + (f" (refused: {s.error})" if s.nb2flow is None else "")]
    tool = s.nb2flow or [False] * len(s.units)
    for (cell, stmt), p, n in zip(s.units, s.person, tool):
        text = ast.unparse(stmt).splitlines()[0][:100]
        mark = ("P" if p else ".") + ("N" if n else ".")
        flag = "" if p == n else ("   <- nb2flow dropped" if p else "   <- nb2flow kept extra")
        lines.append(f"{mark} cell {cell:>3}: {text}{flag}")
    return "\n".join(lines)


def _version(cmd: list[str]) -> str:
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    except OSError:
        return "?"
    return (proc.stdout.strip() or proc.stderr.strip()).splitlines()[-1] if (
        proc.stdout.strip() or proc.stderr.strip()) else "?"


def _checkout(executable: str) -> str:
    """`` at <commit>`` when the executable is in a venv inside a git checkout (VENV/bin/X)."""
    try:
        folder = Path(executable).parent.parent.parent
        proc = subprocess.run(["git", "-C", str(folder), "log", "-1", "--format=%h %cs"],
                              capture_output=True, text=True, timeout=30)
    except (OSError, IndexError):
        return ""
    return f" at {proc.stdout.strip()}" if proc.returncode == 0 and proc.stdout.strip() else ""


def main(argv: list[str] | None = None) -> int:
    here = Path(sys.executable).parent
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder", type=Path, help="folder of NAME.ipynb + NAME.py pairs")
    ap.add_argument("--nb2flow", default=str(here / "nb2flow"),
                    help="nb2flow executable to measure (default: the one in this venv)")
    ap.add_argument("--jupyter", default=str(here / "jupyter"),
                    help="jupyter executable for the nbconvert baseline ('' to skip running it)")
    ap.add_argument("--manifest", type=Path, default=MANIFEST)
    ap.add_argument("--out", type=Path, help="also write the report to this file")
    ap.add_argument("--results", action="store_true",
                    help=f"rewrite the '{SECTION}' section of benchmarks/RESULTS.md")
    ap.add_argument("--show", metavar="NAME", action="append",
                    help="print one pair unit by unit (repeatable)")
    args = ap.parse_args(argv)

    pairs, missing = find_pairs(args.folder, read_manifest(args.manifest))
    if args.show:
        pairs = [p for p in pairs if p.name in args.show]
    if not pairs:
        print(f"no NAME.ipynb + NAME.py pairs in {args.folder}", file=sys.stderr)
        return 1
    jupyter = args.jupyter if args.jupyter and Path(args.jupyter).exists() else None
    with tempfile.TemporaryDirectory() as tmp:
        scores = [score(p, args.nb2flow, jupyter, Path(tmp)) for p in pairs]
    if args.show:
        print("\n\n".join(show(s) for s in scores))
        return 0
    nbconvert_version = _version([jupyter, "nbconvert", "--version"]) if jupyter else "not run"
    nb2flow_version = _version([args.nb2flow, "--version"]).removeprefix("nb2flow ")
    versions = (f"nb2flow {nb2flow_version}{_checkout(args.nb2flow)} "
                f"(`{args.nb2flow}`), nbconvert {nbconvert_version}, "
                f"Python {sys.version.split()[0]}")
    text = report(scores, missing, versions)
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    if args.results:
        sys.path.insert(0, str(HERE))
        from _util import update_results

        update_results(SECTION, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
