# %%
import math
import random

# %%
SCALE = 10


def scaled(values):
    return [v * SCALE for v in values]


# %% tags=["nb2flow:task=make_values"]
random.seed(7)
values = [random.random() for _ in range(20)]
big = scaled(values)

# %% tags=["nb2flow:skip"]
print("debugging", values[:3])

# %%
def summarize():
    # reads a notebook variable: stays inside the step that defines it
    return {"mean": sum(big) / len(big), "log": math.log(max(big))}


result = summarize()
print(result)

# %% tags=["nb2flow:keep"]
values
