"""Edge mutants: the load balancer's attributes, its listeners (TLS) and its target group."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tap.mutate.operators import Case, Scope

# Older policies the provider accepts: TLS 1.0 with CBC suites; TLS 1.3 with CBC suites on its 1.2 side.
OLDER_TLS_POLICIES = ("ELBSecurityPolicy-2016-08", "ELBSecurityPolicy-TLS13-1-2-2021-06")
# (attribute, category, the live table's attribute)
FLIPPED_ATTRIBUTES = (
    ("deletion_protection.enabled", "deletion safety", "enable_deletion_protection"),
    ("routing.http.drop_invalid_header_fields.enabled", "public exposure", "drop_invalid_header_fields"),
    ("access_logs.s3.enabled", "logging and retention", "access_logs"),
)
BALANCER, LISTENER, TARGET_GROUP = "aws_lb", "aws_lb_listener", "aws_lb_target_group"


def load_balancers(scope: Scope) -> Iterator[Case]:
    elb = scope.aws("elbv2")
    for balancer in sorted(elb.describe_load_balancers()["LoadBalancers"], key=lambda b: b["LoadBalancerName"]):
        arn, label = balancer["LoadBalancerArn"], scope.label(balancer["LoadBalancerName"])
        attributes = {
            a["Key"]: a["Value"] for a in elb.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]
        }
        for key, category, observed in FLIPPED_ATTRIBUTES:
            value = "false" if attributes.get(key) == "true" else "true"
            yield scope.case(
                label,
                "flip",
                key,
                f"{attributes.get(key)} -> {value}",
                category,
                _attribute(arn, key, value),
                observes=(BALANCER, observed),
            )
        yield scope.case(
            label,
            "swap",
            "security_groups",
            "-> the VPC's default group",
            "network reachability",
            _groups(arn, scope.default_group()),
            observes=(BALANCER, "security_groups"),
        )
        subnets = sorted(zone["SubnetId"] for zone in balancer["AvailabilityZones"])
        yield scope.case(
            label,
            "drop",
            "subnets",
            "one zone's subnet",
            "availability",
            _call("set_subnets", LoadBalancerArn=arn, Subnets=subnets[1:]),
            observes=(BALANCER, "subnets"),
        )
        for listener in sorted(elb.describe_listeners(LoadBalancerArn=arn)["Listeners"], key=lambda item: item["Port"]):
            yield from _listener(scope, f"{label}:{listener['Protocol']}:{listener['Port']}", listener)
        yield scope.case(
            label,
            "delete",
            "",
            "",
            "deletion safety",
            _call("delete_load_balancer", LoadBalancerArn=arn),
            observes=(BALANCER, ""),
        )


def _listener(scope: Scope, label: str, listener: dict[str, Any]) -> Iterator[Case]:
    arn = listener["ListenerArn"]
    if listener["Protocol"] == "HTTPS":
        for policy in OLDER_TLS_POLICIES:
            yield scope.case(
                label,
                "swap",
                "ssl_policy",
                f"{listener['SslPolicy']} -> {policy}",
                "TLS",
                _call("modify_listener", ListenerArn=arn, SslPolicy=policy),
                observes=(LISTENER, "ssl_policy"),
            )
        fixed = [{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "200"}}]
        yield scope.case(
            label,
            "swap",
            "default_action",
            "forward -> fixed response",
            "other",
            _call("modify_listener", ListenerArn=arn, DefaultActions=fixed),
            observes=(LISTENER, "default_action"),
        )
        yield scope.case(
            label,
            "swap",
            "certificate_arn",
            "-> another certificate",
            "TLS",
            _certificate_swapped(arn),
            observes=(LISTENER, "certificate_arn"),
        )
        yield scope.case(
            label,
            "swap",
            "protocol",
            "HTTPS -> HTTP",
            "TLS",
            _call("modify_listener", ListenerArn=arn, Protocol="HTTP"),
            observes=(LISTENER, "protocol"),
        )
    else:
        forward = [{"Type": "forward", "TargetGroupArn": scope.outputs["target_group_arn"]}]
        yield scope.case(
            label,
            "swap",
            "default_action",
            "redirect -> forward",
            "TLS",
            _call("modify_listener", ListenerArn=arn, DefaultActions=forward),
            observes=(LISTENER, "default_action"),
        )
        (action,) = listener["DefaultActions"]
        temporary = [{"Type": "redirect", "RedirectConfig": {**action["RedirectConfig"], "StatusCode": "HTTP_302"}}]
        yield scope.case(
            label,
            "swap",
            "default_action.redirect.status_code",
            "HTTP_301 -> HTTP_302",
            "TLS",
            _call("modify_listener", ListenerArn=arn, DefaultActions=temporary),
            observes=(LISTENER, "default_action"),
        )
    port = listener["Port"] + 8000
    yield scope.case(
        label,
        "swap",
        "port",
        f"{listener['Port']} -> {port}",
        "network reachability",
        _call("modify_listener", ListenerArn=arn, Port=port),
        observes=(LISTENER, "port"),
    )
    yield scope.case(
        label, "delete", "", "", "other", _call("delete_listener", ListenerArn=arn), observes=(LISTENER, "")
    )


def _certificate_swapped(listener: str):
    """The listener serving another certificate: one requested from ACM for a name the stack does not serve."""

    def apply(aws) -> None:
        other = aws("acm").request_certificate(DomainName="elsewhere.example")["CertificateArn"]
        aws("elbv2").modify_listener(ListenerArn=listener, Certificates=[{"CertificateArn": other}])

    return apply


def _attribute(arn: str, key: str, value: str):
    return _call("modify_load_balancer_attributes", LoadBalancerArn=arn, Attributes=[{"Key": key, "Value": value}])


def _groups(arn: str, group: str):
    return _call("set_security_groups", LoadBalancerArn=arn, SecurityGroups=[group])


def _call(method: str, service: str = "elbv2", **arguments: Any):
    def apply(aws) -> None:
        getattr(aws(service), method)(**arguments)

    return apply


# (attribute, operator, value from the current one)
HEALTH_CHECK_CHANGES = (
    ("HealthCheckPath", "swap", lambda path: "/" if path != "/" else "/health"),
    ("HealthCheckIntervalSeconds", "larger", lambda seconds: seconds * 2),
    ("HealthyThresholdCount", "smaller", lambda count: max(2, count - 1) if count > 2 else count + 1),
    ("UnhealthyThresholdCount", "larger", lambda count: count + 2),
)


def target_groups(scope: Scope) -> Iterator[Case]:
    elb = scope.aws("elbv2")
    for group in sorted(elb.describe_target_groups()["TargetGroups"], key=lambda g: g["TargetGroupName"]):
        arn, label = group["TargetGroupArn"], scope.label(group["TargetGroupName"])
        for attribute, operator, change in HEALTH_CHECK_CHANGES:
            value = change(group[attribute])
            yield scope.case(
                label,
                operator,
                attribute,
                f"{group[attribute]} -> {value}",
                "availability",
                _call("modify_target_group", TargetGroupArn=arn, **{attribute: value}),
                observes=(TARGET_GROUP, "health_check"),
            )
        yield scope.case(
            label,
            "larger",
            "deregistration_delay",
            "-> 900 s",
            "availability",
            _call(
                "modify_target_group_attributes",
                TargetGroupArn=arn,
                Attributes=[{"Key": "deregistration_delay.timeout_seconds", "Value": "900"}],
            ),
            observes=(TARGET_GROUP, "deregistration_delay"),
        )
        yield scope.case(
            label, "delete", "", "", "availability", _target_group_deleted(arn), observes=(TARGET_GROUP, "")
        )


def _target_group_deleted(arn: str):
    """The group gone with the listeners forwarding to it (AWS refuses to delete a group in use)."""

    def apply(aws) -> None:
        elb = aws("elbv2")
        for balancer in elb.describe_load_balancers()["LoadBalancers"]:
            for listener in elb.describe_listeners(LoadBalancerArn=balancer["LoadBalancerArn"])["Listeners"]:
                if any(action.get("TargetGroupArn") == arn for action in listener["DefaultActions"]):
                    elb.delete_listener(ListenerArn=listener["ListenerArn"])
        elb.delete_target_group(TargetGroupArn=arn)

    return apply


GENERATORS = (load_balancers, target_groups)
