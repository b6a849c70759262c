# options: subflows=true
# %%
import json

# %% [markdown]
# # Data preparation
# ## Load

# %%
rows = [{"x": i, "y": 2 * i + 1} for i in range(10)]

# %% [markdown]
# ## Clean

# %%
rows = [r for r in rows if r["x"] % 3]
xs = [r["x"] for r in rows]
ys = [r["y"] for r in rows]

# %% [markdown]
# # Modelling
# ## Fit

# %%
n = len(xs)
mean_x = sum(xs) / n
mean_y = sum(ys) / n
slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys)) / sum(
    (x - mean_x) ** 2 for x in xs
)
intercept = mean_y - slope * mean_x

# %% [markdown]
# ## Save

# %%
with open("out/model.json", "w") as f:
    json.dump({"slope": slope, "intercept": intercept}, f)
