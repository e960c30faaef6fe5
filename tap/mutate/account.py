"""Account mutants for the live layer: every change the emulator supports to a provisioned rehearsal, each
run through the nightly command (`pytest -m integration --live --outputs-file ... --junitxml ...`).

Each profile's rehearsal is provisioned once into a zygote (tap/mutate/zygote.py); every
mutant gets a fork of that pristine account, one change applied over loopback, one live
run, and the fork is killed. Mutants are generated from what the account holds
(tap/mutate/operators/). A mutant is killed when the run fails, naming the first failing
test; it survived when the run passed. A run that did not test (the suite could not start,
no test case in the JUnit, the emulator gone) is a campaign error, never a kill.
"""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from itertools import count
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import BotoCoreError, ClientError

from tap.errors import UsageError
from tap.live.emulator import PROVISIONERS, rehearsal_config
from tap.live.rehearsal import EMULATOR_CREDENTIALS, check_loopback, rehearse
from tap.live.suite import LiveRun, live_run
from tap.mutate.forks import Zygote
from tap.mutate.model import Mutant, Outcome
from tap.mutate.operators import (
    Case,
    Scope,
    compute,
    database,
    dns_firewall,
    edge,
    endpoints,
    kms,
    launch_templates,
    monitoring,
    network,
    network_acls,
    outputs,
    roles,
    security_groups,
    ssm,
    storage,
    web_acls,
)
from tap.synth.cache import cached_plan

# The order mutants are generated in, kept as it was: the network's generators interleave across its modules.
GENERATORS = (
    *security_groups.GENERATORS,
    network.subnets,
    network.route_tables,
    network.nat_gateways,
    *endpoints.GENERATORS,
    network.flow_logs,
    network.vpcs,
    *network_acls.GENERATORS,
    *dns_firewall.GENERATORS,
    network.tags,
    *storage.GENERATORS,
    *kms.GENERATORS,
    *database.GENERATORS,
    *launch_templates.GENERATORS,
    *compute.GENERATORS,
    *edge.GENERATORS,
    *web_acls.GENERATORS,
    *monitoring.GENERATORS,
    *roles.GENERATORS,
    *ssm.GENERATORS,
    *outputs.GENERATORS,
)
LAYER = "live"
# What a live run says when the emulator itself is gone: never a finding about the account.
EMULATOR_GONE = "Could not connect to the endpoint URL"
REFUSAL = "live suite: "
MESSAGE_HEAD = 200
# Plugins the live suite never uses (property tests, type checks, parallel runs): not loading them saves
# a fifth of each run's start-up, hundreds of times over. The suite, its options and its verdicts are unchanged.
UNUSED_PLUGINS = ("-p", "no:hypothesispytest", "-p", "no:typeguard", "-p", "no:xdist")


class CampaignError(UsageError):
    """The campaign cannot give a verdict: the control failed, or a run did not test anything."""


@dataclass(frozen=True)
class Account:
    """A provisioned rehearsal of one profile, frozen in its zygote."""

    profile: str
    stack: str
    region: str
    zygote: Zygote
    outputs_file: Path
    document: dict[str, Any]  # the outputs file's content, nested by stack as CDKTF writes it


@contextmanager
def provisioned(profiles: Sequence[str], folder: Path, engine: str = "translator") -> Iterator[dict[str, Account]]:
    """Each profile's rehearsal in a zygote of its own, provisioned side by side, then frozen; by the translator,
    or (engine "terraform") by Terraform itself (`tap rehearse --engine terraform`)."""
    if engine not in PROVISIONERS:
        raise UsageError(f"no rehearsal engine {engine!r}: choose {' or '.join(PROVISIONERS)}")
    with ExitStack() as stack, ThreadPoolExecutor(max_workers=len(profiles)) as pool:
        zygotes = {profile: stack.enter_context(_closing(Zygote())) for profile in profiles}
        accounts = pool.map(lambda profile: _provision(profile, zygotes[profile], folder, engine), profiles)
        yield {account.profile: account for account in accounts}


@contextmanager
def _closing(zygote: Zygote) -> Iterator[Zygote]:
    try:
        yield zygote
    finally:
        zygote.close()


def _provision(profile: str, zygote: Zygote, folder: Path, engine: str) -> Account:
    from tap.live.terraform.rehearsal import rehearse_with_terraform

    config = rehearsal_config(profile)
    outputs_file = folder / f"outputs-{profile}.json"
    provision = rehearse_with_terraform if engine == "terraform" else rehearse
    provision(cached_plan(config), zygote.url, outputs_file)
    zygote.freeze()
    document = json.loads(outputs_file.read_text())
    return Account(profile, config.stack_name, config.region, zygote, outputs_file, document)


def generate(accounts: dict[str, Account], profile: str) -> list[Case]:
    """Every mutant of `profile`'s account, in a stable order, read from a fork of the pristine account."""
    account = accounts[profile]
    others = {a.stack: a.document[a.stack] for a in accounts.values() if a.profile != profile}
    with account.zygote.fork() as url:
        aws = _clients(url, account.region)
        first = profile == next(iter(accounts))
        scope = Scope(aws, profile, account.stack, account.document[account.stack], others, first)
        cases = [case for generator in GENERATORS for case in generator(scope)]
    ids = [case.mutant.id for case in cases]
    duplicates = sorted({mutant for mutant in ids if ids.count(mutant) > 1})
    if duplicates:
        raise CampaignError(f"two mutants of {profile} share an id: {', '.join(duplicates)}")
    return cases


