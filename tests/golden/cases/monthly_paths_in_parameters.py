# options: date_params=true data_dir=true
# %% [markdown]
# # Monthly duration model
#
# The paths are variables of a papermill parameters cell.

# %% tags=["parameters"]
train_path = "data/green_tripdata_2021-01.parquet"  # training month
val_path = "data/green_tripdata_2021-02.parquet"  # validation month
model_path = "models/lin_reg.bin"

# %%
import pickle

import pandas as pd
from sklearn.linear_model import LinearRegression

# %% [markdown]
# ## Load

# %%
train = pd.read_parquet(train_path)
val = pd.read_parquet(val_path)

# %% [markdown]
# ## Train

# %%
model = LinearRegression().fit(train[["trip_distance"]], train["duration"])
print("score", model.score(val[["trip_distance"]], val["duration"]))

# %%
with open(model_path, "wb") as f:
    pickle.dump(model, f)
