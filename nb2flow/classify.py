"""Stage 2: split cells into statements and give each a role (keep, plot, display, ...).

Decisions use the standard-library ``ast`` of each statement (cheap to pattern-match);
the statement itself stays a libcst node so its comments survive into the script.
"""

from __future__ import annotations

import ast
import re
import textwrap

import libcst as cst

from . import magics
from .analyze import analyze, attr_chain, call_name, propagate, root_name
from .errors import Location, Nb2FlowError
from .ir import (
    DISPLAY,
    IMPORT,
    KEEP,
    MAGIC,
    PLOT,
    Cell,
    Classified,
    Diagnostic,
    Dropped,
    Heading,
    Notebook,
    Statement,
)
from .load import TAG_PREFIX
from .rules import (
    DISPLAY_BUILTINS,
    METRIC_CALL,
    METRIC_VARIABLE,
    PLOT_METHODS,
    PLOT_MODULES,
    PURE_FUNCTIONS,
    PURE_METHODS,
)

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_EMPTY_MODULE = cst.Module(body=[])


def code_of(node: cst.CSTNode) -> str:
    return _EMPTY_MODULE.code_for_node(node)


def classify(nb: Notebook, keep_exploration: bool = False, drop_plots: str = "unsaved") -> Classified:
    out = Classified(
        notebook=nb, statements=[], headings=[], cell_tags={}, parameter_cells=frozenset(),
        dropped=[], diagnostics=[], pip_packages=[], title=None, description=None,
    )
    plot_names: set[str] = set(DISPLAY_BUILTINS)
    saves_figures = _saves_figures(nb) if drop_plots != "all" else set()
    parameter_cells: set[int] = set()
    seen_code = False
    out_of_order = _out_of_order(nb)
    if out_of_order is not None:
        out.diagnostics.append(out_of_order)
    for cell in nb.cells:
        tags = _check_tags(nb, cell)
        out.cell_tags[cell.number] = tags
        if cell.kind == "markdown":
            _markdown(cell, out, seen_code)
            continue
        if cell.kind != "code":
            continue
        seen_code = True
        if "parameters" in tags:
            parameter_cells.add(cell.number)
        if f"{TAG_PREFIX}skip" in tags:
            out.dropped.append(Dropped(cell.number, None, "tagged nb2flow:skip", cell.source))
            continue
        keep_all = f"{TAG_PREFIX}keep" in tags or keep_exploration
        _code_cell(nb, cell, out, plot_names, keep_all, saves_figures)
    out.parameter_cells = frozenset(parameter_cells)
    propagate([s for s in out.statements if s.role != IMPORT])
    return out


def _out_of_order(nb: Notebook) -> Diagnostic | None:
    """One NB2W003 for the whole notebook, at the first cell whose saved execution count is
    lower than an earlier cell's, naming the others as ranges."""
    late: list[tuple[int, int, int]] = []  # cell, its count, the highest count before it
    last_count = 0
    for cell in nb.cells:
        if cell.kind != "code" or cell.execution_count is None:
            continue
        if cell.execution_count < last_count:
            late.append((cell.number, cell.execution_count, last_count))
        last_count = max(last_count, cell.execution_count)
    if not late:
        return None
    first, count, before = late[0]
    rest = [c for c, _, _ in late[1:]]
    others = (f", and so did {'cell' if len(rest) == 1 else 'cells'} {number_ranges(rest)}"
              if rest else "")
    return Diagnostic(
        "NB2W003",
        f"cell ran as [{count}] after [{before}]{others}: the script follows the document "
        "order",
        first,
    )


