import ast

import pytest

from nb2flow.analyze import analyze


def facts(code: str):
    return analyze(ast.parse(code).body[0])


@pytest.mark.parametrize(
    "code,reads,writes",
    [
        ("x = y + 1", ["y"], ["x"]),
        ("x = x + 1", ["x"], ["x"]),
        ("x += 1", ["x"], ["x"]),
        ("a, (b, *c) = f(d)", ["f", "d"], ["a", "b", "c"]),
        ("for i in items:\n    y = i\n    print(y)", ["items", "print"], ["i", "y"]),
        ("for i in r:\n    print(total)\n    total = i", ["r", "print", "total"], ["i", "total"]),
        ("with open(p) as f:\n    data = f.read()", ["open", "p"], ["f", "data"]),
        ("def f(a, b=c):\n    return a + g(b) + h", ["c", "g", "h"], ["f"]),
        ("def f():\n    x = 1\n    return x", [], ["f"]),
        ("y = [v * k for v in vals if v > lim]", ["vals", "lim", "k"], ["y"]),
        ("f = lambda a: a + z", ["z"], ["f"]),
        ("import numpy as np", [], ["np"]),
        ("from a.b import c as d, e", [], ["d", "e"]),
        ("class M(Base):\n    k = K\n    def m(self):\n        return G", ["Base", "K", "G"],
         ["M"]),
        ("if (n := len(x)) > 3:\n    print(n)", ["len", "x", "print"], ["n"]),
        # Python deletes the handler name at the end of the handler: not a write
        ("try:\n    v = 1\nexcept E as e:\n    log(e)", ["E", "log"], ["v"]),
    ],
)
def test_reads_and_writes(code, reads, writes):
    f = facts(code)
    assert list(f.reads) == reads
    assert list(f.writes) == writes


@pytest.mark.parametrize(
    "code,mutated",
    [
        ("df['x'] = 1", ["df"]),
        ("df.x = 1", ["df"]),
        ("del df['x']", ["df"]),
        ("df.loc[m, 'x'] += 1", ["df"]),
        ("lr.fit(X, y)", ["lr"]),
        ("items.append(3)", ["items"]),
        ("X = dv.fit_transform(d)", ["dv"]),
        ("df.dropna(inplace=True)", ["df"]),
        ("df['a'].fillna(0, inplace=True)", ["df"]),
        ("y = df.head()", []),
        ("p = model.predict(X)", []),
        ("for d in (train, val):\n    d['h'] = 1", ["train", "val"]),
        ("for d in frames:\n    d.dropna(inplace=True)", ["frames"]),
    ],
)
def test_mutations_count_as_writes(code, mutated):
    f = facts(code)
    assert list(f.mutates) == mutated
    for name in mutated:
        assert name in f.reads and name in f.writes


def test_branch_writes_are_not_definite():
    f = facts("if c:\n    x = 1\nelse:\n    y = 2")
    assert set(f.writes) == {"x", "y"}
    assert f.definite == ()
    assert facts("with ctx() as c:\n    z = 1").definite == ("c", "z")


def test_io_flags():
    assert facts("df = pd.read_parquet(p)").reads_io
    assert facts("df.to_csv('out.csv')").writes_io
    assert facts("with open('m.bin', 'wb') as f:\n    pickle.dump(m, f)").writes_io
    assert not facts("with open('m.bin') as f:\n    m = pickle.load(f)").writes_io
    assert facts("with open('m.bin') as f:\n    m = pickle.load(f)").reads_io


def test_global_and_exec_are_recorded():
    assert facts("def bump():\n    global counter\n    counter += 1").declares_global == (
        "counter",
    )
    assert facts("exec(code)").uses_exec
    assert facts("from math import *").star_import
