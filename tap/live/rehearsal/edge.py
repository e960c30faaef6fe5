"""Translators for stack/load_balancer.py and stack/waf.py: load balancer, target group, listeners, WAF."""

from __future__ import annotations

from typing import Any

from tap.live.rehearsal.engine import Rehearsal, camel, flag, handles, one


def _arn_suffix(arn: str) -> str:
    """Terraform's arn_suffix, the value CloudWatch's dimensions take: the ARN's resource without
    `loadbalancer/` (a load balancer's `app/<name>/<id>`, a target group's `targetgroup/<name>/<id>`)."""
    return arn.rsplit(":", 1)[1].removeprefix("loadbalancer/")


@handles("aws_lb")
def _load_balancer(r: Rehearsal, body: dict) -> dict:
    elb = r.client("elbv2")
    balancer = elb.create_load_balancer(
        Name=body["name"],
        Subnets=body["subnets"],
        SecurityGroups=body.get("security_groups", []),
        Scheme="internal" if flag(body.get("internal")) else "internet-facing",
        Type=body.get("load_balancer_type", "application"),
        Tags=r.tag_list(body.get("tags")),
    )["LoadBalancers"][0]
    logs = one(body.get("access_logs"))
    attributes = {
        "deletion_protection.enabled": flag(body.get("enable_deletion_protection")),
        "routing.http.drop_invalid_header_fields.enabled": flag(body.get("drop_invalid_header_fields")),
        "access_logs.s3.enabled": flag(logs.get("enabled")),
        "access_logs.s3.bucket": logs.get("bucket", ""),
        "access_logs.s3.prefix": logs.get("prefix", ""),
    }
    elb.modify_load_balancer_attributes(
        LoadBalancerArn=balancer["LoadBalancerArn"],
        Attributes=[{"Key": key, "Value": str(value).lower()} for key, value in attributes.items()],
    )
    arn = balancer["LoadBalancerArn"]
    return {"arn": arn, "id": arn, "dns_name": balancer["DNSName"], "arn_suffix": _arn_suffix(arn)}


@handles("aws_lb_target_group")
def _target_group(r: Rehearsal, body: dict) -> dict:
    elb = r.client("elbv2")
    check = one(body.get("health_check"))
    group = elb.create_target_group(
        Name=body["name"],
        Port=body["port"],
        Protocol=body["protocol"],
        VpcId=body["vpc_id"],
        TargetType=body.get("target_type", "instance"),
        HealthCheckEnabled=flag(check.get("enabled", True)),
        HealthCheckPath=check.get("path", "/"),
        HealthCheckProtocol=check.get("protocol", "HTTP"),
        HealthCheckIntervalSeconds=check.get("interval", 30),
        HealthCheckTimeoutSeconds=check.get("timeout", 5),
        HealthyThresholdCount=check.get("healthy_threshold", 3),
        UnhealthyThresholdCount=check.get("unhealthy_threshold", 3),
        Matcher={"HttpCode": check.get("matcher", "200")},
        Tags=r.tag_list(body.get("tags")),
    )["TargetGroups"][0]
    arn = group["TargetGroupArn"]
    if "deregistration_delay" in body:
        elb.modify_target_group_attributes(
            TargetGroupArn=arn,
            Attributes=[{"Key": "deregistration_delay.timeout_seconds", "Value": str(body["deregistration_delay"])}],
        )
    return {"arn": arn, "id": arn, "arn_suffix": _arn_suffix(arn), "name": body["name"]}


def _action(action: dict) -> dict:
    converted: dict[str, Any] = {"Type": action["type"]}
    if action.get("target_group_arn"):
        converted["TargetGroupArn"] = action["target_group_arn"]
    if action.get("redirect"):
        redirect = one(action["redirect"])
        converted["RedirectConfig"] = {
            "Protocol": redirect.get("protocol", "#{protocol}"),
            "Port": str(redirect.get("port", "#{port}")),
            "StatusCode": redirect["status_code"],
        }
    return converted


@handles("aws_lb_listener")
def _listener(r: Rehearsal, body: dict) -> dict:
    extra = {}
    if body.get("ssl_policy"):
        extra["SslPolicy"] = body["ssl_policy"]
    if body.get("certificate_arn"):
        extra["Certificates"] = [{"CertificateArn": body["certificate_arn"]}]
    listener = r.client("elbv2").create_listener(
        LoadBalancerArn=body["load_balancer_arn"],
        Port=body["port"],
        Protocol=body["protocol"],
        DefaultActions=[_action(action) for action in body["default_action"]],
        **extra,
    )["Listeners"][0]
    return {"arn": listener["ListenerArn"], "id": listener["ListenerArn"]}


def _waf_keys(value: Any) -> Any:
    """HCL's snake_case WAF blocks -> the WAFv2 API's names (CloudWatch keeps its capital W)."""
    if isinstance(value, dict):
        return {camel(key, upper={"cloudwatch": "CloudWatch"}): _waf_keys(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_waf_keys(item) for item in value]
    return value


@handles("aws_wafv2_web_acl")
def _web_acl(r: Rehearsal, body: dict) -> dict:
    acl = r.client("wafv2").create_web_acl(
        Name=body["name"],
        Scope=body["scope"],
        DefaultAction=_waf_keys(one(body["default_action"])),
        Rules=_waf_keys(body.get("rule", [])),
        VisibilityConfig=_waf_keys(one(body["visibility_config"])),
        Tags=r.tag_list(body.get("tags")),
    )["Summary"]
    return {"arn": acl["ARN"], "id": acl["Id"], "name": acl["Name"]}


@handles("aws_wafv2_web_acl_association")
def _web_acl_association(r: Rehearsal, body: dict) -> dict:
    r.client("wafv2").associate_web_acl(WebACLArn=body["web_acl_arn"], ResourceArn=body["resource_arn"])
    return {"id": f"{body['web_acl_arn']},{body['resource_arn']}"}


@handles("aws_wafv2_web_acl_logging_configuration")
def _web_acl_logging(r: Rehearsal, body: dict) -> dict:
    configuration = {
        "ResourceArn": body["resource_arn"],
        "LogDestinationConfigs": body["log_destination_configs"],
        "RedactedFields": _waf_keys(body.get("redacted_fields", [])),
    }
    r.client("wafv2").put_logging_configuration(LoggingConfiguration=configuration)
    return {"id": body["resource_arn"]}
