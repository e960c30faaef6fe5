from checkov.common.models.enums import CheckCategories

from policies.support import PaymentCheck, blocks, is_true, literal


class CKV_PAY_9(PaymentCheck):
    TITLE = "Instances, launch templates and launch configurations ask for no public IP address"
    CATEGORY = CheckCategories.NETWORKING
    SEVERITY = "high"
    REMEDIATION = (
        "Set associate_public_ip_address = false (in a launch template, in its network_interfaces), "
        "and bind no Elastic IP to an instance or a network interface."
    )
    RESOURCES = (
        "aws_launch_template",
        "aws_instance",
        "aws_spot_instance_request",
        "aws_launch_configuration",
        "aws_eip",
    )

    # Where each type asks for a public address. Left unset, an instance takes its subnet's
    # map_public_ip_on_launch, which CKV_PAY_10 judges.
    ELASTIC_IP_TARGETS = ("instance", "network_interface", "associate_with_private_ip")

    def scan_resource_conf(self, conf):
        if self.entity_type == "aws_launch_template":
            public = any(
                is_true(literal(nic, "associate_public_ip_address")) for nic in blocks(conf, "network_interfaces")
            )
            return self.verdict(not public, "network_interfaces")
        if self.entity_type == "aws_eip":  # an address for a NAT gateway or a load balancer binds to neither
            bound = [key for key in self.ELASTIC_IP_TARGETS if conf.get(key) not in (None, [None], [])]
            return self.verdict(not bound, *self.ELASTIC_IP_TARGETS)
        return self.verdict(not is_true(literal(conf, "associate_public_ip_address")), "associate_public_ip_address")


check = CKV_PAY_9()
