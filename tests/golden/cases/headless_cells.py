# %%
import json
import numpy as np
import pandas as pd
from sklearn.datasets import load_diabetes
from sklearn.ensemble import RandomForestRegressor
from sklearn.model_selection import train_test_split
from sklearn.metrics import mean_absolute_error

# %%
data = load_diabetes(as_frame=True)
df = data.frame

# %%
df.describe()

# %%
df = df.dropna()
df["bmi_bp"] = df["bmi"] * df["bp"]

# %%
X = df.drop(columns=["target"])
y = df["target"]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)

# %%
model = RandomForestRegressor(n_estimators=50, random_state=0)
model.fit(X_train, y_train)

# %%
pred = model.predict(X_test)
mae = mean_absolute_error(y_test, pred)
print(f"MAE: {mae:.2f}")

# %%
with open("outputs/metrics.json", "w") as f:
    json.dump({"mae": mae}, f)
