"""Entry point of the CDKTF app: `python -m stack.app` (what cdktf.json and `tap synth` run).

Reads the deployment from the environment (see stack/config.py) and writes
`<outdir>/stacks/TapStack<suffix>/cdk.tf.json`.
"""

from __future__ import annotations

import sys

from stack.config import Config, ConfigError
from stack.runtime import fast_provider_imports, prepare_node


def main() -> int:
    try:
        config = Config.from_env()
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    prepare_node()
    with fast_provider_imports():
        from cdktf import App

        from stack.payment_stack import PaymentStack

    app = App()
    PaymentStack(app, config)
    app.synth()
    return 0


if __name__ == "__main__":
    sys.exit(main())
