from checkov.common.models.enums import CheckCategories

from policies.support import PaymentCheck, is_true, literal, mapping


class CKV_PAY_10(PaymentCheck):
    TITLE = "Only public-tier subnets map public IP addresses on launch"
    CATEGORY = CheckCategories.NETWORKING
    SEVERITY = "high"
    REMEDIATION = "Set map_public_ip_on_launch = false on every subnet but the public tier's."
    RESOURCES = ("aws_subnet",)

    def scan_resource_conf(self, conf):
        if not is_true(literal(conf, "map_public_ip_on_launch")):
            return self.verdict(True, "map_public_ip_on_launch")
        public_tier = literal(mapping(conf, "tags"), "Tier") == "public"
        return self.verdict(public_tier, "map_public_ip_on_launch", "tags/Tier")


check = CKV_PAY_10()
