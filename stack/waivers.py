"""Accepted exceptions to a compliance check, declared next to the resource they cover.

A waiver travels inside the plan, in the resource's `"//"` metadata, where `tap audit`
reads it (checkov itself ignores suppressions in `cdk.tf.json`). Each one needs a reason
an auditor can read, who approved it, and the date it expires: an expired waiver fails
the audit, so every exception is reviewed again.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from stack.cdk import core
from stack.contract import WAIVER_METADATA_KEY


@dataclass(frozen=True)
class Approval:
    """Who accepted an exception, and until when (an ISO date, YYYY-MM-DD)."""

    approver: str
    expires: str


# The platform security lead reviews the stack's exceptions every six months.
SECURITY_REVIEW = Approval(approver="platform-security-lead@payments.example", expires="2027-05-31")

DELETION_PROTECTION_OFF = (
    "Dev is destroyed after every nightly run and deletion protection would block that destroy; "
    "prod turns deletion protection on."
)


def waive(resource: core.TerraformResource, check_id: str, reason: str, approval: Approval = SECURITY_REVIEW) -> None:
    resource.add_override(f"//.{WAIVER_METADATA_KEY}.{check_id}", {"reason": reason, **asdict(approval)})
