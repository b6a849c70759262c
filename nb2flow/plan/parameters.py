"""Flow parameters: literal assignments at the top of the notebook, in a parameters cell,
or named with ``--param``."""

from __future__ import annotations

import re

import libcst as cst

from ..errors import Location, Nb2FlowError
from ..ir import Classified, Param, Statement
from ..options import ConvertOptions
from ..rules import PATH_SUFFIXES
from .scope import Scope
from .syntax import comment_of, target_of


def _param_type(value: object) -> str | None:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float, str)):
        return type(value).__name__
    if isinstance(value, list) and 0 < len(value) <= 20:
        kinds = {type(v) for v in value}
        if len(kinds) == 1 and kinds <= {int, float, str}:
            return f"list[{next(iter(kinds)).__name__}]"
    return None


def looks_like_path(value: object) -> bool:
    if not isinstance(value, str) or not value or "\n" in value or len(value) > 300:
        return False
    if value.startswith(("http://", "https://", "s3://", "gs://")):
        return True
    if " " in value:
        return False
    return value.lower().endswith(PATH_SUFFIXES) or (
        "/" in value and not value.startswith("/") and re.fullmatch(r"[\w./-]+", value)
        is not None and "." in value.rsplit("/", 1)[-1]
    )


def parameters(
    c: Classified,
    code: list[Statement],
    write_count: dict[str, int],
    mutated: set[str],
    options: ConvertOptions,
) -> tuple[list[Param], list[Statement]]:
    params: list[Param] = []
    chosen: list[Statement] = []
    top = True
    seen: set[str] = set()
    # Names that notebook functions read stay module constants, so the functions stay
    # plain module-level code. ALL_CAPS settings (``DATA_PATH``, ``N_ESTIMATORS`` at the top)
    # follow the same rules as other names: a setting is a parameter whatever its case.
    read_by_defs = {
        n for s in code if isinstance(s.node, (cst.FunctionDef, cst.ClassDef))
        for n in s.facts.reads
    }
    for s in code:
        name = target_of(s)
        typ = _param_type(s.literal) if s.is_literal else None
        in_param_cell = s.cell in c.parameter_cells
        if not s.is_literal and not isinstance(s.node, (cst.FunctionDef, cst.ClassDef)):
            top = False
        constant = name in read_by_defs
        wanted = (
            in_param_cell
            or name in options.params
            or (not constant and top and typ in ("str", "int", "float", "bool"))
            or (not constant and typ == "str" and looks_like_path(s.literal))
        )
        if not (s.is_literal and typ and wanted) or name in seen or name in mutated:
            continue
        if not in_param_cell and write_count.get(name, 0) > 1 and name not in options.params:
            continue
        seen.add(name)
        chosen.append(s)
        params.append(Param(
            name=name, type=typ, default=s.literal, default_code=repr(s.literal),
            help=comment_of(s.node), cell=s.cell, line=s.line,
        ))
    return params, chosen


def is_path_param(p: Param, path_params: list[Param]) -> bool:
    """An inline path literal, or a variable (``train_path = "data/x.parquet"``) whose
    default looks like a file path."""
    return (p in path_params or p.type == "str") and looks_like_path(p.default)


def flow_parameters(c: Classified, scope: Scope,
                    options: ConvertOptions) -> tuple[list[Param], list[Statement]]:
    """The parameters and the statements they come from; NB2F012 for a ``--param`` (or
    ``[tool.nb2flow] parameters``) naming nothing usable."""
    code = list(scope.code)
    params, chosen = parameters(c, code, dict(scope.write_count), set(scope.mutated), options)
    names = {p.name for p in params}
    asked = [n for n in options.params if n not in names]
    if asked:
        name = asked[0]
        why = (
            "no cell assigns it" if not any(target_of(s) == name for s in code)
            else "the notebook changes it in place" if name in scope.mutated
            else "it is assigned more than once" if scope.write_count.get(name, 0) > 1
            else "its value is not a literal (str, int, float, bool, short list)"
        )
        raise Nb2FlowError(
            "NB2F012", f"parameter `{name}` (--param or [tool.nb2flow] parameters): {why}",
            Location(str(c.notebook.path)),
        )
    return params, chosen
