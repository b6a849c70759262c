# options: date_params=true data_dir=true task_runner=dask cache=true cache_expiration=12h
# %% [markdown]
# # Monthly training with MLflow

# %%
import pickle
import mlflow
import pandas as pd
from sklearn.linear_model import Ridge

# %%
mlflow.set_tracking_uri("sqlite:///mlflow.db")
mlflow.set_experiment("nyc-taxi-experiment")

# %% [markdown]
# ## Load

# %%
train = pd.read_parquet("data/green_tripdata_2023-11.parquet")
valid = pd.read_parquet("data/green_tripdata_2023-12.parquet")
test = pd.read_parquet("data/green_tripdata_2024-01.parquet")

# %% [markdown]
# ## Train

# %%
with mlflow.start_run():
    alpha = 0.5  # regularisation strength
    model = Ridge(alpha=alpha)
    model.fit(train[["trip_distance"]], train["duration"])
    score = model.score(valid[["trip_distance"]], valid["duration"])
    mlflow.log_param("alpha", alpha)
    mlflow.log_metric("r2", score)
    with open("models/ridge.pkl", "wb") as f:
        pickle.dump(model, f)
    mlflow.log_artifact("models/ridge.pkl")

# %%
print(model.score(test[["trip_distance"]], test["duration"]))
