"""The account campaign: mutants generated from a provisioned rehearsal, each applied to a fork of it and run
through the nightly command; killed names the failing test, a passed run is a survivor, a run that tested
nothing is an error of the campaign, never a kill."""

from __future__ import annotations

import dataclasses
import re
from concurrent.futures import ThreadPoolExecutor

import pytest

from tap.live.emulator import rehearsal_config
from tap.live.observed import KINDS
from tap.live.observed.table import ignored_changes
from tap.live.suite import LiveRun
from tap.mutate.account import CampaignError, Runner, generate, provisioned, run_account_campaign, sampled, verdict
from tap.mutate.model import CATEGORIES, Mutant
from tap.mutate.operators import Case
from tap.plan import Plan
from tap.synth.cache import cached_plan

ENCRYPTION_TEST = (
    "tests.integration.test_planned_attributes::test_every_planned_attribute_matches_the_account"
    "[live-aws_s3_bucket_server_side_encryption_configuration]: "
)
ENCRYPTION_DELETED = "account:dev:payment-data-rh-dev:encryption:delete:"
VPC_ID_DROPPED = "account:dev:TapStackrh-dev:vpc_id:drop:"
ROLE_MADE_ADMINISTRATOR = "account:dev:payment-app-role-rh-dev:managed_policy_arns:add:AdministratorAccess"
# The live table reads every planned schedule (tap/live/observed/compute.py): its deletion no longer survives.
SCALE_DOWN_DELETED = re.compile(r"account:dev:[^:]+:scheduled_action:delete:payment-scale-down-.*")
# What moto draws at random (ids, the deployment suffix): never part of a mutant's id.
RANDOM_IDS = re.compile(
    r"\b(sg|subnet|rtb|vpce|nat|igw|lt|vpc|fl|eipalloc)-[0-9a-f]{8,}|[0-9a-f]{8}-[0-9a-f]{4}-|-[0-9a-f]{8}\b"
)


@pytest.fixture(scope="module")
def dev(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mutate")
    with provisioned(("dev",), folder) as accounts:
        yield accounts, folder


@pytest.fixture(scope="module")
def cases(dev) -> dict[str, Case]:
    accounts, _ = dev
    return {case.mutant.id: case for case in generate(accounts, "dev")}


def test_every_attribute_the_live_table_reads_has_an_account_mutant(cases):
    """The campaign drifts every attribute the live suite compares (the ones the emulator keeps), or, for an
    attribute AWS never changes in place, deletes the resource: a comparison no mutant exercises is unproven."""
    observed = {pair for case in cases.values() for pair in case.observes}
    plan = Plan.load(cached_plan(rehearsal_config("dev")))
    unexercised = sorted(
        f"{resource.type}.{attribute}"
        for resource in plan.resources()
        if resource.type in KINDS
        for attribute in _compared(KINDS[resource.type], resource)
        if (resource.type, attribute) not in observed
        and not (attribute in KINDS[resource.type].fixed and (resource.type, "") in observed)
    )
    assert not unexercised, f"attributes the live suite compares that no account mutant drifts: {set(unexercised)}"


def _compared(kind, resource) -> set[str]:
    planned = set(resource.properties) | set(kind.defaults)  # a provider default is compared as if planned
    return planned & set(kind.attributes) - set(kind.beyond_emulator) - ignored_changes(resource)


def _run(dev, *cases: Case):
    accounts, folder = dev
    runner = Runner(folder)
    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(lambda case: runner.run(accounts["dev"], case), cases))


def test_generation_gives_the_same_mutants_in_the_same_order(dev, cases):
    accounts, _ = dev
    assert [case.mutant.id for case in generate(accounts, "dev")] == list(cases)


def test_mutant_ids_hold_no_random_id_and_name_their_row(cases):
    assert [mutant for mutant in cases if RANDOM_IDS.search(mutant)] == []
    mutants = [case.mutant for case in cases.values()]
    assert {mutant.category for mutant in mutants} <= set(CATEGORIES)
    assert {(mutant.kind, mutant.deployment) for mutant in mutants} == {("account", "dev")}
    assert cases[ENCRYPTION_DELETED].mutant.lesson == 5
    assert cases[VPC_ID_DROPPED].mutant.lesson == 4
    assert {mutant.lesson for mutant in mutants if mutant.target.startswith("payment-nat-")} == {7}


def test_sample_picks_the_same_mutants_for_the_same_seed(cases):
    every = list(cases.values())
    picked = [case.mutant.id for case in sampled(every, 6, 3, "dev")]
    assert picked == [case.mutant.id for case in sampled(every, 6, 3, "dev")]
    assert picked != [case.mutant.id for case in sampled(every, 6, 4, "dev")]
    assert picked == [mutant for mutant in cases if mutant in picked]  # in generation order
    assert len(picked) == 6


