import ast

import pytest

from nb2flow.magics import translate


@pytest.mark.parametrize(
    "source,expected",
    [
        ("%matplotlib inline\nx = 1", "\nx = 1"),
        ("!pip install pandas==2.0 -q\nx = 1", "\nx = 1"),
        ("%time y = f(x)", "y = f(x)"),
        ("%timeit -n 10 -r 2 f(x)", "f(x)"),
        ("%%time\ny = f(x)\nz = y", "\ny = f(x)\nz = y"),
        ("!wget https://example.com/a.csv", "subprocess.run('wget https://example.com/a.csv', "
         "shell=True, check=True)"),
        ("!ls {folder}", 'subprocess.run(f"ls {folder}", shell=True, check=True)'),
        ("%env API_MODE=test", "os.environ['API_MODE'] = 'test'"),
        ("df.head?", ""),
        ("for i in r:\n    %time f(i)\n    !echo hi",
         "for i in r:\n    f(i)\n    subprocess.run('echo hi', shell=True, check=True)"),
    ],
)
def test_translation_keeps_line_numbers(source, expected):
    out = translate(source)
    assert out.source == expected
    assert out.source.count("\n") == source.count("\n") or source.startswith("%%")
    ast.parse(out.source)


def test_pip_packages_are_collected():
    out = translate("!pip install pandas scikit-learn -q\n%pip install mlflow")
    assert out.pip_packages == ["pandas", "scikit-learn", "mlflow"]


def test_writefile_becomes_open_write():
    out = translate("%%writefile conf/app.txt\nhello\nworld")
    ns: dict = {}
    ast.parse(out.source)
    assert "open('conf/app.txt', 'w')" in out.source
    assert "'hello\\nworld\\n'" in out.source
    assert ns == {}


def test_shell_capture_and_unknown_magics():
    out = translate("files = !ls data\n%unknownmagic 3")
    assert "capture_output=True" in out.source.splitlines()[0]
    assert out.unknown == [(2, "%unknownmagic")]
    assert out.imports == ["subprocess"]
