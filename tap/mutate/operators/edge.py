"""Edge mutants: the load balancer's attributes, its listeners (TLS), target group, and the WAF."""

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
ACL, ASSOCIATION, LOGGING = (
    "aws_wafv2_web_acl",
    "aws_wafv2_web_acl_association",
    "aws_wafv2_web_acl_logging_configuration",
)


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


def web_acls(scope: Scope) -> Iterator[Case]:
    waf = scope.aws("wafv2")
    for summary in sorted(waf.list_web_acls(Scope="REGIONAL")["WebACLs"], key=lambda a: a["Name"]):
        found = waf.get_web_acl(Name=summary["Name"], Scope="REGIONAL", Id=summary["Id"])
        acl, label = found["WebACL"], scope.label(summary["Name"])
        for rule in sorted(acl["Rules"], key=lambda r: r["Priority"]):
            others = [r for r in acl["Rules"] if r["Name"] != rule["Name"]]
            yield scope.case(
                label,
                "delete",
                "rule",
                scope.label(rule["Name"]),
                "public exposure",
                _rules(summary, acl, others),
                observes=(ACL, "rule"),
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
                    observes=(ACL, "rule"),
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
                    observes=(ACL, "rule"),
                )
            if "None" in rule.get("OverrideAction", {}):
                counting = {**rule, "OverrideAction": {"Count": {}}}
                yield scope.case(
                    label,
                    "swap",
                    "rule.override_action",
                    f"{scope.label(rule['Name'])}: none -> count",
                    "public exposure",
                    _rules(summary, acl, [*others, counting]),
                    observes=(ACL, "rule"),
                )
        yield from _acl_settings(scope, label, summary, acl)
        yield from _waf_associations(scope, label, summary["ARN"])
        yield from _waf_logging(scope, label, summary["ARN"])
        yield scope.case(label, "delete", "", "", "public exposure", _acl_deleted(summary), observes=(ACL, ""))


def _acl_settings(scope: Scope, label: str, summary: dict[str, Any], acl: dict[str, Any]) -> Iterator[Case]:
    """The web ACL's own settings: what it does with a request no rule matched, what it shows of its traffic."""
    other = {"Block": {}} if "Allow" in acl["DefaultAction"] else {"Allow": {}}
    yield scope.case(
        label,
        "swap",
        "default_action",
        f"{next(iter(acl['DefaultAction']))} -> {next(iter(other))}",
        "availability",
        _rules(summary, acl, acl["Rules"], DefaultAction=other),
        observes=(ACL, "default_action"),
    )
    unsampled = {**acl["VisibilityConfig"], "SampledRequestsEnabled": False}
    yield scope.case(
        label,
        "flip",
        "visibility_config.sampled_requests_enabled",
        "true -> false",
        "logging and retention",
        _rules(summary, acl, acl["Rules"], VisibilityConfig=unsampled),
        observes=(ACL, "visibility_config"),
    )


def _acl_deleted(summary: dict[str, Any]):
    """The web ACL gone, after what AWS requires first: no resource associated with it."""

    def apply(aws) -> None:
        waf, elb = aws("wafv2"), aws("elbv2")
        for balancer in elb.describe_load_balancers()["LoadBalancers"]:
            resource = balancer["LoadBalancerArn"]
            if waf.get_web_acl_for_resource(ResourceArn=resource).get("WebACL", {}).get("ARN") == summary["ARN"]:
                waf.disassociate_web_acl(ResourceArn=resource)
        lock = waf.get_web_acl(Name=summary["Name"], Scope="REGIONAL", Id=summary["Id"])["LockToken"]
        waf.delete_web_acl(Name=summary["Name"], Scope="REGIONAL", Id=summary["Id"], LockToken=lock)

    return apply


def _rules(summary: dict[str, Any], acl: dict[str, Any], rules: list[dict[str, Any]], **settings: Any):
    """The web ACL updated with these rules (and any of its other settings given)."""

    def apply(aws) -> None:
        waf = aws("wafv2")
        lock = waf.get_web_acl(Name=summary["Name"], Scope="REGIONAL", Id=summary["Id"])["LockToken"]
        kept = {"DefaultAction": acl["DefaultAction"], "VisibilityConfig": acl["VisibilityConfig"]}
        waf.update_web_acl(
            Name=summary["Name"],
            Scope="REGIONAL",
            Id=summary["Id"],
            LockToken=lock,
            Rules=rules,
            **{**kept, **settings},
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
                observes=(ASSOCIATION, ""),
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
        observes=(LOGGING, ""),
    )
    yield scope.case(
        label,
        "swap",
        "logging.log_destination_configs",
        "-> another log group",
        "logging and retention",
        _logs_elsewhere(logging),
        observes=(LOGGING, "log_destination_configs"),
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
            observes=(LOGGING, "redacted_fields"),
        )


def _logs_elsewhere(logging: dict[str, Any]):
    """The WAF's logs sent to another group of the account (named as WAF requires: aws-waf-logs-)."""

    def apply(aws) -> None:
        name = "aws-waf-logs-elsewhere"
        aws("logs").create_log_group(logGroupName=name)
        (group,) = aws("logs").describe_log_groups(logGroupNamePrefix=name)["logGroups"]
        elsewhere = {**logging, "LogDestinationConfigs": [group["arn"].removesuffix(":*")]}
        aws("wafv2").put_logging_configuration(LoggingConfiguration=elsewhere)

    return apply


GENERATORS = (load_balancers, target_groups, web_acls)
