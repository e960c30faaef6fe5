"""The load balancer, its listeners and target group, and the WAF web ACL on it, as the account shows them."""

from __future__ import annotations

from botocore.exceptions import ClientError

from tap.live.observed.table import Absent, Kind, Observer, Read, at, snake
from tap.plan import Resource

# Terraform spells CloudWatch as one word in a WAF's visibility config.
WAF_NAMES = {"CloudWatchMetricsEnabled": "cloudwatch_metrics_enabled"}


def _not_found(error: ClientError, *codes: str) -> bool:
    return error.response["Error"]["Code"] in codes


def _load_balancer(observer: Observer, resource: Resource) -> dict | None:
    elb = observer.client("elbv2")
    try:
        (balancer,) = elb.describe_load_balancers(Names=[observer.value(resource, "name")])["LoadBalancers"]
    except ClientError as error:
        if _not_found(error, "LoadBalancerNotFound"):
            return None
        raise
    attributes = elb.describe_load_balancer_attributes(LoadBalancerArn=balancer["LoadBalancerArn"])["Attributes"]
    return {**balancer, "Attributes": {a["Key"]: a["Value"] for a in attributes}}


def _attribute(key: str) -> Read:
    """One of the load balancer's or target group's attributes (their keys hold dots: no `at` path)."""

    def read(description: dict) -> str:
        if key not in description["Attributes"]:
            raise Absent(key)
        return description["Attributes"][key]

    return read


def _access_logs(attributes: dict[str, str]) -> dict[str, str]:
    prefix = "access_logs.s3."
    return {key.removeprefix(prefix): value for key, value in attributes.items() if key.startswith(prefix)}


def _listener(observer: Observer, resource: Resource) -> dict | None:
    """A load balancer has one listener per port."""
    balancer, port = (observer.value(resource, key) for key in ("load_balancer_arn", "port"))
    listeners = observer.client("elbv2").describe_listeners(LoadBalancerArn=balancer)["Listeners"]
    found = [listener for listener in listeners if listener["Port"] == port]
    return found[0] if found else None


def _actions(actions: list[dict]) -> list[dict]:
    """A listener's actions in Terraform's shape: `RedirectConfig` is `redirect`, `ForwardConfig` is `forward`."""
    renamed = {"RedirectConfig": "redirect", "ForwardConfig": "forward", "FixedResponseConfig": "fixed_response"}
    return snake(actions, renamed)


def _certificate(certificates: list[dict]) -> str:
    """The listener's default certificate (DescribeListeners lists only it)."""
    return ", ".join(certificate["CertificateArn"] for certificate in certificates)


def _target_group(observer: Observer, resource: Resource) -> dict | None:
    elb = observer.client("elbv2")
    try:
        (group,) = elb.describe_target_groups(Names=[observer.value(resource, "name")])["TargetGroups"]
    except ClientError as error:
        if _not_found(error, "TargetGroupNotFound"):
            return None
        raise
    attributes = elb.describe_target_group_attributes(TargetGroupArn=group["TargetGroupArn"])["Attributes"]
    return {**group, "Attributes": {a["Key"]: a["Value"] for a in attributes}}


def _health_check(group: dict) -> dict:
    return {
        "enabled": group.get("HealthCheckEnabled"),
        "path": group.get("HealthCheckPath"),
        "protocol": group.get("HealthCheckProtocol"),
        "port": group.get("HealthCheckPort"),
        "interval": group.get("HealthCheckIntervalSeconds"),
        "timeout": group.get("HealthCheckTimeoutSeconds"),
        "healthy_threshold": group.get("HealthyThresholdCount"),
        "unhealthy_threshold": group.get("UnhealthyThresholdCount"),
        "matcher": group.get("Matcher", {}).get("HttpCode"),
    }


def _web_acl(observer: Observer, resource: Resource) -> dict | None:
    waf, name, scope = observer.client("wafv2"), observer.value(resource, "name"), observer.value(resource, "scope")
    listed = waf.list_web_acls(Scope=scope, Limit=100)["WebACLs"]  # the stack makes one per deployment
    found = [acl for acl in listed if acl["Name"] == name]
    if not found:
        return None
    return waf.get_web_acl(Name=name, Scope=scope, Id=found[0]["Id"])["WebACL"]


def _acl_scope(arn: str) -> str:
    """`arn:aws:wafv2:<region>:<account>:regional/webacl/...` -> REGIONAL (GetWebACL does not say it otherwise)."""
    return arn.split(":")[5].split("/")[0].upper()


