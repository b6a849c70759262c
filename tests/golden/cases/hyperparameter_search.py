# %% [markdown]
# # Ridge with a hyperparameter search

# %%
import pickle
import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.linear_model import Ridge
from sklearn.metrics import mean_squared_error
from sklearn.model_selection import train_test_split

# %%
X, y = load_diabetes(return_X_y=True)
X_train, X_valid, y_train, y_valid = train_test_split(X, y, random_state=42)

# %%
def objective(params):
    # reads the notebook's train and validation sets
    model = Ridge(**params)
    model.fit(X_train, y_train)
    return mean_squared_error(y_valid, model.predict(X_valid))

# %%
results = {}
for alpha in np.logspace(-3, 1, 9):
    results[alpha] = objective({"alpha": alpha})
    print(alpha, results[alpha])

# %%
best_params = {"alpha": 0.0316}  # pasted from the search above

# %%
final = Ridge(**best_params)
final.fit(X_train, y_train)
print("valid mse", mean_squared_error(y_valid, final.predict(X_valid)))

# %%
with open("models/ridge.pkl", "wb") as f_out:
    pickle.dump(final, f_out)
