"""What a notebook is for: sinks, reports, effects and models (data only).

The tables the pipeline-semantics stage (:mod:`nb2flow.semantics`) reads. Each entry is a
name as it appears in a call (``obj.name(...)`` or ``name(...)``); the reason texts users
see are in :mod:`nb2flow.semantics.reasons`.
"""

from __future__ import annotations

import re

# ------------------------------------------------------------------------- reports

#: Plain functions that only report (their output goes to the run's logs).
REPORT_FUNCTIONS = {"print", "pprint"}
#: MLflow calls that record a number or a label of a run: reports, not sinks.
TRACKING_REPORTS = {
    "log_metric", "log_metrics", "log_param", "log_params", "set_tag", "set_tags",
    "log_batch",
}
#: Logger methods (``logger.info(...)``, ``logging.warning(...)``).
LOGGER_METHODS = {"debug", "info", "warning", "warn", "error", "exception", "critical", "log"}
LOGGER_NAMES = re.compile(r"^_?(log|logger|logging|LOGGER|LOG|log_\w+|\w+_logger)$")

# --------------------------------------------------------------------------- sinks

#: MLflow records attached to a run (files, tables, figures): they belong to the run, so
#: they go with it when the run is an experiment.
RUN_RECORDS = {
    "log_artifact", "log_artifacts", "log_dict", "log_text", "log_figure", "log_image",
    "log_table", "log_input",
}
#: The attribute that starts a Spark writer chain (``df.write.mode(...).parquet(path)``).
SPARK_WRITERS = {"write", "writeStream", "writeTo"}
#: HTTP methods that send something: a sink, unless the host is local (a demo).
HTTP_SENDS = {"post", "put", "patch", "delete"}
#: Calls that run another notebook (papermill): its output notebook is a product.
NOTEBOOK_RUNS = {"execute_notebook"}
#: ``mlflow.run(...)`` / ``mlflow.projects.run(...)`` runs an MLflow project: a product.
PROJECT_RUNS = {"run"}
#: Folder creation: an effect that serves later writes, never a product of its own.
FOLDER_CALLS = {"mkdir", "makedirs"}
#: SQL that only reads: ``cursor.execute("SELECT ...")`` is a query, not a sink.
READ_ONLY_SQL = re.compile(r"^\s*(select|with|show|describe|explain|pragma)\b", re.I)
#: Hosts that mean "a service this notebook started to try it out".
LOCAL_URL = re.compile(
    r"^(https?|grpc|ws)://(localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\])(:\d+)?(/|$)", re.I
)

# ------------------------------------------------------------------------- effects

#: Environment settings: ``os.environ[...] = ...`` is recognised from its target.
ENVIRONMENT_CALLS = {"putenv", "load_dotenv", "chdir", "setdefault", "update", "append",
                     "insert"}
#: Receivers whose ENVIRONMENT_CALLS change the process environment.
ENVIRONMENT_RECEIVERS = {"environ", "os", "path", "dotenv"}
#: Seeding a random generator: serves every later statement.
SEED_CALLS = {"seed", "manual_seed", "manual_seed_all", "set_seed", "seed_everything",
              "set_random_seed"}
#: Ends a resource's life (flush its buffers, close the file, stop the session):
#: kept with the resource.
LIFECYCLE_METHODS = {
    "close", "flush", "stop", "awaitTermination", "shutdown", "disconnect", "dispose",
    "terminate", "join", "finish", "end_run", "release", "wait", "processAllAvailable",
}

# -------------------------------------------------------------------------- models

#: Methods that train (``model.fit(X, y)``; ``xgb.train(params, dtrain)``).
FIT_METHODS = {"fit", "fit_transform", "fit_predict", "partial_fit", "train",
               "fit_generator", "fit_resample", "train_model", "fit_one_cycle", "fine_tune",
               "fit_flat_cos", "fit_sgdr"}
#: Training callbacks that write the model or its logs as it trains: the fit is a sink.
CHECKPOINT_CALLBACKS = re.compile(
    r"(ModelCheckpoint|BackupAndRestore|CSVLogger|TensorBoard|WandbCallback|WandbModelCheckpoint|"
    r"MLflowCallback|SaveModelCallback|Checkpoint)$")
#: Calls that search hyperparameters: ``fmin(fn=objective, ...)``, ``study.optimize(...)``.
SEARCH_FUNCTIONS = {"fmin", "optimize", "gp_minimize", "forest_minimize", "gbrt_minimize",
                    "tune_model", "run_trials"}
#: Estimators that search (their ``fit`` is a search).
SEARCH_CLASSES = re.compile(r"^(\w*SearchCV|Halving\w+|TuneSearchCV|TuneGridSearchCV)$")
#: ``mlflow.<flavor>.autolog()`` logs the models the library trains: the package it covers.
AUTOLOG_FLAVORS = {
    "sklearn": "sklearn", "xgboost": "xgboost", "lightgbm": "lightgbm",
    "tensorflow": "tensorflow", "keras": "keras", "pytorch": "torch",
    "statsmodels": "statsmodels", "spark": "pyspark", "pyspark": "pyspark",
    "catboost": "catboost", "prophet": "prophet", "fastai": "fastai",
    "transformers": "transformers", "paddle": "paddle",
}

#: Cross-validation: trains clones of its estimator. Of the model the pipeline keeps, a
#: validation (a report); of another estimator, an experiment.
CV_FUNCTIONS = {"cross_val_score", "cross_validate", "cross_val_predict", "learning_curve",
                "validation_curve", "permutation_test_score"}
#: Calls that evaluate a model: a print of their value reports on the model.
EVALUATION_CALLS = re.compile(
    r"(error|score|accuracy|rmse|mse|mae|mape|auc|r2|f1|precision|recall|loss|metric|"
    r"report|matrix|curve|predict\w*|evaluate|transform)", re.I)

#: Functions that compute a metric of predictions (an assignment of one is a report).
METRIC_FUNCTION = re.compile(
    r"(_error|_score|^score$|accuracy|rmse|^mse$|^mae$|mape|auc|^r2|^f1|precision|recall|"
    r"log_loss|^evaluate$)", re.I)

# -------------------------------------------------------------------- exploration

#: Calls and attributes that describe the machine, not the data (versions, devices).
MACHINE_CALLS = {"version", "python_version", "is_available", "device_count",
                 "get_device_name", "list_physical_devices", "cpu_count", "platform"}
MACHINE_ATTRIBUTES = {"__version__", "version", "VERSION", "version_info"}

#: Attributes that describe a table's shape or schema.
SHAPE_ATTRIBUTES = {"shape", "columns", "dtypes", "index", "size", "ndim", "dtype",
                    "__version__", "version", "T"}
#: Methods whose value only describes the data (printed, they are exploration); a call on
#: their result (``df.isnull().sum()``) describes too.
DESCRIBE_METHODS = {
    "head", "tail", "describe", "info", "sample", "value_counts", "nunique", "unique",
    "isna", "isnull", "notna", "notnull", "memory_usage", "dtypes", "printSchema", "show",
}
