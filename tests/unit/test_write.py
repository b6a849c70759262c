import os

import pytest

from nb2flow.errors import Nb2FlowError
from nb2flow.write import PLACEHOLDER, check_target, read_stamp, stamp, write_atomic

TEXT = f"# nb2flow: source=a.ipynb code=abc script={PLACEHOLDER}\nprint(1)\n"


def test_stamp_detects_hand_edits():
    stamped = stamp(TEXT)
    assert read_stamp(stamped).edited is False
    assert read_stamp(stamped + "x = 2\n").edited is True
    assert read_stamp("print(1)\n") is None


def test_atomic_write_keeps_mode_and_leaves_no_temp(tmp_path):
    target = tmp_path / "s.py"
    target.write_text("old")
    os.chmod(target, 0o640)
    write_atomic(target, "new")
    assert target.read_text() == "new"
    assert oct(target.stat().st_mode & 0o777) == oct(0o640)
    assert [p.name for p in tmp_path.iterdir()] == ["s.py"]


def test_unwritable_target_is_a_clear_error(tmp_path):
    """A target whose parent is a file: no user, root included, can create it."""
    parent = tmp_path / "not_a_folder"
    parent.write_text("a file, not a folder")
    with pytest.raises(Nb2FlowError) as info:
        write_atomic(parent / "s.py", "x")
    assert info.value.code == "NB2F010"
    assert str(parent / "s.py") in info.value.render()
    assert parent.read_text() == "a file, not a folder"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["not_a_folder"]  # no temp file


def test_check_target(tmp_path):
    target = tmp_path / "s.py"
    assert check_target(target, force=False) == "new"
    target.write_text(stamp(TEXT))
    assert check_target(target, force=False) == "generated"
    target.write_text("mine\n")
    with pytest.raises(Nb2FlowError):
        check_target(target, force=False)
    assert check_target(target, force=True) == "forced"
