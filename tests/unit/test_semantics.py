"""The pipeline-semantics stage: what is kept (and as what), what is dropped and why.

Each case is a notebook (cells) and what a person turning it into a script would keep,
written as the statements' first lines; dropped statements are checked by reason.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from nbutil import make_notebook

from nb2flow.classify import classify, code_of
from nb2flow.errors import Nb2FlowError
from nb2flow.ir import IMPORT
from nb2flow.load import load
from nb2flow.prune import prune


def decide(tmp_path: Path, *cells, keep_experiments: bool = False):
    nb = load(make_notebook(tmp_path / "n.ipynb", *cells))
    return prune(classify(nb), keep_experiments=keep_experiments)


def kept(c) -> list[str]:
    return [code_of(s.node).strip().split("\n")[0] for s in c.statements if s.role != IMPORT]


def reason(c, text: str) -> str:
    found = [d.reason for d in c.dropped if d.code.startswith(text)]
    assert found, f"{text!r} was not dropped: {kept(c)}"
    return found[0]


IMPORTS = ("import pickle\nimport mlflow\nimport xgboost as xgb\n"
           "from sklearn.linear_model import Lasso, LinearRegression\n"
           "from sklearn.ensemble import RandomForestRegressor, ExtraTreesRegressor\n"
           "from hyperopt import fmin, tpe, hp")


def test_orchestration_notebook_shape(tmp_path):
    """The MLOps course notebook: the Lasso run, the search and the model zoo are
    experiments; the XGBoost run that logs its model and the preprocessor is the pipeline."""
    cells = (
        IMPORTS,
        "mlflow.set_tracking_uri('sqlite:///mlflow.db')\nmlflow.set_experiment('taxi')",
        "X, y = [[1.0], [2.0], [3.0]], [1.0, 2.0, 3.0]",
        "with mlflow.start_run():\n    alpha = 0.1\n    mlflow.log_param('alpha', alpha)\n"
        "    lr = Lasso(alpha)\n    lr.fit(X, y)\n    mlflow.log_metric('rmse', 1.0)\n"
        "    mlflow.log_artifact('models/lin_reg.bin')",
        "train = xgb.DMatrix(X, label=y)",
        "def objective(params):\n    with mlflow.start_run():\n"
        "        booster = xgb.train(params, dtrain=train)\n"
        "        mlflow.log_metric('rmse', 1.0)\n    return {'loss': 1.0}",
        "space = {'max_depth': hp.quniform('max_depth', 4, 100, 1)}\n"
        "best_result = fmin(fn=objective, space=space, algo=tpe.suggest, max_evals=5)",
        "with mlflow.start_run():\n    train = xgb.DMatrix(X, label=y)\n"
        "    booster = xgb.train({'max_depth': 30}, dtrain=train)\n"
        "    mlflow.log_metric('rmse', 1.0)\n"
        "    with open('models/preprocessor.b', 'wb') as f_out:\n        pickle.dump(X, f_out)\n"
        "    mlflow.xgboost.log_model(booster, artifact_path='models_mlflow')",
        "mlflow.sklearn.autolog()\nfor model_class in (RandomForestRegressor, ExtraTreesRegressor):\n"
        "    with mlflow.start_run():\n        m = model_class()\n        m.fit(X, y)\n"
        "        mlflow.log_metric('rmse', 1.0)",
    )
    c = decide(tmp_path, *cells)
    assert kept(c) == [
        "mlflow.set_tracking_uri('sqlite:///mlflow.db')", "mlflow.set_experiment('taxi')",
        "X, y = [[1.0], [2.0], [3.0]], [1.0, 2.0, 3.0]", "with mlflow.start_run():",
    ]
    assert reason(c, "with mlflow.start_run():\n    alpha") == (
        "experiment: `lr` (Lasso) is trained and scored in an MLflow run, never saved; the "
        "pipeline saves `booster` (xgboost) in cell 8")
    assert reason(c, "best_result").startswith(
        "experiment: hyperparameter search (fmin) whose result `best_result`")
    assert reason(c, "for model_class").startswith(
        "experiment: a loop trains RandomForestRegressor, ExtraTreesRegressor one after another")
    assert reason(c, "train = xgb.DMatrix") == (
        "experiment: prepares what only the experiment in cell 7 uses")
    assert reason(c, "mlflow.sklearn.autolog()") == "configures mlflow, which nothing kept uses"
    kept_all = decide(tmp_path, *cells, keep_experiments=True)
    assert "for model_class in (RandomForestRegressor, ExtraTreesRegressor):" in kept(kept_all)
    assert "best_result = fmin(fn=objective, space=space, algo=tpe.suggest, max_evals=5)" in (
        kept(kept_all))


def test_search_whose_result_feeds_the_model_is_the_pipeline(tmp_path):
    c = decide(
        tmp_path, "import joblib\nfrom sklearn.model_selection import GridSearchCV\n"
        "from sklearn.linear_model import Ridge",
        "X, y = [[1.0], [2.0], [3.0], [4.0]], [1.0, 2.0, 3.0, 4.0]",
        "grid = GridSearchCV(Ridge(), {'alpha': [0.1, 1.0]}, cv=2)\ngrid.fit(X, y)",
        "print(grid.best_score_)",
        "joblib.dump(grid.best_estimator_, 'model.joblib')",
    )
    assert kept(c) == ["X, y = [[1.0], [2.0], [3.0], [4.0]], [1.0, 2.0, 3.0, 4.0]",
                       "grid = GridSearchCV(Ridge(), {'alpha': [0.1, 1.0]}, cv=2)",
                       "grid.fit(X, y)", "print(grid.best_score_)",
                       "joblib.dump(grid.best_estimator_, 'model.joblib')"]


def test_effects_stay_with_what_they_serve(tmp_path):
    c = decide(
        tmp_path, "import os\nimport json\nimport numpy as np\nfrom kafka import KafkaProducer",
        "os.environ['AWS_DEFAULT_REGION'] = 'eu-west-1'",
        "np.random.seed(42)",
        "producer = KafkaProducer(bootstrap_servers='localhost:9092')",
        "for i in range(3):\n    producer.send('rides', json.dumps({'i': i}).encode())",
        "producer.flush()",
        "f_out = open('log.txt', 'w')\nf_out.write('sent')",
        "f_out.close()",
    )
    assert kept(c) == [
        "os.environ['AWS_DEFAULT_REGION'] = 'eu-west-1'", "np.random.seed(42)",
        "producer = KafkaProducer(bootstrap_servers='localhost:9092')", "for i in range(3):",
        "producer.flush()", "f_out = open('log.txt', 'w')", "f_out.write('sent')",
        "f_out.close()",
    ]
    assert {s.decision for s in c.statements if code_of(s.node).startswith(
        ("producer.flush", "f_out.close", "os.environ", "np.random"))} == {"effect"}


def test_stream_sink_and_its_termination(tmp_path):
    c = decide(
        tmp_path, "from pyspark.sql import SparkSession",
        "spark = SparkSession.builder.getOrCreate()",
        "events = spark.readStream.format('kafka').load()",
        "query = events.writeStream.format('parquet').option('path', 'out').start()",
        "query.awaitTermination()",
        "spark.stop()",
    )
    assert kept(c) == ["spark = SparkSession.builder.getOrCreate()",
                       "events = spark.readStream.format('kafka').load()",
                       "query = events.writeStream.format('parquet').option('path', 'out').start()",
                       "query.awaitTermination()", "spark.stop()"]


def test_no_sink_keeps_the_last_model_and_says_so(tmp_path):
    c = decide(
        tmp_path, "from sklearn.linear_model import Lasso, LinearRegression",
        "X, y = [[1.0], [2.0], [3.0]], [1.0, 2.0, 3.0]",
        "lasso = Lasso().fit(X, y)\nprint(lasso.score(X, y))",
        "model = LinearRegression().fit(X, y)\nprint(model.score(X, y))",
    )
    assert kept(c) == ["X, y = [[1.0], [2.0], [3.0]], [1.0, 2.0, 3.0]",
                       "model = LinearRegression().fit(X, y)", "print(model.score(X, y))"]
    assert c.product == ("model", 4)
    warning = next(d for d in c.diagnostics if d.code == "NB2W011")
    assert (warning.cell, "`model` (LinearRegression)" in warning.message) == (4, True)
    assert reason(c, "lasso = Lasso()").startswith("experiment: `lasso` (Lasso) is trained")
    assert reason(c, "print(lasso").startswith("experiment: evaluates `lasso` (Lasso)")


def test_no_model_keeps_the_last_table_built_from_data(tmp_path):
    c = decide(tmp_path, "import pandas as pd", "df = pd.read_csv('trips.csv')",
               "df.head()", "daily = df.groupby('day').size()")
    assert kept(c) == ["df = pd.read_csv('trips.csv')", "daily = df.groupby('day').size()"]
    assert c.product == ("daily", 4)
    assert [d.code for d in c.diagnostics] == ["NB2W011"]


def test_exploration_only_has_nothing_to_run(tmp_path):
    with pytest.raises(Nb2FlowError) as info:
        decide(tmp_path, "import pandas as pd", "df = pd.DataFrame({'a': [1, 2]})\ndf.head()")
    assert info.value.code == "NB2F007" and "nothing left to run" in info.value.message


def test_demo_call_to_a_local_service_is_dropped(tmp_path):
    c = decide(tmp_path, "import requests\nimport pandas as pd",
               "df = pd.read_csv('in.csv')\ndf.to_parquet('out.parquet')",
               "ride = {'trip_distance': 3.2}",
               "r = requests.post('http://localhost:9696/predict', json=ride)\nprint(r.json())")
    assert kept(c) == ["df = pd.read_csv('in.csv')", "df.to_parquet('out.parquet')"]
    assert reason(c, "r = requests.post").startswith(
        "demo: calls a local service (http://localhost:9696/predict)")


def test_remote_post_is_a_sink(tmp_path):
    c = decide(tmp_path, "import requests",
               "requests.post('https://hooks.example.com/run', json={'ok': True})")
    assert kept(c) == ["requests.post('https://hooks.example.com/run', json={'ok': True})"]
    assert c.statements[-1].decision == "sink"


def test_autolog_logs_the_model_it_trains(tmp_path):
    c = decide(tmp_path, "import mlflow\nfrom sklearn.linear_model import Ridge",
               "X, y = [[1.0], [2.0]], [1.0, 2.0]", "mlflow.sklearn.autolog()",
               "with mlflow.start_run():\n    model = Ridge().fit(X, y)")
    assert kept(c) == ["X, y = [[1.0], [2.0]], [1.0, 2.0]", "mlflow.sklearn.autolog()",
                       "with mlflow.start_run():"]


def test_validation_of_the_kept_model_is_a_report(tmp_path):
    c = decide(
        tmp_path, "import joblib\nfrom sklearn.linear_model import Ridge\n"
        "from sklearn.model_selection import cross_val_score",
        "X, y = [[1.0], [2.0], [3.0], [4.0]], [1.0, 2.0, 3.0, 4.0]",
        "model = Ridge()\nscores = cross_val_score(model, X, y, cv=2)\nprint(scores.mean())",
        "model.fit(X, y)\njoblib.dump(model, 'model.joblib')",
    )
    assert "print(scores.mean())" in kept(c)
    assert next(s.decision for s in c.statements if code_of(s.node).startswith("print")) == (
        "report")


def test_plot_whose_result_the_pipeline_uses_is_kept(tmp_path):
    """A visualiser that computes the number of clusters: the plot is work."""
    c = decide(
        tmp_path, "import joblib\nfrom sklearn.cluster import KMeans\n"
        "from yellowbrick.cluster import KElbowVisualizer",
        "X = [[1.0], [2.0], [8.0], [9.0]]",
        "elbow = KElbowVisualizer(KMeans(), k=3)\nelbow.fit(X)\nelbow.show()",
        "k = elbow.elbow_value_",
        "model = KMeans(n_clusters=k).fit(X)\njoblib.dump(model, 'km.joblib')",
    )
    assert kept(c) == ["X = [[1.0], [2.0], [8.0], [9.0]]",
                       "elbow = KElbowVisualizer(KMeans(), k=3)", "elbow.fit(X)",
                       "k = elbow.elbow_value_", "model = KMeans(n_clusters=k).fit(X)",
                       "joblib.dump(model, 'km.joblib')"]
    imports = [code_of(s.node).strip() for s in c.statements if s.role == IMPORT]
    assert "from yellowbrick.cluster import KElbowVisualizer" in imports
    assert reason(c, "elbow.show()") == "plot"


def test_exploration_prints_go_when_the_pipeline_has_a_product(tmp_path):
    c = decide(tmp_path, "import pandas as pd\nprint(pd.__version__)",
               "df = pd.read_csv('in.csv')\nprint(df.shape)\nprint(df.head())",
               "print('rows written:', len(df))\ndf.to_parquet('out.parquet')")
    # an ETL job: its counts are its log, its shapes and heads exploration
    assert kept(c) == ["df = pd.read_csv('in.csv')", "print('rows written:', len(df))",
                       "df.to_parquet('out.parquet')"]
    assert reason(c, "print(df.shape)").startswith("prints an exploration")
    assert reason(c, "print(pd.__version__)") == "prints library versions or the machine it runs on"
    # a training notebook: statistics of the data are exploration, metrics are results
    model = decide(tmp_path, "import pandas as pd\nimport joblib\n"
                   "from sklearn.linear_model import LinearRegression",
                   "df = pd.read_csv('in.csv')\nprint('rows:', len(df))",
                   "m = LinearRegression().fit(df[['x']], df.y)\n"
                   "print('r2:', m.score(df[['x']], df.y))\njoblib.dump(m, 'm.joblib')")
    assert reason(model, "print('rows:', len(df))").startswith("prints an exploration")
    assert "print('r2:', m.score(df[['x']], df.y))" in kept(model)
    only_prints = decide(tmp_path, "values = [3, 1, 2]", "print(len(values))")
    assert kept(only_prints) == ["values = [3, 1, 2]", "print(len(values))"]


TORCH = "import torch\nimport torch.nn as nn"
DATA = "X = torch.randn(64, 3)\ny = X.sum(1, keepdim=True)\nloss_fn = nn.MSELoss()"


def loop(model: str, opt: str, epochs: int) -> str:
    return (f"for epoch in range({epochs}):\n    {opt}.zero_grad()\n"
            f"    loss = loss_fn({model}(X), y)\n    loss.backward()\n    {opt}.step()")


def test_a_training_loop_trains_the_model_its_optimizer_steps(tmp_path):
    """``optimizer.step()`` changes the weights of the model the optimizer was built
    from: the loop is the training of the saved model, not dead code."""
    c = decide(tmp_path, TORCH, DATA,
               "model = nn.Linear(3, 1)\noptimizer = torch.optim.SGD(model.parameters(), lr=0.1)",
               loop("model", "optimizer", 20),
               "torch.save(model.state_dict(), 'model.pt')")
    assert "for epoch in range(20):" in kept(c)
    assert "torch.save(model.state_dict(), 'model.pt')" in kept(c)


def test_a_second_training_loop_never_saved_is_an_experiment(tmp_path):
    c = decide(tmp_path, TORCH, DATA,
               "big = nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Linear(8, 1))\n"
               "opt_big = torch.optim.Adam(big.parameters())\n" + loop("big", "opt_big", 5)
               + "\nprint('big', loss.item())",
               "model = nn.Linear(3, 1)\noptimizer = torch.optim.SGD(model.parameters())\n"
               + loop("model", "optimizer", 20) + "\nprint('final', loss.item())",
               "torch.save(model.state_dict(), 'model.pt')")
    assert reason(c, "for epoch in range(5):") == (
        "experiment: `big` (Sequential) is trained, never saved; the pipeline saves `model` "
        "(Linear) in cell 4")
    assert "for epoch in range(20):" in kept(c)
    assert "print('final', loss.item())" in kept(c)
    assert reason(c, "print('big', loss.item())").startswith("experiment: evaluates `big`")


def test_fastai_fit_one_cycle_is_a_training(tmp_path):
    c = decide(tmp_path, "from fastai.vision.all import vision_learner, resnet18, load_data",
               "dls = load_data('images')\nlearn = vision_learner(dls, resnet18)",
               "learn.fit_one_cycle(1)", "learn.export('model.pkl')")
    assert kept(c) == ["dls = load_data('images')", "learn = vision_learner(dls, resnet18)",
                       "learn.fit_one_cycle(1)", "learn.export('model.pkl')"]


def test_version_and_device_prints_are_not_output(tmp_path):
    """Even in a notebook whose prints are its output, versions describe the machine."""
    c = decide(tmp_path, "import torch\nfrom importlib.metadata import version",
               "print('torch version:', version('torch'))\nprint(torch.__version__)\n"
               "print(f'CUDA: {torch.cuda.is_available()}')",
               "x = torch.ones(3)\nprint(x.sum())")
    assert kept(c) == ["x = torch.ones(3)", "print(x.sum())"]
    for line in ("print('torch version:'", "print(torch.__version__)", "print(f'CUDA:"):
        assert reason(c, line) == "prints library versions or the machine it runs on"


def test_a_setting_replaced_before_anything_used_it_goes(tmp_path):
    c = decide(tmp_path, "import mlflow", "mlflow.set_experiment('test')",
               "mlflow.set_experiment('manual')\nwith mlflow.start_run():\n"
               "    mlflow.log_metric('a', 1.0)")
    assert kept(c) == ["mlflow.set_experiment('manual')", "with mlflow.start_run():"]
    assert reason(c, "mlflow.set_experiment('test')") == (
        "configures mlflow, which nothing kept uses")


def test_every_fixed_reason_is_documented():
    from nb2flow.semantics import reasons

    page = (Path(__file__).parents[2] / "docs" / "cleaning.md").read_text()
    fixed = {k: v for k, v in vars(reasons).items() if k.isupper() and isinstance(v, str)}
    assert fixed and all(f"`{text}`" in page for text in fixed.values()), fixed


def test_the_kept_models_metrics_stay_and_a_shown_metric_variable_is_logged(tmp_path):
    c = decide(tmp_path, "import pandas as pd\nimport joblib\n"
               "from sklearn.linear_model import LogisticRegression, Lasso\n"
               "from sklearn.metrics import roc_auc_score",
               "df = pd.read_csv('a.csv')\nX, y = df[['x']], df.y",
               "m = LogisticRegression().fit(X, y)\njoblib.dump(m, 'm.joblib')",
               "y_pred = m.predict_proba(X)[:, 1]\nauc_final = roc_auc_score(y, y_pred)",
               "auc_final",
               "l = Lasso().fit(X, y)\nauc_lasso = roc_auc_score(y, l.predict(X))")
    assert kept(c)[-3:] == ["y_pred = m.predict_proba(X)[:, 1]",
                            "auc_final = roc_auc_score(y, y_pred)",
                            "print('auc_final:', auc_final)"]
    assert reason(c, "auc_lasso = ").startswith("experiment: evaluates `l` (Lasso)")


def test_a_saved_baseline_replaced_by_the_final_model_is_an_experiment(tmp_path):
    """The course notebook saves a linear baseline early, then trains and logs the tuned
    booster on the same features: the baseline's training and saving go; the features the
    booster needs stay."""
    c = decide(tmp_path, IMPORTS,
               "X_train, y_train = [[1.0], [2.0]], [1.0, 2.0]",
               "lr = LinearRegression()\nlr.fit(X_train, y_train)",
               "with open('models/lin_reg.bin', 'wb') as f_out:\n    pickle.dump(lr, f_out)",
               "train = xgb.DMatrix(X_train, label=y_train)\n"
               "booster = xgb.train({'max_depth': 3}, dtrain=train)\n"
               "mlflow.xgboost.log_model(booster, artifact_path='models_mlflow')")
    assert kept(c) == ["X_train, y_train = [[1.0], [2.0]], [1.0, 2.0]",
                       "train = xgb.DMatrix(X_train, label=y_train)",
                       "booster = xgb.train({'max_depth': 3}, dtrain=train)",
                       "mlflow.xgboost.log_model(booster, artifact_path='models_mlflow')"]
    assert reason(c, "with open('models/lin_reg.bin'") == (
        "experiment: `lr` (LinearRegression) is saved in cell 4, then replaced by `booster` "
        "(xgboost), trained on the same data in cell 5; nothing else uses it "
        "(--keep-experiments keeps it)")
    both = decide(tmp_path, *(
        IMPORTS, "X_train, y_train = [[1.0], [2.0]], [1.0, 2.0]",
        "lr = LinearRegression()\nlr.fit(X_train, y_train)",
        "with open('models/lin_reg.bin', 'wb') as f_out:\n    pickle.dump(lr, f_out)",
        "train = xgb.DMatrix(X_train, label=y_train)\n"
        "booster = xgb.train({'max_depth': 3}, dtrain=train)\n"
        "mlflow.xgboost.log_model(booster, artifact_path='models_mlflow')"),
        keep_experiments=True)
    assert "pickle.dump(lr, f_out)" not in [d.code for d in both.dropped]
    assert any(k.startswith("with open('models/lin_reg.bin'") for k in kept(both))


def test_a_model_the_final_one_needs_is_not_superseded(tmp_path):
    """A scaler saved beside the classifier trained on its output is part of the pipeline."""
    c = decide(tmp_path, "import joblib\nfrom sklearn.preprocessing import StandardScaler\n"
               "from sklearn.linear_model import LogisticRegression",
               "X, y = [[1.0], [2.0]], [0, 1]",
               "scaler = StandardScaler()\nscaler.fit(X)\njoblib.dump(scaler, 'scaler.joblib')",
               "clf = LogisticRegression().fit(scaler.transform(X), y)\n"
               "joblib.dump(clf, 'clf.joblib')")
    assert "joblib.dump(scaler, 'scaler.joblib')" in kept(c)
    assert "scaler.fit(X)" in kept(c)


def test_a_spark_tutorial_keeps_its_last_table(tmp_path):
    """``spark.read.csv`` reads data: a notebook that only shows tables keeps the last one
    it builds (NB2W011) instead of being refused."""
    c = decide(tmp_path, "from pyspark.sql import SparkSession\n"
               "from pyspark.sql.functions import mean\n"
               "spark = SparkSession.builder.appName('x').getOrCreate()",
               "df = spark.read.csv('ContainsNull.csv', header=True)",
               "df.na.drop().show()",
               "mean_sales = df.select(mean(df['Sales'])).collect()[0][0]")
    assert kept(c)[-1] == "mean_sales = df.select(mean(df['Sales'])).collect()[0][0]"
    assert [d.code for d in c.diagnostics] == ["NB2W011"]


def test_a_fit_with_a_checkpoint_callback_saves_the_model(tmp_path):
    c = decide(tmp_path, "from tensorflow import keras\n"
               "from tensorflow.keras.callbacks import ModelCheckpoint",
               "X, y = [[1.0], [2.0]], [0, 1]\n"
               "model = keras.Sequential([keras.layers.Dense(1)])",
               "model.fit(X, y, epochs=2, callbacks=[ModelCheckpoint('best.keras')])")
    assert kept(c)[-1] == "model.fit(X, y, epochs=2, callbacks=[ModelCheckpoint('best.keras')])"
    assert [d.code for d in c.diagnostics] == []  # saved: no NB2W011


def test_keep_experiments_from_the_command_line_and_the_settings(tmp_path):
    """``--keep-experiments`` brings the Lasso back, is recorded in ``[tool.nb2flow]``, and
    a plain convert afterwards keeps it (the option sticks)."""
    import subprocess
    import sys

    make_notebook(tmp_path / "n.ipynb", "import pickle\nfrom sklearn.linear_model import "
                  "Lasso, LinearRegression", "X, y = [[1.0], [2.0], [3.0]], [1.0, 2.0, 3.0]",
                  "lasso = Lasso(alpha=0.1).fit(X, y)\nprint('lasso', lasso.score(X, y))",
                  "lr = LinearRegression().fit(X, y)\n"
                  "with open('lr.bin', 'wb') as f:\n    pickle.dump(lr, f)")
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")

    def convert(*args):
        done = subprocess.run([sys.executable, "-m", "nb2flow", "convert", "n.ipynb", *args],
                              cwd=tmp_path, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return (tmp_path / "n.py").read_text()

    assert "Lasso(" not in convert()
    assert "Lasso(" in convert("--keep-experiments")
    assert "keep_experiments = true" in (tmp_path / "pyproject.toml").read_text()
    assert "Lasso(" in convert()


def test_running_notebooks_and_projects_are_sinks(tmp_path):
    """papermill's execute_notebook writes the output notebook; mlflow.projects.run runs a
    project: each is what such a runner notebook is for. The job's wait() stays with it,
    even when calls on the job between them (get_log) are displays."""
    c = decide(tmp_path, "import papermill as pm\nimport mlflow",
               "for index in ['SNP', 'GOLD']:\n"
               "    pm.execute_notebook('basic.ipynb', f'out/basic_{index}.ipynb',"
               " parameters={'INDEX': index})",
               "job = mlflow.projects.run(uri='.', synchronous=False)",
               "job.get_log()", "job.wait()")
    assert kept(c) == ["for index in ['SNP', 'GOLD']:",
                       "job = mlflow.projects.run(uri='.', synchronous=False)",
                       "job.get_log()", "job.wait()"]


def test_no_sink_table_read_through_a_notebook_function(tmp_path):
    """The data is read inside a notebook function (pd.read_html): the last table built
    from what it returns is the product."""
    c = decide(tmp_path, "import pandas as pd",
               "def get_table(url):\n    return pd.read_html(url)[0]",
               "a = get_table('https://example.com/a')\na",
               "b = get_table('https://example.com/b')",
               "combined = pd.merge(a, b, on='City')\ncombined.head()")
    assert kept(c)[-3:] == ["a = get_table('https://example.com/a')",
                            "b = get_table('https://example.com/b')",
                            "combined = pd.merge(a, b, on='City')"]
    assert c.product == ("combined", 5)
