"""WAF mutants: the web ACL's rules and default action, its association with the load balancer, its logging."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tap.mutate.operators import Case, Scope, call

ACL, ASSOCIATION, LOGGING = (
    "aws_wafv2_web_acl",
    "aws_wafv2_web_acl_association",
    "aws_wafv2_web_acl_logging_configuration",
)


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
                call("wafv2", "disassociate_web_acl", ResourceArn=resource),
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
        call("wafv2", "delete_logging_configuration", ResourceArn=acl_arn),
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
            call("wafv2", "put_logging_configuration", LoggingConfiguration=unredacted),
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


GENERATORS = (web_acls,)
