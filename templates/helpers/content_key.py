# A helper nb2flow copies into generated scripts (nb2flow/plan/helpers.py): the code
# below the imports, as is. Kept as a real module so that it is linted and tested.
import hashlib
import inspect

from prefect.utilities.hashing import hash_objects


def content_key(context, parameters):
    """Cache key from the task's source and its inputs by value: DataFrames, arrays and
    sparse matrices are hashed by content, so equal data gives the same key in every run.
    None (no caching) when an input cannot be hashed."""
    try:
        source = inspect.getsource(context.task.fn).encode()
    except (OSError, TypeError):
        source = context.task.fn.__code__.co_code
    digest = hashlib.sha256(source)
    for name, value in sorted(parameters.items()):
        part = _content(value)
        if part is None:  # a value that cannot be hashed: do not cache
            return None
        digest.update(name.encode() + b"=" + part)
    return digest.hexdigest()


def _content(value):
    package = type(value).__module__.split(".")[0]
    try:
        if package == "pandas" and hasattr(value, "index"):
            from pandas.util import hash_pandas_object

            names = value.columns if hasattr(value, "columns") else value.name
            head = repr((type(value).__name__, names))
            types = str(value.dtypes)
            rows = hash_pandas_object(value, index=True).to_numpy().tobytes()
            return (head + types).encode() + rows
        if package == "numpy" and getattr(value, "dtype", None) is not None:
            if value.dtype.hasobject:
                return hash_objects(value.tolist(), raise_on_failure=True).encode()
            head = repr((value.shape, str(value.dtype))).encode()
            return head + value.tobytes(order="C")
        if package == "scipy" and hasattr(value, "tocsr"):
            matrix = value.tocsr(copy=True)
            matrix.sum_duplicates()
            matrix.sort_indices()
            parts = (matrix.data, matrix.indices, matrix.indptr)
            head = repr((matrix.shape, str(matrix.dtype))).encode()
            return head + b"".join(part.tobytes() for part in parts)
        if isinstance(value, (list, tuple)):
            parts = [_content(item) for item in value]
            return None if None in parts else repr(len(parts)).encode() + b"|".join(parts)
        key = hash_objects(value, raise_on_failure=True)
        return key.encode()
    except Exception:  # noqa: BLE001 - unhashable: no cache key
        return None
