from checkov.common.models.enums import CheckCategories

from policies.support import PaymentCheck, is_false, is_true, literal, text


class CKV_PAY_65(PaymentCheck):
    TITLE = "A database protected from deletion leaves a final snapshot when it is deleted"
    CATEGORY = CheckCategories.BACKUP_AND_RECOVERY
    SEVERITY = "high"
    REMEDIATION = "Set skip_final_snapshot = false and a final_snapshot_identifier on the database."
    RESOURCES = ("aws_db_instance",)

    def scan_resource_conf(self, conf):
        protected = literal(conf, "deletion_protection")
        if not is_true(protected):
            if protected is None or is_false(protected):
                return self.out_of_scope("not protected from deletion: an environment its profile lets go (dev)")
            return self.verdict(False, "deletion_protection")
        skipped = literal(conf, "skip_final_snapshot")
        kept = skipped is None or is_false(skipped)
        return self.verdict(kept and bool(text(conf, "final_snapshot_identifier")), "skip_final_snapshot")


check = CKV_PAY_65()