def number_ranges(numbers: list[int]) -> str:
    """``[8, 9, 10, 12]`` -> ``"8-10, 12"``."""
    parts: list[str] = []
    start = prev = numbers[0]
    for n in numbers[1:] + [None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        parts.append(str(start) if start == prev else f"{start}-{prev}")
        if n is not None:
            start = prev = n
    return ", ".join(parts)


def _check_tags(nb: Notebook, cell: Cell) -> tuple[str, ...]:
    for tag in cell.tags:
        if tag.startswith(TAG_PREFIX):
            rest = tag[len(TAG_PREFIX):]
            if rest in ("skip", "keep"):
                continue
            if rest.startswith("task=") and rest[5:].isidentifier():
                continue
            raise Nb2FlowError(
                "NB2F011", f"unknown tag {tag!r}", Location(str(nb.path), cell.number)
            )
    return cell.tags


def _markdown(cell: Cell, out: Classified, seen_code: bool) -> None:
    lines = cell.source.splitlines()
    in_fence = False
    for i, line in enumerate(lines):
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
            continue
        m = _HEADING.match(line.strip()) if not in_fence else None
        if not m:
            continue
        level, text = len(m[1]), _plain(m[2])
        if not text:
            continue
        if out.title is None and level == 1 and not seen_code and not out.headings:
            out.title = text
            para = []
            for rest in lines[i + 1:]:
                if _HEADING.match(rest.strip()):
                    break
                if not rest.strip() and para:
                    break
                if rest.strip():
                    para.append(rest.strip())
            out.description = _plain(" ".join(para)) or None
            continue
        out.headings.append(Heading(cell.number, level, text))


def _plain(text: str) -> str:
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)  # links and images
    text = re.sub(r"[*_`]+", "", text)
    text = re.sub(r"<[^>]+>", "", text)
    return text.strip()


def _saves_figures(nb: Notebook) -> set[int]:
    """Cells that save a figure (a commented-out ``# plt.savefig(...)`` saves nothing)."""
    return {
        c.number for c in nb.cells
        if c.kind == "code" and re.search(r"^[^#\n]*\.(savefig|write_image|write_html)\(",
                                          c.source, re.MULTILINE)
    }


def _parse(nb: Notebook, cell: Cell) -> tuple[cst.Module, ast.Module, magics.Translation | None]:
    source = cell.source
    translation = None
    first = next((line for line in source.split("\n") if line.strip()), "")
    if first[:1] in (" ", "\t"):  # IPython strips a cell's common leading indent
        source = textwrap.dedent(source)
    try:
        tree = ast.parse(source)
    except SyntaxError:
        translation = magics.translate(source)
        source = translation.source
        if translation.foreign:
            line, magic = translation.foreign
            raise Nb2FlowError(
                "NB2F021", f"{magic}: the cell's body is not Python and nb2flow has no "
                "translation for this magic", Location(str(nb.path), cell.number, line))
        if translation.errors:
            line, message = translation.errors[0]
            raise Nb2FlowError(
                "NB2F013", message, Location(str(nb.path), cell.number, line)
            )
        try:
            tree = ast.parse(source)
        except SyntaxError as exc:
            where = Location(str(nb.path), cell.number, exc.lineno)
            code = (exc.text or "").strip()
            raise Nb2FlowError(
                "NB2F006", f"{exc.msg}: {code}" if code else exc.msg, where
            ) from None
    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError as exc:  # pragma: no cover - ast accepted it
        where = Location(str(nb.path), cell.number, exc.raw_line)
        raise Nb2FlowError("NB2F006", exc.message, where) from None
    return module, tree, translation


def _split(module: cst.Module) -> list[cst.CSTNode]:
    """Top-level statements, one per small statement (``a; b`` gives two)."""
    nodes: list[cst.CSTNode] = []
    header = list(module.header)
    for stmt in module.body:
        if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) > 1:
            for i, small in enumerate(stmt.body):
                nodes.append(cst.SimpleStatementLine(
                    body=[small.with_changes(semicolon=cst.MaybeSentinel.DEFAULT)],
                    leading_lines=stmt.leading_lines if i == 0 else (),
                    trailing_whitespace=stmt.trailing_whitespace
                    if i == len(stmt.body) - 1 else cst.TrailingWhitespace(),
                ))
        else:
            nodes.append(stmt)
    if nodes and header:
        comments = [line for line in header if line.comment is not None]
        if comments:
            first = nodes[0]
            nodes[0] = first.with_changes(leading_lines=[*comments, *first.leading_lines])
    return nodes


