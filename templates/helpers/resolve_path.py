# A helper nb2flow copies into generated scripts (nb2flow/plan/helpers.py): the code
# below the imports, as is. Kept as a real module so that it is linted and tested.
import os


def resolve_path(data_dir: str, path: str) -> str:
    """A relative local path, taken relative to ``data_dir``; URLs and absolute paths as is."""
    if "://" in path or os.path.isabs(path):
        return path
    return os.path.join(data_dir, path)
