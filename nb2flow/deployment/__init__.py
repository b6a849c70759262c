"""prefect.yaml: find it, add or update the deployment of a generated flow, validate it.

``convert`` keeps one deployment per generated script in the nearest ``prefect.yaml``
(searched from the notebook's folder upward, stopping at the git root). The file is
edited as a round trip (:mod:`nb2flow.yamlrt`): comments, key order, anchors and every
deployment nb2flow did not create survive byte for byte.

What nb2flow owns in its deployment (the one whose entrypoint is the generated script):

- ``entrypoint``: always rewritten (``path/to/script.py:flow_function``, relative to the
  prefect.yaml folder).
- ``parameters``: a parameter is added with the notebook's default; a value still equal
  to the default nb2flow wrote last time (read from the previous script) follows the
  notebook; a value changed by hand is kept, and convert says so. A parameter the flow no
  longer has is removed when it still holds nb2flow's old default.
- ``name``, ``description``, ``tags``, ``schedules`` and ``work_pool`` are written when the
  deployment is created (from the options and ``[tool.nb2flow]``) and then belong to the
  user, except that an explicit ``--pool`` sets ``work_pool.name``, ``--tag`` adds tags and
  ``--cron``/``--interval`` replace ``schedules``. Keys the user adds are never touched.

:func:`validate` checks a prefect.yaml against the keys of Prefect 3.8's deployment
schema (``prefect/cli/deploy/_models.py``: ``PrefectYamlModel``, ``DeploymentConfig``,
``WorkPoolConfig``, ``RawScheduleConfig``), statically: entrypoints are parsed with
``ast``, cron strings checked with cronsim. Prefect is never imported.

The modules: ``model`` (the records and the schema's keys), ``flows`` (the flows of a
script, the nearest prefect.yaml), ``schedule`` (the options checked), ``sync`` (the
update), ``validate`` (the checks).
"""

from .flows import entrypoint_path, find_prefect_yaml, flow_info, flows_in
from .model import (CRON_MACROS, DEPLOYMENT_KEYS, PREFECT_YAML, SCHEDULE_KEYS, TOP_LEVEL_KEYS,
                    WORK_POOL_KEYS, DeploymentChange, DeployOptions, FlowInfo, Problem)
from .schedule import check_cron, check_options, check_timezone
from .sync import sync
from .validate import validate

__all__ = ["CRON_MACROS", "DEPLOYMENT_KEYS", "PREFECT_YAML", "SCHEDULE_KEYS", "TOP_LEVEL_KEYS",
           "WORK_POOL_KEYS", "DeployOptions", "DeploymentChange", "FlowInfo", "Problem",
           "check_cron", "check_options", "check_timezone", "entrypoint_path",
           "find_prefect_yaml", "flow_info", "flows_in", "sync", "validate"]
