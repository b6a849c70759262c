# %% tags=["parameters"]
data_path = "data/input.csv"  # CSV with columns a and b
threshold = 0.5
limit = 100
verbose = True

# %%
# !pip install pandas scikit-learn
# %load_ext autoreload
# %autoreload 2
import pandas as pd

# %%
# %%time
df = pd.read_csv(data_path).head(limit)
df["flag"] = df["a"] > threshold

# %%
# !mkdir -p outputs
# %time summary = df.groupby("flag").b.mean()

# %%
if verbose:
    print(summary)
summary.to_csv("outputs/summary.csv")
