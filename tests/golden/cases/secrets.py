# %% [markdown]
# # Upload predictions

# %%
import json
import boto3
from sqlalchemy import create_engine

# %%
aws_access_key_id = "AKIAIOSFODNN7EXAMPLE"
aws_secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
bucket = "predictions"

# %%
engine = create_engine("postgresql://admin:s3cr3tP4ssw0rd@db.example.com:5432/prod")
api_token = "f3a9c1e7b5d24f60a8e1c9b7d3f5a2e4"
headers = {"Authorization": api_token}

# %%
s3 = boto3.client(
    "s3",
    aws_access_key_id=aws_access_key_id,
    aws_secret_access_key=aws_secret_access_key,
)
s3.put_object(Bucket=bucket, Key="out.json", Body=json.dumps(headers))
engine.execute("insert into uploads (key) values ('out.json')")
