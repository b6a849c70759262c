"""The wheel carries the templates: build it, install it in a fresh venv, convert with it."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest
from nbutil import make_notebook

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_installs_and_converts(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist),
         str(ROOT)],
        check=True, capture_output=True,
    )
    wheel = next(dist.glob("nb2flow-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "nb2flow/templates/flow.py.j2" in names
    assert not any(n.startswith("tests/") for n in names)

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()
    # Dependencies come from this environment; nb2flow itself only from the wheel.
    (Path(site) / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", site,
         str(wheel)],
        check=True, capture_output=True,
    )
    nb = make_notebook(tmp_path / "work" / "job.ipynb", "import json",
                       "data = {'a': 1}\nwith open('out/r.json', 'w') as f:\n    json.dump(data, f)")
    proc = subprocess.run(
        [python, "-c",
         "import sys, nb2flow.cli, nb2flow.render as r; print(nb2flow.cli.__file__); "
         "print(r.template_dir()); sys.argv = ['nb2flow', 'convert', sys.argv[1]]; "
         "nb2flow.cli.main()", str(nb)],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    module_file, templates = proc.stdout.splitlines()[:2]
    assert module_file.startswith(site) and templates.startswith(site)
    assert "def job(" in (tmp_path / "work" / "job.py").read_text()
