from checkov.common.models.enums import CheckCategories

from policies.support import PaymentCheck, blocks, number, text


class CKV_PAY_63(PaymentCheck):
    TITLE = "S3 lifecycles keep an object's previous versions at least as long as the objects themselves"
    CATEGORY = CheckCategories.LOGGING
    SEVERITY = "high"
    REMEDIATION = (
        "Set noncurrent_version_expiration's noncurrent_days to at least the expiration days of every rule: "
        "an overwritten log's original is the evidence of what it said."
    )
    RESOURCES = ("aws_s3_bucket_lifecycle_configuration",)

    def scan_resource_conf(self, conf):
        rules = [rule for rule in blocks(conf, "rule") if text(rule, "status") == "Enabled"]
        kept = [number(expiry, "days", None) for rule in rules for expiry in blocks(rule, "expiration")]
        kept = [days for days in kept if days is not None]
        if not kept:
            return self.out_of_scope("no rule expires objects after a number of days: none outlives its old versions")
        purged = [
            number(expiry, "noncurrent_days", None)
            for rule in rules
            for expiry in blocks(rule, "noncurrent_version_expiration")
        ]
        purged = [days for days in purged if days is not None]
        # Rules may overlap (prefixes, tags): the earliest purge must come no sooner than the latest expiry.
        return self.verdict(not purged or min(purged) >= max(kept), "rule")


check = CKV_PAY_63()
