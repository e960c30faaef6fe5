from checkov.common.models.enums import CheckCategories

from policies.support import PaymentCheck, is_reference, items

# The AWS-managed policies the stack attaches, each for what only it grants: SSM Agent's registration and
# channels on the instances (stack/compute.py), RDS Enhanced Monitoring's log writes (stack/database.py).
NEEDED = frozenset(
    {
        "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
        "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
    }
)
# Where each resource type names the policies it attaches to a role.
POLICY_ARNS = {
    "aws_iam_role_policy_attachment": "policy_arn",
    "aws_iam_policy_attachment": "policy_arn",
    "aws_iam_role_policy_attachments_exclusive": "policy_arns",
    "aws_iam_role": "managed_policy_arns",
}


class CKV_PAY_45(PaymentCheck):
    TITLE = "Roles hold no managed policy but the plan's own and the AWS-managed ones the stack needs"
    CATEGORY = CheckCategories.IAM
    SEVERITY = "high"
    REMEDIATION = (
        "Detach the managed policy (AdministratorAccess, AmazonS3FullAccess...) and grant what the role needs in "
        "its own policy, on named resources; only AmazonSSMManagedInstanceCore and AmazonRDSEnhancedMonitoringRole "
        "are attached as AWS wrote them."
    )
    RESOURCES = tuple(POLICY_ARNS)

    def scan_resource_conf(self, conf):
        key = POLICY_ARNS[self.entity_type]
        attached = items(conf, key, references=True)
        if not attached:
            return self.out_of_scope(f"it attaches no managed policy ({key} is empty)")
        return self.verdict(all(self.judged_or_needed(arn) for arn in attached), key)

    @staticmethod
    def judged_or_needed(arn) -> bool:
        """A policy the plan holds (CKV_PAY_43 judges its document), or one the stack needs as AWS wrote it."""
        return is_reference(arn, "aws_iam_policy") or arn in NEEDED


check = CKV_PAY_45()
