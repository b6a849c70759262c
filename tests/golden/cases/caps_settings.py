# %% [markdown]
# # Iris classifier
# Settings in capitals and a confusion matrix.

# %%
import pickle

import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import ConfusionMatrixDisplay

# %%
DATA_PATH = "data/iris.csv"
MAX_ITER = 200
MODEL_PATH = "models/iris.pkl"

# %% [markdown]
# ## Load data

# %%
df = pd.read_csv(DATA_PATH)
X = df.drop(columns=["species"])
y = df["species"]

# %% [markdown]
# ## Train

# %%
clf = LogisticRegression(max_iter=MAX_ITER).fit(X, y)

# %%
ConfusionMatrixDisplay.from_estimator(clf, X, y)

# %%
with open(MODEL_PATH, "wb") as f:
    pickle.dump(clf, f)
