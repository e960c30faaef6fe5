from checkov.common.models.enums import CheckCategories

from policies.support import PaymentCheck, blocks, is_true, literal


class CKV_PAY_2(PaymentCheck):
    TITLE = "Launch template volumes are encrypted"
    CATEGORY = CheckCategories.ENCRYPTION
    SEVERITY = "high"
    REMEDIATION = "Set encrypted = true (with the stack's KMS key) on every block device of the launch template."
    RESOURCES = ("aws_launch_template",)

    def scan_resource_conf(self, conf):
        volumes = [ebs for mapping in blocks(conf, "block_device_mappings") for ebs in blocks(mapping, "ebs")]
        encrypted = bool(volumes) and all(is_true(literal(ebs, "encrypted")) for ebs in volumes)
        return self.verdict(encrypted, "block_device_mappings")


check = CKV_PAY_2()
