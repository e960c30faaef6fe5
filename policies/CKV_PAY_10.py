from checkov.common.models.enums import CheckCategories

from policies.support import PaymentCheck, is_false, literal, mapping


class CKV_PAY_10(PaymentCheck):
    TITLE = "Only public-tier subnets map public IP addresses on launch"
    CATEGORY = CheckCategories.NETWORKING
    SEVERITY = "high"
    REMEDIATION = "Set map_public_ip_on_launch = false on every subnet but the public tier's."
    RESOURCES = ("aws_subnet", "aws_default_subnet")

    # What each type does when map_public_ip_on_launch is unset: a default subnet maps public addresses.
    MAPS_BY_DEFAULT = {"aws_subnet": False, "aws_default_subnet": True}

    def scan_resource_conf(self, conf):
        found = literal(conf, "map_public_ip_on_launch")
        maps = self.MAPS_BY_DEFAULT[self.entity_type] if found is None else not is_false(found)
        if not maps:
            return self.verdict(True, "map_public_ip_on_launch")
        public_tier = literal(mapping(conf, "tags"), "Tier") == "public"
        return self.verdict(public_tier, "map_public_ip_on_launch", "tags/Tier")


check = CKV_PAY_10()
