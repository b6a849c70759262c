"""Calls: which only compute a value, which read or write files, URLs and databases."""

from __future__ import annotations

import re

#: Methods that return a new value and leave their object alone (pandas, numpy, sklearn).
PURE_METHODS = {
    "head", "tail", "describe", "info", "sample", "value_counts", "nunique", "unique",
    "isna", "isnull", "notna", "notnull", "count", "sum", "mean", "median", "min", "max",
    "std", "var", "mode", "quantile", "corr", "cov", "skew", "kurt", "abs", "round",
    "copy", "groupby", "agg", "aggregate", "apply", "map", "applymap", "transform",
    "query", "merge", "join", "concat", "drop", "dropna", "fillna", "rename", "replace",
    "reset_index", "set_index", "sort_values", "sort_index", "astype", "to_dict", "to_numpy",
    "to_list", "tolist", "to_frame", "to_string", "items", "keys", "values", "get",
    "predict", "predict_proba", "predict_log_proba", "decision_function", "score",
    "get_params", "get_feature_names_out", "format", "split", "strip", "lower", "upper",
    "startswith", "endswith", "reshape", "flatten", "ravel", "any", "all", "argmax",
    "argmin", "cumsum", "diff", "pct_change", "shift", "rolling", "resample", "pivot",
    "pivot_table", "melt", "explode", "duplicated", "drop_duplicates", "between", "isin",
    "select_dtypes", "filter", "where", "mask", "clip", "nlargest", "nsmallest", "idxmax",
    "idxmin", "memory_usage", "dot", "total_seconds", "assign", "loc", "iloc", "exists",
    "read_text", "read_bytes", "index", "find", "encode", "decode", "title", "zfill",
    "nsmallest", "first", "last", "size", "sem", "prod", "rank", "interpolate", "truncate",
    # tensors (torch, tensorflow): a new value, the tensor unchanged
    "item", "numpy", "detach", "cpu", "dim", "numel", "squeeze", "unsqueeze", "view",
    "permute", "argsort", "nonzero",
}

#: Plain functions whose call, as a statement, only shows a value.
PURE_FUNCTIONS = {
    "len", "type", "repr", "str", "int", "float", "bool", "list", "dict", "set", "tuple",
    "sorted", "max", "min", "sum", "abs", "round", "isinstance", "hasattr", "dir", "vars",
    "id", "hash", "range", "zip", "enumerate", "any", "all", "format",
}

#: Calls that read files, URLs or databases: their tasks get retries.
READ_CALL = re.compile(
    r"^(read_\w+|load|loads?_\w+|open|urlopen|urlretrieve|fetch\w*|download\w*|"
    r"read_sql\w*|connect|create_engine|load_dataset|load_data|imread|loadtxt|genfromtxt|"
    r"read|read_table|read_csv|read_parquet)$"
)
#: ``get`` reads over the network only on an HTTP client (``requests.get``), not ``d.get``.
HTTP_CLIENTS = re.compile(r"^(requests|httpx|urllib3|\w*session|\w*client|http)$", re.I)
#: Methods and functions that write files. ``to_dict``/``to_numpy`` and ``df.insert`` are
#: not writes; ``copy`` writes only as ``shutil.copy`` (``df.copy()`` is pure).
WRITE_CALL = re.compile(
    r"^(to_(csv|parquet|pickle|json|excel|feather|sql|hdf|html|latex|markdown|stata|orc|xml|"
    r"netcdf|zarr|file|gbq|clipboard|onnx)|savefig|save\w*|dump|write\w*|mkdir|makedirs|"
    r"copyfile|copy2|copytree|copyfileobj|move|imsave|"
    r"log_artifact\w*|log_model|log_metrics?|log_params?|log_dict|log_figure|log_table|"
    r"log_text|log_input|set_tags?|register_model|savetxt|savez\w*|export\w*|upload\w*|"
    r"put_object|send\w*|insert_one|insert_many|executemany|execute|commit)$"
)
#: Methods that change their object (beyond PURE_METHODS everything is assumed to).
INPLACE_KEYWORD = "inplace"

#: File extensions that make a string literal a path.
PATH_SUFFIXES = (
    ".csv", ".parquet", ".pq", ".json", ".jsonl", ".xlsx", ".xls", ".txt", ".pkl",
    ".pickle", ".bin", ".joblib", ".h5", ".hdf5", ".feather", ".arrow", ".npy", ".npz",
    ".png", ".jpg", ".svg", ".pdf", ".html", ".db", ".sqlite", ".tsv", ".gz", ".zip",
    ".yaml", ".yml", ".onnx", ".pt", ".model", ".ubj", ".avro", ".orc", ".xml", ".tar",
)
