"""``--date-params`` (year and month parameters for dated paths) and ``--data-dir``."""

from __future__ import annotations

import re

from ..identifiers import unique
from ..ir import Diagnostic, Param
from ..pycode import string_body
from .helpers import helper, scheduled_month
from .parameters import is_path_param

_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})(?!\d)")


def date_parameters(
    params: list[Param], path_params: list[Param], taken: set[str], diagnostics: list,
    scheduled: str = "previous",
) -> tuple[list[Param], list[str], list[str]]:
    """Paths that differ only by a ``YYYY-MM`` date become ``year``/``month`` parameters.

    A run started by a schedule takes them from its scheduled time (``scheduled``: the
    ``previous`` month or the ``current`` one) unless it was given them.
    """
    dated = [p for p in params if is_path_param(p, path_params)
             and len(_DATE.findall(p.default)) == 1]
    templates = {_DATE.sub("{}", p.default) for p in dated}
    if not dated or len(templates) != 1:
        diagnostics.append(Diagnostic(
            "NB2W008", "--date-params: no path parameters that differ only by a YYYY-MM date"))
        return params, [], []
    dates = [tuple(map(int, _DATE.search(p.default).groups())) for p in dated]
    year, month = min(dates)
    first = dated[0]
    new_params = [
        Param(unique("year", taken), "int", year, repr(year), "year of the data", first.cell,
              first.line),
        Param(unique("month", taken), "int", month, repr(month), "month of the data (1-12)",
              first.cell, first.line),
    ]
    y, m = new_params[0].name, new_params[1].name
    offset = "" if scheduled == "previous" else ", 0"
    prelude = [f"{y}, {m} = scheduled_month({y}, {m}{offset})"]
    for p, (py, pm) in zip(dated, dates):
        offset = (py * 12 + pm) - (year * 12 + month)
        call = f"year_month({y}, {m}, {offset})" if offset else f"year_month({y}, {m})"
        before, after = _DATE.split(p.default, maxsplit=1)[0], _DATE.split(p.default)[-1]
        text = string_body(before) + "{" + call + "}" + string_body(after)
        prelude.append(f'{p.name} = f"{text}"')
    kept = [p for p in params if p not in dated]
    index = params.index(dated[0])
    kept[index:index] = new_params
    return kept, prelude, [helper("year_month").source, scheduled_month(y, m)]


def data_dir_parameter(
    params: list[Param], path_params: list[Param], taken: set[str],
    templated: list[Param] = (),
) -> tuple[list[Param], list[str], list[str]]:
    """A ``data_dir`` parameter that relative path parameters are resolved against."""
    local = sorted(
        (p for p in [*params, *templated] if is_path_param(p, path_params)
         and "://" not in p.default and not p.default.startswith("/")),
        key=lambda p: (p.cell, p.line),
    )
    if not local:
        return params, [], []
    name = unique("data_dir", taken)
    lines = [f"{p.name} = resolve_path({name}, {p.name})" for p in local]
    param = Param(name, "str", ".", "'.'", "folder that relative paths are read from and "
                  "written to", local[0].cell, local[0].line)
    return [*params, param], lines, [helper("resolve_path").source]