def _code_cell(
    nb: Notebook,
    cell: Cell,
    out: Classified,
    plot_names: set[str],
    keep_all: bool,
    saves_figures: set[int],
) -> None:
    if not cell.source.strip():
        out.dropped.append(Dropped(cell.number, None, "empty cell", ""))
        return
    try:
        module, tree, translation = _parse(nb, cell)
        _compile_check(nb, cell, tree)
    except Nb2FlowError as exc:
        if exc.code != "NB2F006" or not (cell.error or cell.execution_count is None):
            raise
        _never_ran(cell, exc, out)
        return
    cell_dropped: list[Dropped] = []
    if translation is not None:
        out.pip_packages.extend(p for p in translation.pip_packages if p not in out.pip_packages)
        for line, code, reason in translation.dropped:
            cell_dropped.append(Dropped(cell.number, line, reason, code))
        for line, command in translation.shell:
            out.diagnostics.append(Diagnostic(
                "NB2W001", f"`!{command}` runs through subprocess.run(..., check=True)"
                if not command.startswith("%%") else f"{command} runs through subprocess.run",
                cell.number, line))
        for line, magic in translation.unknown:
            out.diagnostics.append(
                Diagnostic("NB2W005", f"{magic} has no plain-Python meaning: dropped",
                           cell.number, line)
            )
            cell_dropped.append(Dropped(cell.number, line, f"unknown magic {magic}", magic))
        for module_name in dict.fromkeys(translation.imports):
            line = module_name if module_name.startswith("from ") else f"import {module_name}"
            node = cst.parse_statement(line + "\n")
            imp = ast.parse(line).body[0]
            out.statements.append(
                Statement(cell.number, 1, node, role=IMPORT, facts=analyze(imp), tree=imp)
            )
    nodes = _split(module)
    trees = tree.body
    if len(nodes) != len(trees):  # pragma: no cover - both parsers see the same source
        raise AssertionError(f"cell {cell.number}: statement count differs between parsers")
    nodes, trees, noops = _module_level_noops(nodes, trees, cell.number)
    _refuse_top_level_await(nb, cell, trees)
    statements: list[Statement] = []
    last = len(nodes) - 1
    for i, (node, t) in enumerate(zip(nodes, trees)):
        facts = analyze(t)
        if isinstance(t, (ast.Import, ast.ImportFrom)):
            out.import_names.update(facts.writes)
        elif out.import_names & set(facts.mutates):
            facts = _without_modules(facts, out.import_names)
        stmt = Statement(cell.number, t.lineno, node, facts=facts, tree=t)
        if facts.uses_exec:
            out.diagnostics.append(Diagnostic(
                "NB2W004", "exec/eval/globals() use names nb2flow cannot see: check the "
                "script", cell.number, t.lineno))
        if facts.declares_global:
            out.diagnostics.append(Diagnostic(
                "NB2W006", f"global {', '.join(facts.declares_global)}: the function changes "
                "module state; call it in the step that computes them, or pass and return the value",
                cell.number, t.lineno))
        saves = cell.number in saves_figures or (
            bool(saves_figures) and isinstance(t, (ast.Import, ast.ImportFrom))
        )
        _role(stmt, t, plot_names, keep_all, saves, i == last)
        if stmt.facts is not facts and out.import_names & set(stmt.facts.mutates):
            stmt.facts = _without_modules(stmt.facts, out.import_names)  # re-analysed
        _literal(stmt, t)
        statements.append(stmt)
    kept = [s for s in statements if s.role in (KEEP, IMPORT)]
    dropped = [s for s in statements if s.role not in (KEEP, IMPORT)]
    position = len(out.statements)
    for s in statements:  # where each dropped one stood, for the semantics stage
        if s.role in (KEEP, IMPORT):
            position += 1
        else:
            out.shown.append((position, s))
    if not kept and not statements and noops and not cell_dropped:  # only `global x`
        out.dropped.append(Dropped(cell.number, None, noops[0].reason, cell.source))
    elif not kept:
        reasons = sorted({s.role for s in dropped} | ({MAGIC} if cell_dropped else set()))
        out.dropped.append(Dropped(cell.number, None, _cell_reason(reasons), cell.source))
        out.dropped.extend(d for d in noops if d.code.startswith("if"))
    else:
        out.dropped.extend(cell_dropped)
        out.dropped.extend(noops)
        for s in dropped:
            out.dropped.append(Dropped(s.cell, s.line, s.reason, code_of(s.node).strip()))
        for s in kept:
            for line, reason in s.inner_dropped:
                out.dropped.append(Dropped(s.cell, line, reason, ""))
    out.statements.extend(kept)


