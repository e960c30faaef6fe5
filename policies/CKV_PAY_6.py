from checkov.common.models.enums import CheckCategories

from policies.support import PaymentCheck, blocks, number, text


class CKV_PAY_6(PaymentCheck):
    TITLE = "Instances, launch templates and launch configurations require IMDSv2 tokens with a hop limit of 1"
    CATEGORY = CheckCategories.GENERAL_SECURITY
    SEVERITY = "high"
    REMEDIATION = 'Set metadata_options { http_tokens = "required", http_put_response_hop_limit = 1 }.'
    # Every way to start an instance: each sets its own metadata options (an instance without them gets the defaults).
    RESOURCES = ("aws_launch_template", "aws_launch_configuration", "aws_instance", "aws_spot_instance_request")

    def scan_resource_conf(self, conf):
        # Hop limit 1: a token cannot be fetched from inside a container on the instance.
        options = blocks(conf, "metadata_options")
        required = bool(options) and text(options[0], "http_tokens") == "required"
        one_hop = bool(options) and number(options[0], "http_put_response_hop_limit") == 1
        return self.verdict(
            required and one_hop,
            "metadata_options/[0]/http_tokens",
            "metadata_options/[0]/http_put_response_hop_limit",
        )


check = CKV_PAY_6()
