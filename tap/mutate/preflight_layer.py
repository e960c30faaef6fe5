"""The preflight layer's verdict on plan mutants: `tap preflight`'s checks against an emulated account.

Only mutants of what preflight reads run here (the database's engine, version and class, the
launch template's instance type, the subnets' zones, the listener's certificate, the alarm
topic's recipients); the rest are not its business, and the matrix shows "-" for them. The
account is a moto server on loopback with the RDS catalogue answered as AWS would
(tap/preflight/catalogue.py), empty as before a first deploy. A mutant is killed by a BLOCKER
its plan gets and the unmutated plan does not: the test deployments' own blockers (a
placeholder certificate or recipient) are not the mutant's.
"""

from __future__ import annotations

from tap.live.emulator import moto_server
from tap.live.guard import open_account
from tap.live.rehearsal import EMULATOR_CREDENTIALS
from tap.mutate.plan_mutants import PlanMutant, apply
from tap.plan import Plan
from tap.preflight.catalogue import answer_catalogue
from tap.preflight.checks import run_checks
from tap.preflight.deployment import BLOCKER, Deployment

# (resource type, attribute) preflight reads from a plan.
READS = {
    ("aws_db_instance", "engine"),
    ("aws_db_instance", "engine_version"),
    ("aws_db_instance", "instance_class"),
    ("aws_launch_template", "instance_type"),
    ("aws_subnet", "availability_zone"),
    ("aws_lb_listener", "certificate_arn"),
    ("aws_sns_topic_subscription", "endpoint"),
    ("aws_sns_topic_subscription", "protocol"),
}


def sees(mutant: PlanMutant) -> bool:
    return mutant.section == "resource" and (mutant.type, mutant.mutant.attribute) in READS


def preflight_verdicts(documents: dict[str, dict], mutants: list[PlanMutant]) -> dict[str, str | None]:
    """{mutant id: "check: why" of a new blocker, or None} for the mutants preflight reads."""
    mine = [mutant for mutant in mutants if sees(mutant)]
    if not mine:
        return {}
    verdicts = {}
    with moto_server() as url:
        account = None
        baselines = {}
        for mutant in mine:
            deployment = mutant.mutant.deployment
            if deployment not in baselines:
                plan = Plan(documents[deployment])
                account = account or _account(plan, url)
                baselines[deployment] = _blockers(account, plan)
            new = sorted(_blockers(account, Plan(apply(documents[deployment], mutant))) - baselines[deployment])
            verdicts[mutant.mutant.id] = f"{new[0][0]}: {new[0][1]}" if new else None
    return verdicts


def _account(plan: Plan, url: str):
    account = open_account(plan.region, url, **EMULATOR_CREDENTIALS)
    answer_catalogue(account.session)
    return account


def _blockers(account, plan: Plan) -> set[tuple[str, str]]:
    try:
        results = run_checks(account, Deployment(plan, None, frozenset()))
    except (KeyError, TypeError, ValueError):  # a plan Terraform would reject: a crash is no verdict, nor a kill
        return set()
    return {(result.check, result.why) for result in results if result.status == BLOCKER}