def _never_ran(cell: Cell, exc: Nb2FlowError, out: Classified) -> None:
    """A cell with a syntax error that never ran successfully (its saved output is an
    error, or it has no execution count): dropped with a warning. A kept statement that
    needs it is refused later (:func:`nb2flow.names.resolve`)."""
    line = exc.where.line if exc.where else None
    how = "its saved output is an error" if cell.error else "it has no execution count"
    out.broken.append((cell.number, line, exc.message))
    out.dropped.append(Dropped(cell.number, line, f"never ran successfully ({how}): "
                               f"{exc.message}", cell.source))
    out.diagnostics.append(Diagnostic(
        "NB2W014", f"dropped: the cell has a syntax error ({exc.message}) and never ran "
        f"successfully ({how})", cell.number, line))


def _is_main_guard(t: ast.stmt) -> bool:
    """``if __name__ == "__main__":`` (either way round), always true in a notebook."""
    if not isinstance(t, ast.If) or not isinstance(t.test, ast.Compare):
        return False
    test = t.test
    if len(test.ops) != 1 or not isinstance(test.ops[0], ast.Eq):
        return False
    sides = [test.left, test.comparators[0]]
    return any(isinstance(x, ast.Name) and x.id == "__name__" for x in sides) and any(
        isinstance(x, ast.Constant) and x.value == "__main__" for x in sides)


def _module_level_noops(
    nodes: list[cst.CSTNode], trees: list[ast.stmt], cell: int
) -> tuple[list[cst.CSTNode], list[ast.stmt], list[Dropped]]:
    """Statements that mean nothing at a notebook's top level, taken out before analysis.

    ``global x`` outside a function does nothing (inside a task it would make ``x`` a
    module global, or be a syntax error after ``x = ...``). ``if __name__ == "__main__":``
    is always true in a notebook but false when Prefect imports the script: its body is
    kept, unguarded, and an ``else`` branch, which never ran, is dropped.
    """
    out_nodes: list[cst.CSTNode] = []
    out_trees: list[ast.stmt] = []
    dropped: list[Dropped] = []
    pending = list(zip(nodes, trees))
    while pending:
        node, t = pending.pop(0)
        if isinstance(t, ast.Global):
            dropped.append(Dropped(cell, t.lineno, "`global` outside a function does "
                                   "nothing", code_of(node).strip()))
            continue
        if _is_main_guard(t) and isinstance(node, cst.If):
            reason = "`if __name__ == \"__main__\":` is always true in a notebook: its " \
                "body is kept without the `if`"
            if t.orelse:
                reason += " (its else branch never ran and is dropped)"
            dropped.append(Dropped(cell, t.lineno, reason, code_of(
                node.with_changes(body=cst.IndentedBlock([cst.SimpleStatementLine(
                    [cst.Pass()])]), orelse=None, leading_lines=[])).split("\n")[0]))
            inner = list(node.body.body)
            if inner:  # comments above the `if` stay above its first statement
                inner[0] = inner[0].with_changes(
                    leading_lines=[*node.leading_lines, *inner[0].leading_lines])
            inner_nodes = _split(cst.Module(body=inner))
            if len(inner_nodes) != len(t.body):  # pragma: no cover - same source
                raise AssertionError(f"cell {cell}: statement count differs between parsers")
            pending[:0] = list(zip(inner_nodes, t.body))
            continue
        out_nodes.append(node)
        out_trees.append(t)
    return out_nodes, out_trees, dropped


