"""`tap`: the command line of the payment stack's test and compliance suite."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import signal
import sys
import time
from pathlib import Path

from stack.config import PROFILES, Config, ConfigError, declared_profile
from stack.contract import state_path
from stack.engines import select_engine
from tap.console import say
from tap.errors import Failed, Terminated, UsageError
from tap.files import check_can_create, check_own_folder, copy_over, replaced_folder
from tap.live.emulator import PROVISIONERS
from tap.synth.cache import cached_plan
from tap.synth.runner import DEFAULT_OUTDIR

DECIMAL = re.compile(r"[0-9]+")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line and exit 2, like every other bad input
        raise UsageError(f"{message} (see 'tap --help')")


def _config(args: argparse.Namespace) -> Config:
    return Config.from_env(environment_suffix=args.env, profile=args.profile)


def _synth(config: Config, outdir: Path) -> Path:
    """The plan of `config` under `outdir`, from the cache (a complete CDKTF output folder), laid over
    the plans of other deployments already there; the folder is replaced whole, or not at all."""
    select_engine()  # the settings first: a bad TAP_ENGINE is named whatever the folder holds
    check_own_folder(outdir, "tap synth", "plan", "--outdir")  # before any synth
    cached = cached_plan(config)
    entry = cached.parents[2]
    with replaced_folder(outdir, "tap synth", "plan", keep_contents=True) as staging:
        copy_over(entry, staging)
    return Path(outdir) / cached.relative_to(entry)


def cmd_synth(args: argparse.Namespace) -> int:
    config = _config(args)
    started = time.perf_counter()
    path = _synth(config, args.outdir)
    say(f"{config.stack_name} ({config.profile}): wrote {path} in {time.perf_counter() - started:.1f} s")
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    from tap.audit.command import run_audit

    plan = Path(args.plan) if args.plan else cached_plan(_config(args))
    return run_audit(
        plan,
        out_dir=Path(args.out),
        waivers_file=Path(args.waivers) if args.waivers else None,
        live_results_file=Path(args.live_results) if args.live_results else None,
        # With --plan, --env and --profile are checked against the plan's own, never assumed for it.
        environment=args.env,
        profile=args.profile,
        as_of=args.as_of,
        baseline=Path(args.baseline) if args.baseline else None,
        sign_key=Path(args.sign_key) if args.sign_key else None,
        mutation_results=Path(args.mutation_results) if args.mutation_results else None,
    )


def cmd_verify(args: argparse.Namespace) -> int:
    from tap.audit import bundle, reports

    public_key = bundle.load_public_key(Path(args.public_key)) if args.public_key else None
    pinned = bundle.check_fingerprint(args.fingerprint) if args.fingerprint else None
    folder = Path(args.folder)
    if (preview := reports.preview_as_of(folder)) is not None:
        say(f"{args.folder}: a preview as of {preview}, not evidence: it has no manifest and no signature")
        return 1
    result = bundle.verify(folder, public_key, pinned)
    if not result.intact:
        say(*(f"  {difference}" for difference in result.differences), f"{args.folder}: TAMPERED")
        return 1
    if result.verified:
        say(f"{args.folder}: intact: every file matches the manifest, signed by key {result.signer}")
        return 0
    say(f"  {_not_established(result.signer)}")
    if args.allow_unsigned:
        say(f"{args.folder}: intact: every file matches the manifest, but the integrity rests on the manifest alone")
        return 0
    say(f"{args.folder}: NOT VERIFIED: pass the signing key (--public-key or --fingerprint), or --allow-unsigned")
    return 1


def _not_established(signer: str | None) -> str:
    """Why a manifest that matches is not yet evidence: whoever edits a report can rewrite it to match."""
    if signer is None:
        return "unsigned: integrity not established (whoever edits a report can rewrite the manifest to match)"
    return (
        f"not verified: integrity not established (the manifest names its signing key {signer}, and any key "
        "verifies its own signature: pin the key with --public-key or --fingerprint)"
    )


def cmd_rehearse(args: argparse.Namespace) -> int:
    from tap.live.emulator import rehearsal_config
    from tap.live.rehearsal import check_loopback, rehearse

    check_loopback(args.endpoint_url)  # before any synth: refuse a real endpoint at once
    check_can_create(Path(args.outputs_file), "outputs file")
    # With no plan, the rehearsal's own configuration: its certificate is one the emulator can hold.
    profile = declared_profile(args.env, args.profile) if args.env else args.profile or "dev"
    plan = Path(args.plan) if args.plan else cached_plan(rehearsal_config(profile, args.env))
    if args.engine == "terraform":
        return _rehearse_with_terraform(plan, args)
    started = time.perf_counter()
    outputs = rehearse(plan, args.endpoint_url, Path(args.outputs_file))
    (stack,) = outputs
    say(
        f"{stack}: provisioned into {args.endpoint_url} in {time.perf_counter() - started:.1f} s; "
        f"{len(outputs[stack])} outputs in {args.outputs_file}"
    )
    return 0


def _rehearse_with_terraform(plan: Path, args: argparse.Namespace) -> int:
    """Terraform applies the plan to the emulator, the outputs are written, and a second plan must change nothing."""
    from tap.live.terraform.rehearsal import rehearse_with_terraform

    rehearsal = rehearse_with_terraform(plan, args.endpoint_url, Path(args.outputs_file))  # NotIdempotent: exit 1
    stack = rehearsal.plan.stack_name
    say(
        f"{stack}: applied by {rehearsal.provider_note} into {args.endpoint_url} in "
        f"{rehearsal.seconds['apply']:.1f} s; outputs in {args.outputs_file}",
        f"{stack}: idempotent: a plan right after the apply changes nothing ({rehearsal.seconds['plan']:.1f} s)",
    )
    return 0


def cmd_preflight(args: argparse.Namespace) -> int:
    from tap.live.guard import open_account
    from tap.plan_file import read_plan
    from tap.preflight.checks import run_checks
    from tap.preflight.deployment import Deployment
    from tap.preflight.report import exit_code, render_json, render_table

    config = _config(args)
    plan = read_plan(Path(args.plan) if args.plan else cached_plan(config))
    state = Path(args.state) if args.state else state_path(plan.stack_name)
    deployment = Deployment.load(plan, state, required=bool(args.state))
    results = run_checks(open_account(deployment.region or config.region), deployment)
    say(*(render_json(results).splitlines() if args.json else render_table(results)))
    return exit_code(results)


def cmd_engines_diff(args: argparse.Namespace) -> int:
    from tap.synth.engine_diff import run_engines_diff

    return run_engines_diff(_config(args))


def cmd_mutate(args: argparse.Namespace) -> int:
    from tap.mutate.command import run_mutate
    from tap.mutate.survivors import SURVIVORS_FILE

    return run_mutate(
        Path(args.out),
        kinds=args.kinds,
        sample=args.sample,
        seed=args.seed,
        survivors_file=Path(args.survivors) if args.survivors else SURVIVORS_FILE,
        sign_key=Path(args.sign_key) if args.sign_key else None,
        engine=args.engine,
    )


# The dates an audit can be made as of: expiry warnings look 30 days past it, and no date follows 9999-12-31.
AUDIT_YEARS = range(1970, 9999)


def _date(text: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (use YYYY-MM-DD)") from None
    if day.year not in AUDIT_YEARS:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date an audit can be made as of (years 1970 to 9998)")
    return day


def _kinds(text: str) -> list[str]:
    kinds = [kind.strip() for kind in text.split(",")]
    if not kinds or any(kind not in ("plan", "account") for kind in kinds):
        raise argparse.ArgumentTypeError(f"{text!r} is not plan, account or plan,account")
    return kinds


def _positive(text: str) -> int:
    if not DECIMAL.fullmatch(text) or int(text) == 0:  # isdigit() would take "²" and "١٢"
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return int(text)


def _deployment_options(with_plan: bool) -> argparse.ArgumentParser:
    """--env and --profile (and --plan): which deployment's plan a command works on."""
    options = argparse.ArgumentParser(add_help=False)
    if with_plan:
        options.add_argument("--plan", help="a synthesized cdk.tf.json (default: synthesize --env/--profile)")
    options.add_argument("--env", help="environment suffix (default: $ENVIRONMENT_SUFFIX or dev)")
    options.add_argument("--profile", choices=PROFILES, help="deployment profile (default: $STACK_PROFILE or dev)")
    return options


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="tap", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    deployment, planned = _deployment_options(with_plan=False), _deployment_options(with_plan=True)

    synth = commands.add_parser(
        "synth", parents=[deployment], help="synthesize the stack into cdktf.out/stacks/TapStack<SUFFIX>/cdk.tf.json"
    )
    synth.add_argument("--outdir", default=str(DEFAULT_OUTDIR), help="output folder (default: cdktf.out)")
    synth.set_defaults(run=cmd_synth)

    audit = commands.add_parser(
        "audit", parents=[planned], help="scan the plan, apply waivers, write the compliance reports"
    )
    audit.add_argument(
        "--out", default="reports/audit", help="a folder of its own for the reports (default: reports/audit)"
    )
    audit.add_argument("--waivers", help="waivers file (default: waivers.toml in the project, if present)")
    audit.add_argument("--live-results", help="JUnit XML of the live suite, folded in as live evidence")
    audit.add_argument("--as-of", type=_date, help="judge waiver expiry on this date (default: today, UTC)")
    audit.add_argument("--baseline", help="a previous report folder (or its compliance.json): say what changed")
    audit.add_argument("--sign-key", help="Ed25519 private key (PEM) that signs the report folder's manifest")
    audit.add_argument("--mutation-results", help="a `tap mutate` result: the defense-in-depth matrix, in the reports")
    audit.set_defaults(run=cmd_audit)

    verify = commands.add_parser(
        "verify", help="check a report folder against its manifest: every file changed, added or missing is named"
    )
    verify.add_argument("folder", help="a report folder written by tap audit")
    pin = verify.add_mutually_exclusive_group()
    pin.add_argument("--public-key", help="Ed25519 public key (PEM) that must have signed the manifest")
    pin.add_argument(
        "--fingerprint", help="the signing key's fingerprint (SHA256: and 64 hex digits, as the report shows it)"
    )
    verify.add_argument(
        "--allow-unsigned",
        action="store_true",
        help="exit 0 on a folder that matches its manifest without a verified signature (integrity not established)",
    )
    verify.set_defaults(run=cmd_verify)

    rehearse = commands.add_parser(
        "rehearse",
        parents=[planned],
        help="provision the plan into an AWS emulator on loopback and write a CDKTF outputs file "
        "(default plan: the rehearsal's own configuration of --profile)",
    )
    rehearse.add_argument(
        "--endpoint-url", required=True, help="the emulator, e.g. http://127.0.0.1:5000 (loopback only)"
    )
    rehearse.add_argument("--outputs-file", required=True, help="where to write the nested outputs")
    rehearse.add_argument(
        "--engine",
        choices=PROVISIONERS,
        default="translator",
        help="translator: our boto3 translation of the plan (default); terraform: Terraform itself, with the "
        "machine's provider mirror, then a second plan that must change nothing",
    )
    rehearse.set_defaults(run=cmd_rehearse)

    preflight = commands.add_parser(
        "preflight", parents=[planned], help="read-only checks of the target account before a deploy"
    )
    preflight.add_argument(
        "--state", help="Terraform state holding the deployment suffix (default: the local backend's)"
    )
    preflight.add_argument("--json", action="store_true", help="print the results as JSON")
    preflight.set_defaults(run=cmd_preflight)

    mutate = commands.add_parser(
        "mutate", help="the mutation campaign: misconfigure the plans and the rehearsal account, see what catches each"
    )
    mutate.add_argument("--out", default="reports/mutation.json", help="the campaign's JSON result")
    mutate.add_argument(
        "--kinds", type=_kinds, default=["plan", "account"], help="plan, account or plan,account (default: both)"
    )
    mutate.add_argument("--sample", type=_positive, help="run only this many mutants of each kind, drawn with --seed")
    mutate.add_argument("--seed", type=int, default=0, help="the sample's seed (default: 0)")
    mutate.add_argument("--survivors", help="survivors file (default: survivors.toml in the project)")
    mutate.add_argument(
        "--sign-key", help="Ed25519 private key (PEM) that seals the result (OUT.sig): tap audit --sign-key verifies it"
    )
    mutate.add_argument(
        "--engine",
        choices=PROVISIONERS,
        default="translator",
        help="who provisions each profile's account the account mutants fork: the translator (default, seconds) "
        "or Terraform itself (minutes per profile, the machine's provider mirror)",
    )
    mutate.set_defaults(run=cmd_mutate)

    engines = commands.add_parser("engines", help="the two engines, cdktf and CDK Terrain (cdktn)")
    engine_commands = engines.add_subparsers(
        dest="engines_command", metavar="diff", required=True, parser_class=_Parser
    )
    engine_commands.add_parser(
        "diff",
        parents=[deployment],
        help="synthesize the deployment with both engines and print how the plans differ "
        "(exit 1 when anything beyond provider versions does)",
    ).set_defaults(run=cmd_engines_diff)
    return parser


