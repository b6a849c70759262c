# %% [markdown]
# # Trip duration prediction
#
# Predict the duration of NYC green taxi trips.

# %%
# %matplotlib inline
import pickle
import pandas as pd
import seaborn as sns
import matplotlib.pyplot as plt
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LinearRegression
from sklearn.linear_model import Lasso
from sklearn.metrics import root_mean_squared_error

# %% [markdown]
# ## Reading the data

# %%
def read_dataframe(filename):
    df = pd.read_parquet(filename)
    df["duration"] = df.lpep_dropoff_datetime - df.lpep_pickup_datetime
    df.duration = df.duration.dt.total_seconds() / 60
    df = df[(df.duration >= 1) & (df.duration <= 60)]
    categorical = ["PULocationID", "DOLocationID"]
    df[categorical] = df[categorical].astype(str)
    return df

# %%
df_train = read_dataframe("data/green_tripdata_2021-01.parquet")
df_val = read_dataframe("data/green_tripdata_2021-02.parquet")

# %%
len(df_train), len(df_val)

# %%
df_train.head()

# %% [markdown]
# ## Exploration

# %%
sns.histplot(df_train.duration)
plt.xlabel("minutes")
plt.show()

# %% [markdown]
# ## Feature engineering

# %%
df_train["PU_DO"] = df_train["PULocationID"] + "_" + df_train["DOLocationID"]
df_val["PU_DO"] = df_val["PULocationID"] + "_" + df_val["DOLocationID"]

# %%
categorical = ["PU_DO"]
numerical = ["trip_distance"]
dv = DictVectorizer()
train_dicts = df_train[categorical + numerical].to_dict(orient="records")
X_train = dv.fit_transform(train_dicts)
val_dicts = df_val[categorical + numerical].to_dict(orient="records")
X_val = dv.transform(val_dicts)

# %%
target = "duration"
y_train = df_train[target].values
y_val = df_val[target].values

# %% [markdown]
# ## Training

# %%
lr = LinearRegression()
lr.fit(X_train, y_train)
y_pred = lr.predict(X_val)
root_mean_squared_error(y_val, y_pred)

# %% [markdown]
# ## Lasso experiment

# %%
lasso = Lasso(alpha=0.01)
lasso.fit(X_train, y_train)
y_pred = lasso.predict(X_val)
root_mean_squared_error(y_val, y_pred)

# %% [markdown]
# ## Saving the model

# %%
with open("models/lin_reg.bin", "wb") as f_out:
    pickle.dump((dv, lr), f_out)