def _association(observer: Observer, resource: Resource) -> dict | None:
    protected = observer.value(resource, "resource_arn")
    acl = observer.client("wafv2").get_web_acl_for_resource(ResourceArn=protected).get("WebACL")
    return {"ResourceArn": protected, "WebACLArn": acl["ARN"]} if acl else None


def _logging(observer: Observer, resource: Resource) -> dict | None:
    try:
        return observer.client("wafv2").get_logging_configuration(ResourceArn=observer.value(resource, "resource_arn"))[
            "LoggingConfiguration"
        ]
    except ClientError as error:
        if _not_found(error, "WAFNonexistentItemException"):
            return None
        raise


BALANCER_ARN = at("LoadBalancerArn")
GROUP_ARN = at("TargetGroupArn")
ACL_ARN = at("ARN")


def _arn_suffix(arn: str) -> str:
    """Terraform's arn_suffix (CloudWatch's dimension): `app/<name>/<id>`, `targetgroup/<name>/<id>`."""
    return arn.split(":", 5)[5].removeprefix("loadbalancer/")


KINDS = {
    "aws_lb": Kind(
        describe=_load_balancer,
        attributes={
            "name": at("LoadBalancerName"),
            "internal": at("Scheme", lambda scheme: scheme == "internal"),
            "load_balancer_type": at("Type"),
            "security_groups": at("SecurityGroups"),
            "subnets": at("AvailabilityZones", lambda zones: [zone["SubnetId"] for zone in zones]),
            "enable_deletion_protection": _attribute("deletion_protection.enabled"),
            "drop_invalid_header_fields": _attribute("routing.http.drop_invalid_header_fields.enabled"),
            "access_logs": at("Attributes", _access_logs),
        },
        exports={
            "arn": BALANCER_ARN,
            "id": BALANCER_ARN,
            "arn_suffix": at("LoadBalancerArn", _arn_suffix),
            "dns_name": at("DNSName"),
            "name": at("LoadBalancerName"),
        },
        fixed=frozenset({"name", "internal", "load_balancer_type"}),
    ),
    "aws_lb_listener": Kind(
        describe=_listener,
        attributes={
            "load_balancer_arn": at("LoadBalancerArn"),
            "port": at("Port"),
            "protocol": at("Protocol"),
            "ssl_policy": at("SslPolicy"),
            "certificate_arn": at("Certificates", _certificate),
            "default_action": at("DefaultActions", _actions),
        },
        exports={"arn": at("ListenerArn"), "id": at("ListenerArn")},
        fixed=frozenset({"load_balancer_arn"}),
    ),
    "aws_lb_target_group": Kind(
        describe=_target_group,
        attributes={
            "name": at("TargetGroupName"),
            "port": at("Port"),
            "protocol": at("Protocol"),
            "target_type": at("TargetType"),
            "vpc_id": at("VpcId"),
            "health_check": _health_check,
            "deregistration_delay": _attribute("deregistration_delay.timeout_seconds"),
        },
        exports={
            "arn": GROUP_ARN,
            "id": GROUP_ARN,
            "arn_suffix": at("TargetGroupArn", _arn_suffix),
            "name": at("TargetGroupName"),
        },
        fixed=frozenset({"name", "port", "protocol", "target_type", "vpc_id"}),
    ),
    "aws_wafv2_web_acl": Kind(
        describe=_web_acl,
        attributes={
            "name": at("Name"),
            "scope": at("ARN", _acl_scope),
            "default_action": at("DefaultAction", snake),
            "rule": at("Rules", lambda rules: snake(rules, WAF_NAMES)),
            "visibility_config": at("VisibilityConfig", lambda config: snake(config, WAF_NAMES)),
        },
        exports={"arn": ACL_ARN, "id": at("Id"), "name": at("Name")},
        fixed=frozenset({"name", "scope"}),
    ),
    "aws_wafv2_web_acl_association": Kind(
        describe=_association,
        attributes={"resource_arn": at("ResourceArn"), "web_acl_arn": at("WebACLArn")},
        fixed=frozenset({"resource_arn", "web_acl_arn"}),
    ),
    "aws_wafv2_web_acl_logging_configuration": Kind(
        describe=_logging,
        attributes={
            "resource_arn": at("ResourceArn"),
            "log_destination_configs": at("LogDestinationConfigs"),
            "redacted_fields": at("RedactedFields", snake),
        },
        fixed=frozenset({"resource_arn"}),
    ),
}
