"""Write every test deployment's plan, made by the selected engine, where $TAP_PLANS_DIR will read it.

TAP_ENGINE=cdktn python -m tests.write_plans DIR
TAP_PLANS_DIR=DIR pytest -m 'unit or policy'
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from conftest import TEST_DEPLOYMENTS
from tap.synth.cache import cached_plan
from tap.synth.runner import plan_path


def main(folder: Path) -> None:
    for name, deployment in TEST_DEPLOYMENTS.items():
        # The plan's whole folder: the engine's record of itself lies beside cdk.tf.json.
        target = plan_path(folder / name, deployment)
        shutil.copytree(cached_plan(deployment).parent, target.parent, dirs_exist_ok=True)
        print(f"{name}: {target}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