def _compile_check(nb: Notebook, cell: Cell, tree: ast.Module) -> None:
    """Errors the parser accepts but Python does not run (``return`` or ``nonlocal`` at
    top level, ``break`` outside a loop): NB2F006, as for any syntax error."""
    try:
        compile(tree, f"<cell {cell.number}>", "exec",
                flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)
    except SyntaxError as exc:
        where = Location(str(nb.path), cell.number, exc.lineno)
        raise Nb2FlowError("NB2F006", exc.msg, where) from None


def _refuse_top_level_await(nb: Notebook, cell: Cell, trees: list[ast.stmt]) -> None:
    """Jupyter runs ``await`` (and ``async for``/``async with``) at a cell's top level in
    its own event loop; a script cannot, so nb2flow says where instead of writing one
    that does not compile."""
    for t in trees:
        stack: list[ast.AST] = [t]
        while stack:
            node = stack.pop()
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                continue
            if isinstance(node, (ast.Await, ast.AsyncFor, ast.AsyncWith)) or (
                isinstance(node, ast.comprehension) and node.is_async
            ):
                what = {ast.AsyncFor: "async for", ast.AsyncWith: "async with"}.get(
                    type(node), "await")
                line = getattr(node, "lineno", None) or t.lineno
                raise Nb2FlowError(
                    "NB2F020", f"`{what}` outside a function (top-level await) runs only in "
                    "Jupyter: a script must start the event loop itself",
                    Location(str(nb.path), cell.number, line),
                )
            stack.extend(ast.iter_child_nodes(node))


def _bound(facts) -> list[str]:
    """The names a statement binds (``ax = df.hist()`` binds ``ax``; ``df`` only changes)."""
    return [w for w in facts.writes if w not in facts.mutates]


def _without_modules(facts, modules: set[str]):
    """``pd.read_csv(...)`` does not change ``pd``: calls on modules are not mutations."""
    from dataclasses import replace

    mutated = [m for m in facts.mutates if m in modules]
    return replace(
        facts,
        writes=tuple(w for w in facts.writes if w not in mutated),
        mutates=tuple(m for m in facts.mutates if m not in mutated),
    )


def _cell_reason(roles: list[str]) -> str:
    names = {PLOT: "plots", DISPLAY: "displayed values", MAGIC: "notebook magics",
             IMPORT: "plotting imports"}
    parts = [names.get(r, r) for r in roles]
    return "only " + " and ".join(parts) if parts else "no code"


def _role(
    stmt: Statement,
    t: ast.stmt,
    plot_names: set[str],
    keep_all: bool,
    saves_figure: bool,
    is_last: bool,
) -> None:
    if isinstance(t, (ast.Import, ast.ImportFrom)):
        if _is_plot_import(t):
            plot_names.update(_bound(stmt.facts))
            if not keep_all and not saves_figure:
                stmt.role, stmt.reason = PLOT, "plotting import"
                return
        stmt.role = IMPORT
        return
    if keep_all:
        return
    if isinstance(t, (ast.FunctionDef, ast.AsyncFunctionDef)) and not saves_figure and (
        _only_plots(t.body, set(plot_names))
    ):
        stmt.role, stmt.reason = PLOT, "function that only plots"
        plot_names.add(t.name)  # its calls are plots: `plot_predictions(preds)`
        return
    if isinstance(t, ast.Expr):
        kind = _expr_kind(t.value, plot_names)
        if kind == PLOT and saves_figure:
            stmt.draws = True  # ax.hist(x) draws on the figure that fig.savefig writes
        if kind == PLOT and not saves_figure:
            stmt.role, stmt.reason = PLOT, "plot"
        elif kind == "show" or kind == "display-builtin":
            stmt.role, stmt.reason = PLOT, "display call"
        elif kind == "metric":
            value = code_of(stmt.node.body[0].value)
            label = metric_label(t.value, value)
            new = cst.parse_statement(f"print({label + ':'!r}, {value})\n")
            stmt.node = new.with_changes(leading_lines=stmt.node.leading_lines)
            stmt.tree = ast.parse(f"print({label + ':'!r}, {value})").body[0]
            stmt.facts = analyze(stmt.tree)
        elif kind == DISPLAY:
            stmt.role = DISPLAY
            stmt.reason = "displayed value" + (" (last line)" if is_last else "")
        return
    if isinstance(t, (ast.Assign, ast.AnnAssign)) and t.value is not None:
        if _expr_kind(t.value, plot_names) == PLOT and not saves_figure:
            stmt.role, stmt.reason = PLOT, "plot"
            plot_names.update(_bound(stmt.facts))
        return
    if isinstance(t, (ast.For, ast.While, ast.If, ast.With)):
        leaves = [n for n in ast.walk(t) if isinstance(n, ast.stmt) and not _compound(n)]
        kinds = {
            _expr_kind(n.value, plot_names) if isinstance(n, ast.Expr) else KEEP
            for n in leaves
        }
        if kinds and kinds <= {PLOT, "show", "display-builtin", DISPLAY} and not saves_figure:
            stmt.role = PLOT if kinds & {PLOT, "show", "display-builtin"} else DISPLAY
            stmt.reason = "loop or block that only plots" if stmt.role == PLOT else (
                "block that only displays values"
            )
        elif kinds & {PLOT, "show", "display-builtin", DISPLAY} and not saves_figure:
            _strip_inner(stmt, plot_names)