def test_known_mutants_are_killed_naming_the_test_and_an_unseen_one_survives(dev, cases):
    unscheduled = next(case for mutant, case in cases.items() if SCALE_DOWN_DELETED.fullmatch(mutant))
    encryption, dropped, administrator, scale_down, unseen = _run(
        dev,
        cases[ENCRYPTION_DELETED],
        cases[VPC_ID_DROPPED],
        cases[ROLE_MADE_ADMINISTRATOR],
        unscheduled,
        _target_group_tagged(),
    )
    assert encryption.killed["live"].startswith(ENCRYPTION_TEST), encryption.killed
    assert "lacks the output vpc_id" in dropped.killed["live"]
    assert administrator.killed["live"].startswith(
        "tests.integration.test_roles::test_roles_attach_exactly_the_planned_managed_policies[live]: "
    ), administrator.killed
    assert scale_down.killed["live"].startswith(
        "tests.integration.test_planned_attributes::test_every_planned_attribute_matches_the_account"
        "[live-aws_autoscaling_schedule]: "
    ), scale_down.killed
    # A tag the plan does not give (the target group has none): no live check reads it, the change survives.
    assert unseen.killed == {"live": None} and unseen.survived


def _target_group_tagged() -> Case:
    def apply(aws) -> None:
        elb = aws("elbv2")
        (group,) = elb.describe_target_groups()["TargetGroups"]
        elb.add_tags(ResourceArns=[group["TargetGroupArn"]], Tags=[{"Key": "CostCenter", "Value": "payments"}])

    return Case(Mutant("account", "dev", "payment-tg", "add", "Tags", "CostCenter"), apply)


def test_a_run_that_tested_nothing_is_a_campaign_error_not_a_kill(dev, cases, tmp_path):
    accounts, folder = dev
    broken = dataclasses.replace(accounts["dev"], outputs_file=tmp_path / "missing.json")
    with pytest.raises(CampaignError, match="did not test the account"):
        Runner(folder).run(broken, cases[ENCRYPTION_DELETED])


def test_a_failing_control_stops_the_campaign(dev, tmp_path):
    accounts, folder = dev
    broken = dataclasses.replace(accounts["dev"], outputs_file=tmp_path / "missing.json")
    with pytest.raises(CampaignError, match="fails the unmutated dev rehearsal"):
        Runner(folder).control(broken)


def _account_case(rewrite=None) -> Case:
    return Case(Mutant("account", "dev", "t", "delete"), rewrite=rewrite)


@pytest.mark.parametrize(
    ("run", "rewrite"),
    [
        (LiveRun(0, 0, [], "no tests ran"), None),  # passed, having run nothing
        (LiveRun(5, 0, [], "no tests ran"), None),
        (LiveRun(4, 0, [], "ERROR: usage"), None),
        (LiveRun(2, 0, [], "Exit: live suite: the outputs file x lacks the output vpc_id"), None),  # account mutant
        (LiveRun(2, 0, [], "Exit: live suite: the outputs file x does not exist: run"), lambda doc: doc),
        (LiveRun(1, 53, ["t::a: EndpointConnectionError: Could not connect to the endpoint URL"], ""), None),
    ],
    ids=["no-test", "exit-5", "exit-4", "refused-account-mutant", "missing-file", "emulator-gone"],
)
def test_verdict_refuses_a_run_that_did_not_test(run, rewrite):
    with pytest.raises(CampaignError):
        verdict(_account_case(rewrite), run)


def test_verdict_names_the_first_failure_or_the_refusal():
    assert verdict(_account_case(), LiveRun(0, 53, [], "")) is None
    assert verdict(_account_case(), LiveRun(1, 53, ["a::b: drift: x", "c::d: drift: y"], "")) == "a::b: drift: x"
    refused = LiveRun(2, 0, [], "!!! Exit: live suite: the outputs file x holds no stack: it should !!!")
    assert (
        verdict(_account_case(lambda doc: doc), refused) == "live suite: the outputs file x holds no stack: it should"
    )


def test_campaign_runs_a_seeded_sample_with_the_same_ids_on_another_rehearsal(cases):
    outcomes = run_account_campaign(("dev",), sample=4, seed=11)
    expected = [case.mutant.id for case in sampled(list(cases.values()), 4, 11, "dev")]
    assert [outcome.mutant.id for outcome in outcomes] == expected
    assert all("live" in outcome.killed for outcome in outcomes)
