"""Property tests (issue 9): for any notebook that runs, nb2flow never crashes, never emits
broken code, and the flow computes what the notebook computed.

Notebooks come from ``nbgen.notebooks()``: a small stdlib-only grammar whose programs always
run, split into cells at random points and mixed with headings, displays, plots and magics.
For each one nb2flow either raises a documented :class:`Nb2FlowError` or builds a script
that compiles, has no undefined names or unused imports (pyflakes), and, run through its
tasks' ``.fn`` (``flowrun.run_flow_fn``, no Prefect server), prints the same lines and
writes the same files as the notebook's cells run top to bottom.

Examples per test: 40 in CI; ``NB2FLOW_HYPOTHESIS_EXAMPLES=2000`` for a long local run
(see docs/reliability.md).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from equivalence import assert_same_effects
from flowrun import bad_pyflakes, flow_effects, run_cells, run_cells_effects, strip_magics
from hypothesis import HealthCheck, event, example, given, note, settings
from hypothesis import strategies as st
from nbgen import Features, notebooks
from nbutil import make_notebook

from nb2flow.errors import CATALOG, Nb2FlowError
from nb2flow.pipeline import ConvertOptions, build

EXAMPLES = int(os.environ.get("NB2FLOW_HYPOTHESIS_EXAMPLES", "40"))
#: CI explores the same examples on every run (a red build must mean a change broke
#: something, not that a new random example was drawn): `.ci/run` sets
#: NB2FLOW_DERANDOMIZE=1. A local run explores anew.
DERANDOMIZE = os.environ.get("NB2FLOW_DERANDOMIZE") == "1"
SETTINGS = settings(
    max_examples=EXAMPLES,
    derandomize=DERANDOMIZE,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
#: Errors a notebook that runs top to bottom must never get: its syntax is fine, every
#: name is defined before use, and the final cell writes a file or prints.
NEVER_FOR_VALID = {"NB2F006", "NB2F007", "NB2F013", "NB2F017"}

#: The grammar the equivalence property runs with: every feature on. A known bug stays
#: reachable (a random run may find it) and has its deterministic reproducer as a strict
#: xfail in test_hard_cases (none open now).
EQUIVALENCE_FEATURES = Features()


def _describe(cells) -> str:
    out = []
    for i, cell in enumerate(cells, start=1):
        kind, source = ("code", cell) if isinstance(cell, str) else cell[:2]
        out.append(f"--- cell {i} ({kind})\n{source}")
    return "\n".join(out)


def _code_cells(cells) -> list[str]:
    return [c for c in cells if isinstance(c, str)]


def _convert(cells, folder: Path, name: str = "generated.ipynb"):
    """(notebook path, ConvertResult or None, error or None)."""
    path = make_notebook(folder / name, *cells)
    try:
        return path, build(path, ConvertOptions()), None
    except Nb2FlowError as exc:
        assert exc.code in CATALOG
        return path, None, exc


def _assert_flow_computes_what_the_notebook_computes(cells, eager: bool) -> None:
    note(_describe(cells))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        # the generator's promise: the notebook runs top to bottom
        nb_dir, flow_dir, src = tmp / "nb", tmp / "flow", tmp / "src"
        for d in (nb_dir, flow_dir, src):
            d.mkdir()
        notebook = run_cells_effects(cells, nb_dir)

        path, result, error = _convert(cells, src)
        if error is not None:
            event(f"error {error.code}")
            assert error.code not in NEVER_FOR_VALID, (
                f"a notebook that runs top to bottom was refused: {error.render()}")
            return
        text = result.text
        note(text)
        compile(text, "generated.py", "exec")
        assert bad_pyflakes(text) == []
        script = src / "generated.py"
        script.write_text(text)
        # same files and prints, but for what nb2flow reported dropping (equivalence.py)
        for excused in assert_same_effects(notebook, flow_effects(script, flow_dir, eager),
                                           result):
            event(f"reported drop: {excused.what.split()[0]}")


@SETTINGS
@given(cells=notebooks(EQUIVALENCE_FEATURES))
@example(
    cells=[
        "import matplotlib.pyplot as plt\nimport json\nimport os",
        ("markdown", "# Experiment\n\nA generated notebook."),
        "ys = list(range(4))\nitems = ys\nplt.plot(items)",
        ("markdown", "# Load data"),
        "try:\n    a = items[5]\nexcept IndexError:\n    a = len(items)\nb = a\nfor i in range(2):\n    a = (a + i) % 1000\n    if i % 2 == 0:\n        items.append(i)\nxs = list(range(2))\nitems += [0]\nxs[:2]",
        "plt.plot(items)",
        ("markdown", "# Report"),
        "ys += [b]\ndef push1(target, v):\n    target.append(v)\nys = [(v * 2 + 1) % 1000 for v in xs]",
        'os.makedirs("out", exist_ok=True)\nwith open("out/result.json", "w") as f:\n    json.dump({"a": a, "b": b, "items": items, "xs": xs, "ys": ys}, f, sort_keys=True)',
    ]
).via("discovered failure")
def test_flow_computes_what_the_notebook_computes(cells) -> None:
    """Tasks run in the most hostile order a runner may choose (see flowrun.py)."""
    _assert_flow_computes_what_the_notebook_computes(cells, eager=False)


@SETTINGS
@given(cells=notebooks(EQUIVALENCE_FEATURES))
def test_eager_order_gives_the_same_result(cells) -> None:
    """Same as above with every submitted task run at once (the flow body's order)."""
    _assert_flow_computes_what_the_notebook_computes(cells, eager=True)


#: A fixed sample (the same examples on every run) with the real oracle
PREFECT_SAMPLE = 6


@pytest.mark.slow
def test_a_fixed_sample_under_prefect_and_a_kernel(prefect_harness) -> None:
    """The whole generated notebook in a kernel (real magics, real matplotlib) against the
    flow run by Prefect on the session's test server (equivalence.py)."""
    from equivalence import run_flow, run_notebook

    @settings(max_examples=PREFECT_SAMPLE, derandomize=True, database=None, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(cells=notebooks(EQUIVALENCE_FEATURES))
    def check(cells) -> None:
        note(_describe(cells))
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            for d in ("nb", "flow", "src"):
                (tmp / d).mkdir()
            path, result, error = _convert(cells, tmp / "src")
            if error is not None:
                assert error.code not in NEVER_FOR_VALID, error.render()
                return
            script = tmp / "src" / "generated.py"
            script.write_text(result.text)
            note(result.text)
            assert_same_effects(run_notebook(path, tmp / "nb"),
                                run_flow(script, tmp / "flow"), result)

    check()


# ----------------------------------------------------------- never crash, deterministic

# Arbitrary text in cells: most of it is not Python. nb2flow must answer with a
# documented error or a script that compiles.
_snippets = st.sampled_from([
    "x = 1", "print(x)", "def f(:", "x = (", "%matplotlib inline", "!ls", "%%bash\necho hi",
    "x?", "??x", "%time y = 2", "import os", "from math import *", "x = 1\ndel x",
    "await f()", "global x",
    # left out while their hard cases are xfail: a bare "del x"
    # (test_del_of_a_name_never_defined), an undefined decorator (test_undefined_decorator)
    "nonlocal x", "return 1", "yield 2", "lambda: 0", "class A: pass",
    "if True:\n    z = 1", "for i in range(2):\n    print(i)", "x = %who_ls", "%%writefile a.txt\nhi",
    "x = !ls", "%env A=1", "%pip install requests", "exec('q = 1')", "eval('1')",
    "if __name__ == '__main__':\n    print('main')", "\ufeffx = 1", "x = 'caf\u00e9'", "",
    "   ", "# just a comment", "    indented = 1", "x = 1;", "a = b = 3", "with open('o.txt', 'w') as f:\n    f.write('x')",
    "try:\n    pass\nfinally:\n    pass", "match x:\n    case 1:\n        pass",
    "f'{x}'", "async def g():\n    pass", "x: int", "print(*[1, 2])", "def dec(f):\n    return f\n@dec\ndef h(): pass", "@dec\ndef h(): pass", "del x",
    "import matplotlib.pyplot as plt\nplt.plot([1])", "df.plot()", "json.dump(x, open('out.json', 'w'))",
])
_random_text = st.text(alphabet=st.sampled_from("xyz=()[]:%!?.\n #'\"\t0123456789+-*/"),
                       max_size=40)
_cells = st.lists(
    st.one_of(
        _snippets,
        _random_text,
        st.tuples(st.just("markdown"), st.sampled_from(["# T", "## S", "text", "```\n# x\n```"])),
        st.tuples(st.just("code"), _snippets,
                  st.lists(st.sampled_from(["nb2flow:skip", "nb2flow:keep", "parameters",
                                            "nb2flow:task=step", "nb2flow:bogus"]),
                           max_size=2, unique=True)),
    ),
    min_size=0, max_size=8,
)


@SETTINGS
@given(cells=st.one_of(_cells, notebooks(EQUIVALENCE_FEATURES)))
def test_never_crashes_and_is_deterministic(cells) -> None:
    note(_describe(cells))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "a").mkdir()
        (tmp / "b" / "deeper").mkdir(parents=True)
        # same notebook, twice in one folder and once in another: byte-identical scripts
        results = []
        for folder in (tmp / "a", tmp / "a", tmp / "b" / "deeper"):
            try:
                path = make_notebook(folder / "nb.ipynb", *cells)
                results.append(build(path).text)
            except Nb2FlowError as exc:
                assert exc.code in CATALOG
                assert str(path) in exc.render()
                results.append(("error", exc.code, exc.message))
        assert results[0] == results[1] == results[2]
        text = results[0]
        if isinstance(text, tuple):
            event(f"error {text[1]}")
            return
        compile(text, "nb.py", "exec")
        assert str(tmp) not in text
        assert bad_pyflakes(text, allow_unused_imports=True) == []


def test_generator_programs_run() -> None:
    """The strategy's own promise, checked on a fixed sample (a failing example is a bug
    in nbgen, not in nb2flow)."""

    @settings(max_examples=25, deadline=None, database=None)
    @given(cells=notebooks())
    def run(cells) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            run_cells(_code_cells(cells), Path(tmp))

    run()


def test_strip_magics_matches_ipython_for_the_generated_magics() -> None:
    assert strip_magics("%matplotlib inline\nx = 1") == "\nx = 1"
    assert strip_magics("%time y = f(x)") == "y = f(x)"
    assert strip_magics("for i in r:\n    %time g(i)") == "for i in r:\n    g(i)"


@pytest.mark.parametrize("flag", ["aliasing", "global_stmt", "delete", "side_effect_display"])
def test_features_can_be_switched_off(flag: str) -> None:
    """A grammar without one feature still generates runnable notebooks (used to park a
    feature while its bug is open)."""
    features = Features(**{flag: False})

    @settings(max_examples=5, deadline=None, database=None)
    @given(cells=notebooks(features))
    def run(cells) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            run_cells(_code_cells(cells), Path(tmp))

    run()