_SHOWN = {PLOT, "show", "display-builtin", DISPLAY}


def _only_plots(body: list[ast.stmt], local: set[str]) -> bool:
    """Whether a function body only draws: every simple statement plots, shows, assigns
    a plotting object (``fig, ax = plt.subplots()``) or returns one; at least one plots."""
    drew = False
    for node in body:
        if isinstance(node, (ast.If, ast.For, ast.While, ast.With)):
            inner = [*node.body, *getattr(node, "orelse", [])]
            if not _only_plots(inner, local):
                return False
            drew = True
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # the docstring
        elif isinstance(node, ast.Expr):
            if _expr_kind(node.value, local) not in (PLOT, "show", "display-builtin"):
                return False
            drew = True
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            if _expr_kind(node.value, local) != PLOT:
                return False
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            local.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
        elif isinstance(node, ast.Return):
            if node.value is not None and not {
                n.id for n in ast.walk(node.value) if isinstance(n, ast.Name)} <= local:
                return False
        elif not isinstance(node, ast.Pass):
            return False
    return drew


def _inner_kind(node: ast.stmt, plot_names: set[str]) -> str:
    if isinstance(node, ast.Expr):
        return _expr_kind(node.value, plot_names)
    if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
        if _expr_kind(node.value, plot_names) == PLOT:
            return PLOT
    return KEEP


def _strip_inner(stmt: Statement, plot_names: set[str]) -> None:
    """Remove plots and shown values from inside a loop or block that also does work."""
    local = set(plot_names)
    removed: list[tuple[int, str]] = []
    for node in ast.walk(stmt.tree):
        if isinstance(node, ast.stmt) and not _compound(node) and node is not stmt.tree:
            kind = _inner_kind(node, local)
            if kind in _SHOWN:
                removed.append((node.lineno, "plot" if kind != DISPLAY else "displayed value"))
                if isinstance(node, (ast.Assign, ast.AnnAssign)):
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    local.update(n.id for t in targets for n in ast.walk(t)
                                 if isinstance(n, ast.Name))
    new = stmt.node.visit(_StripShown(local))
    stmt.node = new
    stmt.tree = ast.parse(code_of(new)).body[0]
    stmt.facts = analyze(stmt.tree)
    stmt.inner_dropped = removed


class _StripShown(cst.CSTTransformer):
    def __init__(self, plot_names: set[str]):
        self.plot_names = plot_names

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def leave_SimpleStatementLine(self, original, updated):
        kept = []
        for small in updated.body:
            tree = ast.parse(_EMPTY_MODULE.code_for_node(small).strip().rstrip(";")).body
            if tree and _inner_kind(tree[0], self.plot_names) in _SHOWN:
                continue
            kept.append(small)
        if not kept:
            return cst.RemoveFromParent()
        return updated.with_changes(body=kept)

    def leave_IndentedBlock(self, original, updated):
        if not updated.body:
            return updated.with_changes(body=[cst.SimpleStatementLine([cst.Pass()])])
        return updated


