"""`tap`: the command line of the payment stack's test and compliance suite."""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

from stack.config import PROFILES, Config, ConfigError
from tap.cache import cached_plan
from tap.errors import UsageError
from tap.synth import DEFAULT_OUTDIR


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line and exit 2, like every other bad input
        raise UsageError(f"{message} (see 'tap --help')")


def _config(args: argparse.Namespace) -> Config:
    return Config.from_env(environment_suffix=args.env, profile=args.profile)


def cmd_synth(args: argparse.Namespace) -> int:
    config = _config(args)
    started = time.perf_counter()
    cached = cached_plan(config)
    # The cache entry is a complete CDKTF output folder (manifest and stack).
    entry = cached.parents[2]
    shutil.copytree(entry, args.outdir, dirs_exist_ok=True)
    path = Path(args.outdir) / cached.relative_to(entry)
    print(f"{config.stack_name} ({config.profile}): wrote {path} in {time.perf_counter() - started:.1f} s")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="tap", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    synth = commands.add_parser("synth", help="synthesize the stack into cdktf.out/stacks/TapStack<SUFFIX>/cdk.tf.json")
    synth.add_argument("--env", help="environment suffix (default: $ENVIRONMENT_SUFFIX or dev)")
    synth.add_argument("--profile", choices=PROFILES, help="deployment profile (default: $STACK_PROFILE or dev)")
    synth.add_argument("--outdir", default=str(DEFAULT_OUTDIR), help="output folder (default: cdktf.out)")
    synth.set_defaults(run=cmd_synth)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return args.run(args)
    except (UsageError, ConfigError) as error:
        print(f"tap: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
