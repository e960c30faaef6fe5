"""Entry point of the CDK app: `python -m stack.app` (what cdktf.json and `tap synth` run).

Reads the deployment from the environment (see stack/config.py), synthesizes it with the
selected engine (stack/engines.py) and writes `<outdir>/stacks/TapStack<suffix>/cdk.tf.json`,
with the engine's record beside it. `python -m stack.app --batch` synthesizes several
deployments in one process, one app each, from a JSON list on stdin of
`{"environment": {VARIABLE: value}, "outdir": DIR}`: the engine is imported once for all, and
each deployment's DIR is printed on a line of stdout as soon as its plan and record are written.
"""

from __future__ import annotations

import json
import os
import sys

from stack.config import Config, ConfigError
from stack.contract import stack_folder
from stack.engines import select_engine
from stack.runtime import fast_provider_imports, prepare_node


def main(arguments: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if arguments is None else arguments
    batch = arguments == ["--batch"]
    try:
        engine = select_engine()
        python = engine.python()
        if python == sys.executable:
            deployments = _batch() if batch else [(Config.from_env(), None)]
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if python != sys.executable:
        # cdktf.json runs `.venv/bin/python -m stack.app` for either CLI: $TAP_ENGINE=cdktn hands over here.
        os.execv(python, [python, "-m", "stack.app", *arguments])
    prepare_node()
    with fast_provider_imports():
        from stack.cdk import core
        from stack.payment_stack import PaymentStack

    for config, outdir in deployments:
        app = core.App(outdir=outdir) if outdir else core.App()
        PaymentStack(app, config)
        app.synth()
        engine.write_record(stack_folder(app.outdir, config.stack_name), config.to_env())
        if batch:
            print(json.dumps(outdir), flush=True)
    return 0


def _batch() -> list[tuple[Config, str]]:
    """The deployments of a batch: each one's environment variables and output folder, from stdin."""
    return [(Config.from_env(item["environment"]), item["outdir"]) for item in json.load(sys.stdin)]


if __name__ == "__main__":
    sys.exit(main())
