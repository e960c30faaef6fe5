from checkov.common.models.enums import CheckCategories

from policies.support import PaymentCheck, blocks, is_true, literal


class CKV_PAY_9(PaymentCheck):
    TITLE = "Launch templates give instances no public IP address"
    CATEGORY = CheckCategories.NETWORKING
    SEVERITY = "high"
    REMEDIATION = "Set network_interfaces { associate_public_ip_address = false } in the launch template."
    RESOURCES = ("aws_launch_template",)

    def scan_resource_conf(self, conf):
        public = any(is_true(literal(nic, "associate_public_ip_address")) for nic in blocks(conf, "network_interfaces"))
        return self.verdict(not public, "network_interfaces")


check = CKV_PAY_9()
