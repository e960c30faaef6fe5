from checkov.common.models.enums import CheckCategories

from policies.support import PaymentCheck, is_true, value


class CKV_PAY_10(PaymentCheck):
    TITLE = "Only public-tier subnets map public IP addresses on launch"
    CATEGORY = CheckCategories.NETWORKING
    RESOURCES = ("aws_subnet",)

    def scan_resource_conf(self, conf):
        maps_public = is_true(value(conf, "map_public_ip_on_launch"))
        public_tier = (value(conf, "tags") or {}).get("Tier") == "public"
        return self.verdict(public_tier or not maps_public, "map_public_ip_on_launch", "tags/Tier")


check = CKV_PAY_10()
