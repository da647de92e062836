"""`python -m deploy.run_as_stage STAGE COMMAND...`: run COMMAND on your machine with STAGE's environment.

The variables are what the stage's function gets (zappa_settings.json's aws_environment_variables,
STAGE, the region), so `python manage.py collectstatic`, `createstaff`, ... reach that stage's
secret, tables and bucket with your own AWS credentials, and with no Lambda time limit.
"""

import json
import os
import sys

from deploy.local_lambda import ZAPPA_SETTINGS, stage_settings


def stage_environment(stage, base):
    settings = stage_settings(stage)
    return {
        **base,
        **settings["aws_environment_variables"],
        "STAGE": stage,
        "AWS_REGION": settings["aws_region"],
        "AWS_DEFAULT_REGION": settings["aws_region"],
    }


def main(argv):
    stages = list(json.loads(ZAPPA_SETTINGS.read_text()))
    if len(argv) < 2 or argv[0] not in stages:
        sys.exit(f"usage: python -m deploy.run_as_stage {{{','.join(stages)}}} COMMAND [ARGUMENT...]")
    stage, command = argv[0], argv[1:]
    os.execvpe(command[0], command, stage_environment(stage, os.environ))  # noqa: S606 (as `env` does)


if __name__ == "__main__":
    main(sys.argv[1:])
