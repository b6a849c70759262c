"""The hard cases of ``test_hard_cases.py`` again, with the real oracle (``equivalence.py``).

There, each flow runs under the hostile stand-in scheduler of ``flowrun.py`` and the
notebook side is ``exec`` of its code cells: a fast extra check. Here every case that
compares a flow with its notebook runs the **whole notebook in a kernel** (nbclient) and
the **flow under Prefect** on the session's test server; any difference must be one nb2flow
reported. The cases that are about concurrency (in-place changes and aliases handed from
task to task, an in-place extension ordered after its readers) also run converted with
``--sequential``, and the first also with ``--task-runner dask`` (``python script.py``: a
local Dask cluster of worker processes, where a task's arguments are copies).

Each case's own test function runs with ``assert_equivalent`` swapped for the real one, so
the extra assertions it makes on the result (warnings, script text) hold here too.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
import test_hard_cases as hard
from equivalence import assert_same_effects, run_flow, run_notebook, run_script
from flowrun import bad_pyflakes
from nbutil import make_notebook

from nb2flow.pipeline import ConvertOptions, build

pytestmark = pytest.mark.slow

#: cases about what concurrent tasks may see: also --sequential and --task-runner dask
CONCURRENCY = {
    "test_in_place_mutation_passed_between_tasks": ("default", "sequential", "dask"),
    "test_mutation_through_an_alias_after_an_in_place_extension": ("default", "sequential"),
    "test_in_place_extension_is_ordered_after_its_readers": ("default", "sequential"),
}
#: the stand-in check is enough for size: a 2,000-line cell costs 10 s in a kernel
STAND_IN_ONLY = {"test_very_long_cell"}


def _cases() -> list:
    out = []
    for name, fn in vars(hard).items():
        if (not name.startswith("test_") or name in STAND_IN_ONLY
                or "assert_equivalent(" not in inspect.getsource(fn)):
            continue
        marks = [m for m in getattr(fn, "pytestmark", []) if m.name == "parametrize"]
        arg = marks[0].args[1][0] if marks else None  # one value of a parametrized case
        out.append(pytest.param(name, arg, id=name[5:] + (f"[{arg}]" if arg else "")))
    return out


def _real_assert_equivalent(runners):
    def assert_equivalent(tmp_path: Path, *cells, name: str = "nb.ipynb",
                          allow: tuple[str, ...] = (), **_stand_in_only):
        path = make_notebook(tmp_path / "src" / name, *cells)
        (tmp_path / "notebook").mkdir()
        notebook = run_notebook(path, tmp_path / "notebook")
        first = None
        for runner in runners:
            options = {"default": ConvertOptions(),
                       "sequential": ConvertOptions(sequential=True),
                       "dask": ConvertOptions(task_runner="dask")}[runner]
            result = build(path, options)
            first = first or result
            assert [m for m in bad_pyflakes(result.text)
                    if not any(a in m for a in allow)] == [], result.text
            script = path.with_name(f"{path.stem}_{runner}.py")
            script.write_text(result.text)
            work = tmp_path / f"flow-{runner}"
            work.mkdir()
            ran = run_script(script, work) if runner == "dask" else run_flow(script, work)
            assert_same_effects(notebook, ran, result, context=f"{runner}\n{result.text}")
        return first

    return assert_equivalent


@pytest.mark.parametrize("case,arg", _cases())
def test_hard_case_under_prefect(case: str, arg, tmp_path: Path, monkeypatch,
                                 prefect_harness) -> None:
    runners = CONCURRENCY.get(case, ("default",))
    monkeypatch.setattr(hard, "assert_equivalent", _real_assert_equivalent(runners))
    fn = getattr(hard, case)
    fn(tmp_path, arg) if arg is not None else fn(tmp_path)


def _convert_and_run_notebook(path: Path, tmp_path: Path):
    """Convert ``path`` beside itself; run the whole notebook in ``tmp_path/nb`` (the flow
    runs in ``tmp_path/flow``)."""
    result = build(path)
    script = path.with_suffix(".py")
    script.write_text(result.text)
    for folder in ("nb", "flow"):
        (tmp_path / folder).mkdir()
    return result, script, run_notebook(path, tmp_path / "nb")


def test_ipython_syntax_under_prefect(tmp_path: Path, prefect_harness) -> None:
    """``!cmd`` and ``%%bash`` run for real in the kernel and through subprocess in the flow;
    ``x?`` shows help in the kernel and is dropped (reported) from the flow."""
    path = make_notebook(
        tmp_path / "src" / "nb.ipynb",
        "import os\nos.makedirs('out', exist_ok=True)",
        "!echo hi > out/shell.txt",
        "%%bash\necho there > out/bash.txt",
        "x = 1\nx?",
        "print(x)",
    )
    result, script, notebook = _convert_and_run_notebook(path, tmp_path)
    assert notebook.files == {"out/shell.txt": b"hi\n", "out/bash.txt": b"there\n"}
    assert_same_effects(notebook, run_flow(script, tmp_path / "flow"), result)


def test_global_statement_in_a_function_called_in_another_step(tmp_path: Path,
                                                                prefect_harness) -> None:
    """A function rebinding a global, called in two later steps, under Prefect."""
    path = make_notebook(tmp_path / "src" / "nb.ipynb", *hard.GLOBAL_ACROSS_STEPS)
    result, script, notebook = _convert_and_run_notebook(path, tmp_path)
    assert notebook.prints == ["2", "6", "18"]
    assert_same_effects(notebook, run_flow(script, tmp_path / "flow"), result)
