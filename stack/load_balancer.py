"""Internet-facing ALB: HTTPS only (HTTP just redirects), strict headers, access logs."""

from __future__ import annotations

from constructs import Construct

from stack.cdk import aws
from stack.config import Config
from stack.naming import Names
from stack.storage import BucketParts
from stack.waivers import DELETION_PROTECTION_OFF, NON_PRODUCTION_REVIEW, waive

HEALTH_CHECK_PATH = "/health"
ACCESS_LOG_PREFIX = "alb"


class LoadBalancer(Construct):
    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        config: Config,
        names: Names,
        vpc: aws.vpc.Vpc,
        subnets: list[aws.subnet.Subnet],
        security_group: aws.security_group.SecurityGroup,
        access_logs: BucketParts,
    ):
        super().__init__(scope, id_)
        self.alb = aws.lb.Lb(
            self,
            "alb",
            name=names["alb"],
            internal=False,
            load_balancer_type="application",
            security_groups=[security_group.id],
            subnets=[subnet.id for subnet in subnets],
            drop_invalid_header_fields=True,
            enable_deletion_protection=config.settings.deletion_protection,
            access_logs=aws.lb.LbAccessLogs(bucket=access_logs.bucket.id, prefix=ACCESS_LOG_PREFIX, enabled=True),
            # ELB checks it may write to the bucket when the ALB is created.
            depends_on=[access_logs.policy],
        )
        if not config.settings.deletion_protection:
            waive(self.alb, "CKV_AWS_150", DELETION_PROTECTION_OFF, NON_PRODUCTION_REVIEW)
        self.target_group = aws.lb_target_group.LbTargetGroup(
            self,
            "tg",
            name=names["tg"],
            port=config.app_port,
            protocol="HTTP",
            target_type="instance",
            vpc_id=vpc.id,
            deregistration_delay="30",
            health_check=aws.lb_target_group.LbTargetGroupHealthCheck(
                enabled=True,
                path=HEALTH_CHECK_PATH,
                protocol="HTTP",
                matcher="200",
                interval=30,
                timeout=5,
                healthy_threshold=3,
                unhealthy_threshold=3,
            ),
        )
        self.https_listener = aws.lb_listener.LbListener(
            self,
            "https",
            load_balancer_arn=self.alb.arn,
            port=443,
            protocol="HTTPS",
            ssl_policy=config.tls_policy,
            certificate_arn=config.certificate_arn,
            default_action=[
                aws.lb_listener.LbListenerDefaultAction(type="forward", target_group_arn=self.target_group.arn)
            ],
        )
        self.http_listener = aws.lb_listener.LbListener(
            self,
            "http",
            load_balancer_arn=self.alb.arn,
            port=80,
            protocol="HTTP",
            default_action=[
                aws.lb_listener.LbListenerDefaultAction(
                    type="redirect",
                    redirect=aws.lb_listener.LbListenerDefaultActionRedirect(
                        protocol="HTTPS", port="443", status_code="HTTP_301"
                    ),
                )
            ],
        )