def sampled(cases: list[Case], sample: int | None, seed: int, profile: str) -> list[Case]:
    """`sample` cases picked by `seed` (the same ones every time), in generation order; all without `sample`."""
    if sample is None or sample >= len(cases):
        return cases
    picked = random.Random(f"{seed}:{profile}").sample(range(len(cases)), sample)
    return [cases[index] for index in sorted(picked)]


def run_account_campaign(
    profiles: Sequence[str] = ("dev", "prod"),
    *,
    sample: int | None = None,
    seed: int = 0,
    lanes: int = 2,
    engine: str = "translator",
) -> list[Outcome]:
    with TemporaryDirectory(prefix="tap-mutate-") as temporary:
        folder = Path(temporary)
        with provisioned(profiles, folder, engine) as accounts:
            cases = [
                (accounts[profile], case)
                for profile in profiles
                for case in sampled(generate(accounts, profile), sample, seed, profile)
            ]
            runner = Runner(folder)
            with ThreadPoolExecutor(max_workers=lanes) as pool:
                list(pool.map(runner.control, accounts.values()))
                return list(pool.map(lambda item: runner.run(*item), cases))


class Runner:
    """Runs cases against forks: files numbered apart, one boto3 session per lane (sessions are not thread-safe)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._numbers = count()
        self._lock = threading.Lock()

    def control(self, account: Account) -> None:
        """The pristine fork must pass: otherwise no verdict on any mutant means anything."""
        control = Case(Mutant("account", account.profile, account.stack, "control"))
        run = self.live(account, control)
        if (run.returncode, run.failures) != (0, []) or not run.tests:
            raise CampaignError(
                f"the live suite fails the unmutated {account.profile} rehearsal (exit {run.returncode}): "
                f"{'; '.join(run.failures[:3]) or run.output[-1500:]}"
            )

    def run(self, account: Account, case: Case) -> Outcome:
        # The verdict is the first failing test: a run may stop there (the nightly's exit code is the same).
        return Outcome(case.mutant, {LAYER: verdict(case, self.live(account, case, "--exitfirst"))})

    def live(self, account: Account, case: Case, *arguments: str) -> LiveRun:
        """The nightly command against a fork of `account` with `case` applied (the drift catalogue's runs too)."""
        with self._lock:
            number = next(self._numbers)
        outputs_file = account.outputs_file
        with account.zygote.fork() as url:
            if case.apply:
                check_loopback(url)  # mutants write: never anywhere but the fork this campaign made
                try:
                    case.apply(_clients(url, account.region))
                except (BotoCoreError, ClientError) as error:  # an operator the emulator refuses: fix the generator
                    raise CampaignError(f"{case.mutant.id}: the emulator refused the change: {error}") from error
            if case.rewrite:
                outputs_file = self.folder / f"outputs-{number}.json"
                outputs_file.write_text(json.dumps(case.rewrite(account.document), indent=2))
            return live_run(url, outputs_file, self.folder / f"junit-{number}.xml", *UNUSED_PLUGINS, *arguments)


def verdict(case: Case, run: LiveRun) -> str | None:
    """The first failing test and its message's head (killed), None (survived), or a CampaignError."""
    if run.returncode == 0 and run.tests and not run.failures:
        return None
    gone = any(EMULATOR_GONE in failure for failure in run.failures)
    if run.returncode == 1 and run.failures and not gone:
        return run.failures[0][:MESSAGE_HEAD]
    refusal = _refusal(run)
    if case.rewrite and run.returncode == 2 and refusal:
        return refusal[:MESSAGE_HEAD]
    raise CampaignError(
        f"{case.mutant.id}: the live suite did not test the account (exit {run.returncode}, {run.tests} test cases"
        f"{', the emulator was gone' if gone else ''}): {run.output[-1500:]}"
    )


def _refusal(run: LiveRun) -> str:
    """The suite's one sentence refusing a misread outputs file; '' for any other stop (a file missing, unreadable)."""
    lines = [line for line in run.output.splitlines() if REFUSAL in line]
    sentence = lines[0][lines[0].index(REFUSAL) :].rstrip(" !") if lines else ""
    return "" if "does not exist" in sentence or "cannot read" in sentence else sentence


_sessions = threading.local()


def _clients(url: str, region: str):
    """A client factory for the emulator at `url`, from this thread's session."""
    check_loopback(url)
    if not hasattr(_sessions, "session"):
        _sessions.session = boto3.Session(**EMULATOR_CREDENTIALS)
    config = BotoConfig(retries={"total_max_attempts": 1}, inject_host_prefix=False)
    made: dict[str, Any] = {}

    def client(service: str) -> Any:
        if service not in made:
            made[service] = _sessions.session.client(service, endpoint_url=url, region_name=region, config=config)
        return made[service]

    return client
