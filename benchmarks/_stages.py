"""Child process of bench_convert.py: time each stage of one conversion, print JSON.

``python benchmarks/_stages.py NOTEBOOK OUT.py`` imports what ``nb2flow convert`` imports
(timing each group), then wraps the stage functions where they are defined (``build``
imports them at call time) and runs ``nb2flow.pipeline.convert`` once with ``force``.
The first call of each stage is what a command-line run pays, so it is what is timed.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from pathlib import Path

T0 = time.perf_counter()

IMPORT_GROUPS = [  # in the order the CLI meets them
    ("typer (CLI)", ["typer"]),
    ("nb2flow.cli", ["nb2flow.cli"]),
    ("nb2flow.pipeline", ["nb2flow.pipeline"]),
    ("libcst", ["libcst"]),
    ("nb2flow stages (classify, plan, prune, secrets)",
     ["nb2flow.classify", "nb2flow.plan", "nb2flow.prune", "nb2flow.secrets"]),
    ("jinja2 + nb2flow.render", ["jinja2", "nb2flow.render"]),
    ("black", ["black"]),
]

STAGES = [  # (label, module, function)
    ("up_to_date check", "nb2flow.pipeline", "up_to_date"),
    ("load", "nb2flow.load", "load"),
    ("settings", "nb2flow.config", "load_settings"),
    ("classify + analyze", "nb2flow.classify", "classify"),
    ("secrets", "nb2flow.secrets", "redact"),
    ("prune", "nb2flow.prune", "prune"),
    ("plan", "nb2flow.plan", "plan"),
    ("render (jinja2)", "nb2flow.render", "render"),
    ("format (black)", "nb2flow.formatting", "format_code"),
    ("stamp", "nb2flow.write", "stamp"),
    ("write", "nb2flow.write", "write_atomic"),
]


def main(notebook: str, out: str) -> None:
    imports: dict[str, float] = {}
    for label, modules in IMPORT_GROUPS:
        start = time.perf_counter()
        for m in modules:
            importlib.import_module(m)
        imports[label] = time.perf_counter() - start
    # ``import black`` alone leaves some of black's own lazy imports to the first call.
    totals: dict[str, float] = {label: 0.0 for label, _, _ in STAGES}
    depth = [0]

    def wrap(label, fn):
        def timed(*args, **kwargs):
            depth[0] += 1
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                depth[0] -= 1
                totals[label] += time.perf_counter() - start
        return timed

    import nb2flow.pipeline as pipeline

    for label, module, name in STAGES:
        mod = sys.modules.get(module) or importlib.import_module(module)
        fn = getattr(mod, name, None)
        if fn is None:  # a stage the pipeline no longer has
            totals.pop(label)
            continue
        wrapped = wrap(label, fn)
        setattr(mod, name, wrapped)
        if getattr(pipeline, name, None) is fn:  # imported at module level
            setattr(pipeline, name, wrapped)
    start = time.perf_counter()
    pipeline.convert(notebook, pipeline.ConvertOptions(output=Path(out), force=True))
    total = time.perf_counter() - start
    loaded = sorted(m for m in sys.modules if "." not in m)
    print(json.dumps({
        "imports": imports, "stages": totals, "convert_total": total,
        "in_process_total": time.perf_counter() - T0, "top_level_modules": loaded,
    }))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
