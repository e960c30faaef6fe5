"""Entry point of the CDK app: `python -m stack.app` (what cdktf.json and `tap synth` run).

Reads the deployment from the environment (see stack/config.py), synthesizes it with the
selected engine (stack/engines.py) and writes `<outdir>/stacks/TapStack<suffix>/cdk.tf.json`,
with the engine's record beside it.
"""

from __future__ import annotations

import os
import sys

from stack.config import Config, ConfigError
from stack.contract import stack_folder
from stack.engines import select_engine
from stack.runtime import fast_provider_imports, prepare_node


def main() -> int:
    try:
        config = Config.from_env()
        engine = select_engine()
        python = engine.python()
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if python != sys.executable:
        # cdktf.json runs `.venv/bin/python -m stack.app` for either CLI: $TAP_ENGINE=cdktn hands over here.
        os.execv(python, [python, "-m", "stack.app"])
    prepare_node()
    with fast_provider_imports():
        from stack.cdk import core
        from stack.payment_stack import PaymentStack

    app = core.App()
    PaymentStack(app, config)
    app.synth()
    engine.write_record(stack_folder(app.outdir, config.stack_name), config.to_env())
    return 0


if __name__ == "__main__":
    sys.exit(main())
