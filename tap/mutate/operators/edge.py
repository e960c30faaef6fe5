"""Edge mutants: the load balancer's attributes, its listeners (TLS), target group, and the WAF."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tap.mutate.operators import Case, Scope

# Older policies the provider accepts: TLS 1.0 with CBC suites; TLS 1.3 with CBC suites on its 1.2 side.
OLDER_TLS_POLICIES = ("ELBSecurityPolicy-2016-08", "ELBSecurityPolicy-TLS13-1-2-2021-06")
FLIPPED_ATTRIBUTES = (
    ("deletion_protection.enabled", "deletion safety"),
    ("routing.http.drop_invalid_header_fields.enabled", "public exposure"),
    ("access_logs.s3.enabled", "logging and retention"),
)


def load_balancers(scope: Scope) -> Iterator[Case]:
    elb = scope.aws("elbv2")
    for balancer in sorted(elb.describe_load_balancers()["LoadBalancers"], key=lambda b: b["LoadBalancerName"]):
        arn, label = balancer["LoadBalancerArn"], scope.label(balancer["LoadBalancerName"])
        attributes = {
            a["Key"]: a["Value"] for a in elb.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]
        }
        for key, category in FLIPPED_ATTRIBUTES:
            value = "false" if attributes.get(key) == "true" else "true"
            yield scope.case(
                label, "flip", key, f"{attributes.get(key)} -> {value}", category, _attribute(arn, key, value)
            )
        yield scope.case(
            label,
            "swap",
            "security_groups",
            "-> the VPC's default group",
            "network reachability",
            _groups(arn, scope.default_group()),
        )
        for listener in sorted(elb.describe_listeners(LoadBalancerArn=arn)["Listeners"], key=lambda item: item["Port"]):
            yield from _listener(scope, f"{label}:{listener['Protocol']}:{listener['Port']}", listener)
        yield scope.case(label, "delete", "", "", "deletion safety", _call("delete_load_balancer", LoadBalancerArn=arn))


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
            )
        fixed = [{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "200"}}]
        yield scope.case(
            label,
            "swap",
            "default_action",
            "forward -> fixed response",
            "other",
            _call("modify_listener", ListenerArn=arn, DefaultActions=fixed),
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
        )
    yield scope.case(label, "delete", "", "", "other", _call("delete_listener", ListenerArn=arn))


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
            )


def web_acls(scope: Scope) -> Iterator[Case]:
    waf = scope.aws("wafv2")
    for summary in sorted(waf.list_web_acls(Scope="REGIONAL")["WebACLs"], key=lambda a: a["Name"]):
        found = waf.get_web_acl(Name=summary["Name"], Scope="REGIONAL", Id=summary["Id"])
        acl, label = found["WebACL"], scope.label(summary["Name"])
        for rule in sorted(acl["Rules"], key=lambda r: r["Priority"]):
            others = [r for r in acl["Rules"] if r["Name"] != rule["Name"]]
            yield scope.case(
                label, "delete", "rule", scope.label(rule["Name"]), "public exposure", _rules(summary, acl, others)
            )
            rate = rule["Statement"].get("RateBasedStatement")
            if rate:
                looser = {**rule, "Statement": {"RateBasedStatement": {**rate, "Limit": rate["Limit"] * 10}}}
                yield scope.case(
                    label,
                    "larger",
                    "rule.rate_limit",
                    f"{rate['Limit']} -> {rate['Limit'] * 10}",
                    "public exposure",
                    _rules(summary, acl, [*others, looser]),
                )
            if "Block" in rule.get("Action", {}):
                counting = {**rule, "Action": {"Count": {}}}
                yield scope.case(
                    label,
                    "swap",
                    "rule.action",
                    f"{scope.label(rule['Name'])}: block -> count",
                    "public exposure",
                    _rules(summary, acl, [*others, counting]),
                )
        yield from _waf_associations(scope, label, summary["ARN"])
        yield from _waf_logging(scope, label, summary["ARN"])


def _rules(summary: dict[str, Any], acl: dict[str, Any], rules: list[dict[str, Any]]):
    def apply(aws) -> None:
        waf = aws("wafv2")
        lock = waf.get_web_acl(Name=summary["Name"], Scope="REGIONAL", Id=summary["Id"])["LockToken"]
        waf.update_web_acl(
            Name=summary["Name"],
            Scope="REGIONAL",
            Id=summary["Id"],
            LockToken=lock,
            DefaultAction=acl["DefaultAction"],
            Rules=rules,
            VisibilityConfig=acl["VisibilityConfig"],
        )

    return apply


def _waf_associations(scope: Scope, label: str, acl_arn: str) -> Iterator[Case]:
    waf, balancers = scope.aws("wafv2"), scope.aws("elbv2").describe_load_balancers()["LoadBalancers"]
    for balancer in sorted(balancers, key=lambda b: b["LoadBalancerName"]):
        resource = balancer["LoadBalancerArn"]
        if waf.get_web_acl_for_resource(ResourceArn=resource).get("WebACL", {}).get("ARN") == acl_arn:
            yield scope.case(
                label,
                "delete",
                "association",
                scope.label(balancer["LoadBalancerName"]),
                "public exposure",
                _call("disassociate_web_acl", "wafv2", ResourceArn=resource),
            )


def _waf_logging(scope: Scope, label: str, acl_arn: str) -> Iterator[Case]:
    logging = scope.aws("wafv2").get_logging_configuration(ResourceArn=acl_arn)["LoggingConfiguration"]
    yield scope.case(
        label,
        "delete",
        "logging",
        "",
        "logging and retention",
        _call("delete_logging_configuration", "wafv2", ResourceArn=acl_arn),
    )
    if logging.get("RedactedFields"):
        unredacted = {"ResourceArn": acl_arn, "LogDestinationConfigs": logging["LogDestinationConfigs"]}
        yield scope.case(
            label,
            "drop",
            "logging.redacted_fields",
            "",
            "credentials",
            _call("put_logging_configuration", "wafv2", LoggingConfiguration=unredacted),
        )


GENERATORS = (load_balancers, target_groups, web_acls)