def _compound(n: ast.stmt) -> bool:
    return isinstance(n, (ast.For, ast.While, ast.If, ast.With, ast.Try, ast.AsyncFor,
                          ast.AsyncWith))


def _is_plot_import(t: ast.Import | ast.ImportFrom) -> bool:
    modules = [a.name for a in t.names] if isinstance(t, ast.Import) else [t.module or ""]
    return all(
        any(m == p or m.startswith(p + ".") for p in PLOT_MODULES) for m in modules
    )


_WRAPPERS = {"sqrt", "round", "float", "abs", "mean", "item"}


def _metric_name(e: ast.expr) -> str | None:
    """The metric a shown expression computes: ``rmse`` in ``rmse(y, p)``,
    ``mean_squared_error(y, p) ** 0.5``, ``np.sqrt(mean_squared_error(y, p))``."""
    if isinstance(e, ast.Call):
        name = call_name(e)
        if name and METRIC_CALL.search(name) and name != "fit":
            return name
        if name in _WRAPPERS:
            inner = [*e.args[:1]] or ([e.func.value] if isinstance(e.func, ast.Attribute) else [])
            return next((m for m in map(_metric_name, inner) if m), None)
        return None
    if isinstance(e, ast.BinOp):
        return _metric_name(e.left) or _metric_name(e.right)
    if isinstance(e, ast.UnaryOp):
        return _metric_name(e.operand)
    if isinstance(e, ast.Name) and METRIC_VARIABLE.match(e.id):
        return e.id  # `auc` shown as a cell's last line
    return None


def metric_label(e: ast.expr, source: str) -> str | None:
    """The label convert prints before a shown metric (``print("rmse:", rmse(y, p))``).

    The metric function's name when the expression is just its call, else the expression's
    own text (spaces collapsed, at most 70 characters); None when it computes no metric.
    ``nb2flow verify`` reads the flow's output with this same function, so both sides agree
    on the label.
    """
    if _metric_name(e) is None:
        return None
    plain = isinstance(e, ast.Call) and _metric_name(e) == call_name(e)
    return call_name(e) if plain else " ".join(source.split())[:70]


def _expr_kind(e: ast.expr, plot_names: set[str]) -> str:
    """``plot``, ``show``, ``display``, ``metric`` or ``keep`` for an expression."""
    if isinstance(e, (ast.BinOp, ast.UnaryOp, ast.Name)) and _metric_name(e):
        return "metric"
    if isinstance(e, ast.Call):
        root = root_name(e.func)
        attrs = attr_chain(e.func)
        name = call_name(e)
        if isinstance(e.func, ast.Name) and e.func.id in DISPLAY_BUILTINS:
            return "display-builtin"
        if root in plot_names or any(a in PLOT_METHODS for a in attrs):
            return PLOT
        if name == "print":
            return KEEP
        if any(k.arg == "inplace" for k in e.keywords):
            return KEEP
        if _metric_name(e):
            return "metric"
        if isinstance(e.func, ast.Name) and e.func.id in PURE_FUNCTIONS:
            return DISPLAY
        if isinstance(e.func, ast.Attribute) and e.func.attr in PURE_METHODS:
            return DISPLAY
        return KEEP
    if isinstance(e, (ast.Await, ast.Yield, ast.YieldFrom, ast.NamedExpr)):
        return KEEP
    if isinstance(e, ast.Tuple) and any(
        _expr_kind(x, plot_names) == KEEP and isinstance(x, ast.Call) for x in e.elts
    ):
        return KEEP
    return DISPLAY


def _literal(stmt: Statement, t: ast.stmt) -> None:
    if not (
        isinstance(t, ast.Assign)
        and len(t.targets) == 1
        and isinstance(t.targets[0], ast.Name)
    ) and not (isinstance(t, ast.AnnAssign) and isinstance(t.target, ast.Name) and t.value):
        return
    try:
        stmt.literal = ast.literal_eval(t.value)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return
    stmt.is_literal = True
