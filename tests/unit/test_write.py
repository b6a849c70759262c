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


def test_read_only_folder_is_a_clear_error(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    os.chmod(folder, 0o500)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("running as a user who can write anywhere (root)")
        with pytest.raises(Nb2FlowError) as info:
            write_atomic(folder / "s.py", "x")
        assert info.value.code == "NB2F010"
    finally:
        os.chmod(folder, 0o700)


def test_check_target(tmp_path):
    target = tmp_path / "s.py"
    assert check_target(target, force=False) == "new"
    target.write_text(stamp(TEXT))
    assert check_target(target, force=False) == "generated"
    target.write_text("mine\n")
    with pytest.raises(Nb2FlowError):
        check_target(target, force=False)
    assert check_target(target, force=True) == "forced"
