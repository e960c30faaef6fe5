from checkov.common.models.enums import CheckCategories

from policies.support import PaymentCheck, blocks, is_false, is_true, literal, text, value


class CKV_PAY_14(PaymentCheck):
    TITLE = "Load balancers, API stages and CloudFront distributions write access logs"
    CATEGORY = CheckCategories.LOGGING
    SEVERITY = "medium"
    REMEDIATION = (
        "Load balancers: access_logs { bucket = the stack's log bucket, enabled = true }; API stages: "
        "access_log_settings with a destination_arn and a format; CloudFront: logging_config with a bucket."
    )
    RESOURCES = (
        "aws_lb",
        "aws_alb",
        "aws_elb",
        "aws_api_gateway_stage",
        "aws_apigatewayv2_stage",
        "aws_cloudfront_distribution",
    )

    def scan_resource_conf(self, conf):
        judge = {
            "aws_elb": self.classic,
            "aws_api_gateway_stage": self.stage,
            "aws_apigatewayv2_stage": self.stage,
            "aws_cloudfront_distribution": self.distribution,
        }.get(self.entity_type, self.balancer)
        return judge(conf)

    def balancer(self, conf):
        if (text(conf, "load_balancer_type") or "application") == "gateway":
            return self.out_of_scope("a gateway load balancer passes packets and serves no requests to log")
        # enabled defaults to false, even with a bucket named.
        logs = blocks(conf, "access_logs")
        return self.verdict(bool(logs) and is_true(literal(logs[0], "enabled")), "access_logs/[0]/enabled")

    def classic(self, conf):
        # A classic load balancer's access_logs block is on unless enabled = false.
        logs = blocks(conf, "access_logs")
        on = bool(logs) and set_to_something(logs[0], "bucket") and not is_false(literal(logs[0], "enabled"))
        return self.verdict(on, "access_logs")

    def stage(self, conf):
        settings = blocks(conf, "access_log_settings")
        on = (
            bool(settings)
            and set_to_something(settings[0], "destination_arn")
            and set_to_something(settings[0], "format")
        )
        return self.verdict(on, "access_log_settings")

    def distribution(self, conf):
        logging = blocks(conf, "logging_config")
        return self.verdict(bool(logging) and set_to_something(logging[0], "bucket"), "logging_config")


def set_to_something(conf, key):
    """The attribute names a destination: a literal or another block's value (a log group's ARN, a bucket)."""
    return value(conf, key) not in (None, "", [])


check = CKV_PAY_14()