# What a shell reports for a program a closed pipe stopped (128 + SIGPIPE): a reader that left
# early (`tap verify DIR | head -1`) ends the command quietly, and never as a success.
BROKEN_PIPE_EXIT = 141


def _terminate(_signal: int, _frame: object) -> None:
    raise Terminated


def main(argv: list[str] | None = None) -> int:
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        try:
            return _run(argv)
        finally:
            sys.stdout.flush()  # here, not at exit: a reader gone is caught below
    except BrokenPipeError:
        _discard_output()
        return BROKEN_PIPE_EXIT
    finally:
        signal.signal(signal.SIGTERM, previous)


def _run(argv: list[str] | None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return args.run(args)
    except (UsageError, ConfigError) as error:
        say(f"tap: {error}", to=sys.stderr)
        return 2
    except Failed as failure:
        say(f"tap: {failure}", to=sys.stderr)
        return 1
    except Terminated:
        say("tap: terminated", to=sys.stderr)
        return 128 + signal.SIGTERM
    except KeyboardInterrupt:
        say("tap: interrupted", to=sys.stderr)
        return 130


def _discard_output() -> None:
    """Point stdout and stderr at /dev/null: what is still buffered must not fail again at exit."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    for stream in (sys.stdout, sys.stderr):
        os.dup2(devnull, stream.fileno())
    os.close(devnull)


if __name__ == "__main__":
    sys.exit(main())
