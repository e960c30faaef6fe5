"""The live suite's target: a rehearsal on a moto server (default), or a real account (--live).

Both modes take one code path: identifiers come from the outputs file (nested as
`cdktf deploy --outputs-file` writes it), expectations from the synthesized plan of the
same deployment, and every AWS call goes through the read-only guard.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import BotoCoreError, ClientError

from stack.config import PROFILES, ConfigError
from stack.contract import DEPLOYMENT_SUFFIX, Output, stack_name
from tap.errors import UsageError
from tap.live.guard import Account, open_account
from tap.live.observed import Observer, observer
from tap.live.outputs import Outputs, read_outputs
from tap.plan import Plan, Resource
from tap.synth.cache import cached_plan


@dataclass
class Target:
    plan: Plan
    outputs: Outputs
    client: Account  # target.client("ec2"): a read-only client, one per service
    # What was checked against what, written on every JUnit test case: `tap audit --live-results`
    # refuses evidence from another stack or another version of the plan.
    identity: dict[str, str]

    def live(self, text: str) -> str:
        """A plan string with the deployment suffix filled in from the outputs."""
        return text.replace(DEPLOYMENT_SUFFIX, self.outputs[Output.DEPLOYMENT_SUFFIX])

    def name(self, resource: Resource, key: str = "name") -> str:
        return self.live(resource[key])

    def planned(self, type_: str, under: str | None = None) -> list[Resource]:
        return list(self.plan.resources(type_, under=under))

    @functools.cached_property
    def observed(self) -> Observer:
        """The plan's resources as the account shows them (tap/live/observed), each read once per run."""
        suffix, account = self.outputs[Output.DEPLOYMENT_SUFFIX], self.identity["account"]
        return observer(self.plan, self.client, suffix, account, self.client.emulated)


def same(actual: Any, expected: Any, what: str) -> None:
    """Equal, or fail naming the drift: what it is in the account and what the plan says."""
    assert actual == expected, f"drift: {what} is {actual!r} in the account, the plan says {expected!r}"


def within(seconds: float, every: float, attempt: Callable[[], str | None]) -> None:
    """Run `attempt` until it finds nothing wrong (None) or `seconds` have passed, then fail with what it found.

    For what a real account reaches in time (instances turning healthy, agents shipping logs); an emulator
    answers at once, so a rehearsal that is right never waits. A check that can never come right on its own
    (a stopped instance) fails at once: `attempt` raises AssertionError itself.
    """
    deadline = time.monotonic() + seconds
    while (found := attempt()) is not None:
        assert time.monotonic() + every <= deadline, f"drift: {found} (still, after {seconds:.0f} s)"
        time.sleep(every)


def referenced(target: Target, reference: str) -> Resource:
    """`${aws_security_group.x.id}` -> the planned resource it refers to."""
    return target.plan.resource(re.fullmatch(r"\$\{([^.]+\.[^.]+)\.\w+\}", reference).group(1))


def key_arn(target: Target, key: Resource) -> str:
    """The live ARN of a planned KMS key, found through its alias (the only name a key has)."""
    (alias,) = [a for a in target.planned("aws_kms_alias") if a["target_key_id"] == f"${{{key.address}.key_id}}"]
    return target.client("kms").describe_key(KeyId=target.name(alias))["KeyMetadata"]["Arn"]


def reference_name(target: Target, reference: str) -> str:
    """`${aws_security_group.x.id}` -> the live name of the resource referenced."""
    return target.name(referenced(target, reference))


@pytest.fixture(autouse=True)
def _record_evidence(request: pytest.FixtureRequest, record_property) -> None:
    marker = request.node.get_closest_marker("controls")
    if marker:
        record_property("controls", " ".join(marker.args))
    if "target" in request.fixturenames:
        for key, value in request.getfixturevalue("target").identity.items():
            record_property(key, value)


@pytest.fixture(autouse=True)
def _beyond_emulator(request: pytest.FixtureRequest, _record_evidence: None) -> None:
    """A check the emulator cannot answer is skipped against one, saying why; against an AWS account it runs.

    An emulator's account, not the mode: the drift catalogue and the mutation campaign run the nightly
    command (`--live`) against an emulated account too. The skip is recorded with what it was skipped against
    (after `_record_evidence`), as every other result is.
    """
    marker = request.node.get_closest_marker("beyond_emulator")
    if marker and "target" in request.fixturenames and request.getfixturevalue("target").client.emulated:
        pytest.skip(f"not rehearsable: {marker.args[0]}; runs with --live against an AWS account")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Rehearsals of both profiles (their expectations differ: NAT per AZ, Multi-AZ...), or the one live account."""
    if "deployment" in metafunc.fixturenames:
        live = metafunc.config.getoption("--live")
        metafunc.parametrize("deployment", ["live"] if live else list(PROFILES), scope="session")


@pytest.fixture(scope="session")
def target(deployment: str, request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[Target]:
    try:
        if deployment == "live":
            yield _live_target(Path(request.config.getoption("--outputs-file")))
        else:
            yield from _rehearsal_target(
                deployment, tmp_path_factory.mktemp(f"rehearsal-{deployment}") / "outputs.json"
            )
    except (UsageError, ConfigError) as error:
        pytest.exit(f"live suite: {error}", returncode=2)


def _target(outputs: Outputs, account: Account) -> Target:
    """The deployment the outputs describe, checked against the plan of that same deployment."""
    config = outputs.deployment()
    outputs.require(Output)
    plan_path = cached_plan(config)
    try:
        caller = account("sts").get_caller_identity()
    except (BotoCoreError, ClientError) as error:
        raise UsageError(
            f"no usable AWS credentials for the live suite ({error}); configure the standard chain"
        ) from None
    identity = {
        "stack": outputs.stack,
        "plan_sha256": hashlib.sha256(plan_path.read_bytes()).hexdigest(),
        "account": caller["Account"],
        "region": config.region,
    }
    return Target(Plan.load(plan_path), outputs, account, identity)


def _rehearsal_target(profile: str, outputs_file: Path) -> Iterator[Target]:
    from tap.live.emulator import moto_server, rehearsal_config
    from tap.live.rehearsal import EMULATOR_CREDENTIALS, rehearse

    config = rehearsal_config(profile)
    with moto_server() as url:
        rehearse(cached_plan(config), url, outputs_file)
        outputs = read_outputs(outputs_file, config.stack_name)
        yield _target(outputs, open_account(config.region, url, **EMULATOR_CREDENTIALS))


def _live_target(outputs_file: Path) -> Target:
    # The outputs file alone says which deployment it is; ENVIRONMENT_SUFFIX only picks one of several stacks.
    named = os.environ.get("ENVIRONMENT_SUFFIX")
    outputs = read_outputs(outputs_file, stack_name(named) if named else None)
    target = _target(outputs, open_account(outputs.deployment().region))
    print("live suite: " + ", ".join(f"{key} {value}" for key, value in target.identity.items()))
    return target
