"""Accepted exceptions to a compliance check, declared next to the resource they cover.

A waiver travels inside the plan, in the resource's `"//"` metadata, where `tap audit`
reads it (checkov itself ignores suppressions in `cdk.tf.json`). Each one needs a reason
an auditor can read, who approved it and the ticket or pull request that records the
approval, the environments it was approved for, and the date it expires: an expired waiver
fails the audit, so every exception is reviewed again. There is no default approval: whoever
writes `waive()` names the one that covers it.

A check that does not apply to a resource at all (the S3 access-log bucket holds no cardholder data) is
declared not applicable with `declare_not_applicable()`, not waived: the audit shows it as
Not Applicable with its reason, neither a pass nor a waiver.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from stack.cdk import core
from stack.contract import NOT_APPLICABLE_METADATA_KEY, WAIVER_METADATA_KEY, CompensatingControl


@dataclass(frozen=True)
class Approval:
    """Who accepted an exception, where that is recorded, for which environments, until when.

    `reference` is a ticket key (SEC-1234) or the address of the pull request; `environments`
    names environments declared in environments.toml; `expires` is an ISO date (YYYY-MM-DD).
    """

    approver: str
    reference: str
    expires: str
    environments: tuple[str, ...]


@dataclass(frozen=True)
class ScopeDecision:
    """Who decided that a check does not apply to a resource, and where that is recorded."""

    approver: str
    reference: str


# The platform security lead reviews the stack's exceptions every six months. The references are
# the review tickets that record each approval (placeholders until the team's tracker is wired in).
SECURITY_REVIEW = Approval(
    approver="platform-security-lead@payments.example",
    reference="SEC-1001",
    expires="2027-05-31",
    environments=("dev", "nightly", "prod"),
)
# Accepted where the profile trades resilience for cost: never prod.
NON_PRODUCTION_REVIEW = Approval(
    approver="platform-security-lead@payments.example",
    reference="SEC-1002",
    expires="2027-05-31",
    environments=("dev", "nightly"),
)
SCOPE_REVIEW = ScopeDecision(approver="platform-security-lead@payments.example", reference="SEC-1003")

DELETION_PROTECTION_OFF = (
    "Dev and nightly hold no cardholder data and are torn down by design (the nightly destroys its "
    "environment after every run), which deletion protection would block; prod turns deletion protection on."
)


def waive(
    resource: core.TerraformResource,
    check_id: str,
    reason: str,
    approval: Approval,
    control: CompensatingControl | None = None,
) -> None:
    fields = {"reason": reason, **asdict(approval), "environments": list(approval.environments)}
    worksheet = {name: value for name, value in asdict(control).items() if value} if control else {}
    resource.add_override(f"//.{WAIVER_METADATA_KEY}.{check_id}", {**fields, **worksheet})


def declare_not_applicable(
    resource: core.TerraformResource, check_id: str, reason: str, decision: ScopeDecision
) -> None:
    resource.add_override(f"//.{NOT_APPLICABLE_METADATA_KEY}.{check_id}", {"reason": reason, **asdict(decision)})
