from checkov.common.models.enums import CheckCategories

from policies.support import PaymentCheck, blocks, items, text


class CKV_PAY_90(PaymentCheck):
    TITLE = "Nothing is shared with everyone: no public S3 ACL, no public database snapshot or machine image"
    CATEGORY = CheckCategories.GENERAL_SECURITY
    SEVERITY = "critical"
    REMEDIATION = (
        'Use the private ACL and grant nothing to AllUsers or AuthenticatedUsers; remove "all" from a '
        "snapshot's shared_accounts; give an image's launch permission to named accounts, not group \"all\"."
    )
    RESOURCES = (
        "aws_s3_bucket",
        "aws_s3_bucket_acl",
        "aws_s3_object",
        "aws_s3_bucket_object",
        "aws_db_snapshot",
        "aws_db_cluster_snapshot",
        "aws_db_snapshot_copy",
        "aws_ami_launch_permission",
    )

    # Canned ACLs that grant every requester, or every AWS account, access.
    PUBLIC_ACLS = {"public-read", "public-read-write", "authenticated-read"}
    PUBLIC_GROUPS = {
        "http://acs.amazonaws.com/groups/global/AllUsers",
        "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
    }
    EVERYONE = "all"  # what snapshot sharing and launch permissions call every AWS account

    def scan_resource_conf(self, conf):
        if self.entity_type in ("aws_db_snapshot", "aws_db_cluster_snapshot", "aws_db_snapshot_copy"):
            shared = [account.lower() for account in items(conf, "shared_accounts") if isinstance(account, str)]
            return self.verdict(self.EVERYONE not in shared, "shared_accounts")
        if self.entity_type == "aws_ami_launch_permission":
            return self.verdict((text(conf, "group") or "").lower() != self.EVERYONE, "group")
        return self.verdict(self.acl_is_private(conf), "acl", "grant", "access_control_policy")

    def acl_is_private(self, conf):
        if text(conf, "acl") in self.PUBLIC_ACLS:
            return False
        # A bucket's own (deprecated) grant blocks, or an aws_s3_bucket_acl's access control policy.
        grants = blocks(conf, "grant") + [
            grant for policy in blocks(conf, "access_control_policy") for grant in blocks(policy, "grant")
        ]
        grantees = [who for grant in grants for who in [grant, *blocks(grant, "grantee")]]
        return not any(text(grantee, "uri") in self.PUBLIC_GROUPS for grantee in grantees)


check = CKV_PAY_90()
