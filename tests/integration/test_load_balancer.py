"""The load balancer, its listeners and target group, as the plan declares them."""

from __future__ import annotations

import pytest

from stack.contract import Output
from tests.integration.conftest import same


def _listener(target, name: str) -> dict:
    return target.client("elbv2").describe_listeners(ListenerArns=[target.outputs[name]])["Listeners"][0]


def _planned_listener(target, protocol: str):
    (listener,) = [item for item in target.planned("aws_lb_listener") if item["protocol"] == protocol]
    return listener


@pytest.mark.controls("CKV_PAY_14", "CKV_AWS_91", "CKV_AWS_131")
def test_load_balancer_scheme_and_attributes_match_plan(target):
    (planned,) = target.planned("aws_lb")
    elb = target.client("elbv2")
    (balancer,) = elb.describe_load_balancers(LoadBalancerArns=[target.outputs[Output.ALB_ARN]])["LoadBalancers"]
    same(balancer["Scheme"], "internal" if planned["internal"] else "internet-facing", "the load balancer's scheme")
    same(balancer["DNSName"], target.outputs[Output.ALB_DNS_NAME], "the load balancer's DNS name")
    same(
        sorted(balancer["SecurityGroups"]),
        [target.outputs[Output.ALB_SECURITY_GROUP_ID]],
        "the load balancer's security groups",
    )
    attributes = {
        item["Key"]: item["Value"]
        for item in elb.describe_load_balancer_attributes(LoadBalancerArn=balancer["LoadBalancerArn"])["Attributes"]
    }
    expected = {
        "access_logs.s3.enabled": str(planned["access_logs"]["enabled"]).lower(),
        "access_logs.s3.bucket": target.outputs[Output.ALB_LOGS_BUCKET],
        "access_logs.s3.prefix": planned["access_logs"]["prefix"],
        "deletion_protection.enabled": str(planned["enable_deletion_protection"]).lower(),
        "routing.http.drop_invalid_header_fields.enabled": str(planned["drop_invalid_header_fields"]).lower(),
    }
    same({key: attributes.get(key) for key in expected}, expected, "the load balancer's attributes")


@pytest.mark.controls("CKV_PAY_11", "CKV_AWS_103", "CKV2_AWS_74")
def test_https_listener_uses_the_planned_tls_policy_and_certificate(target):
    planned = _planned_listener(target, "HTTPS")
    listener = _listener(target, Output.HTTPS_LISTENER_ARN)
    same((listener["Protocol"], listener["Port"]), ("HTTPS", planned["port"]), "the HTTPS listener")
    same(listener.get("SslPolicy"), planned["ssl_policy"], "the HTTPS listener's TLS policy")
    same(
        [c["CertificateArn"] for c in listener.get("Certificates", [])],
        [planned["certificate_arn"]],
        "the listener certificate",
    )
    (action,) = listener["DefaultActions"]
    same(
        (action["Type"], action.get("TargetGroupArn")),
        ("forward", target.outputs[Output.TARGET_GROUP_ARN]),
        "the HTTPS action",
    )


# TLS 1.3 suites (TLS_*) are all forward-secret AEAD; on TLS 1.2, only ECDHE key exchange with
# GCM or ChaCha20-Poly1305 is. Suites per policy, as AWS documents them:
# https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html
def _forward_secret_aead(cipher: str) -> bool:
    return cipher.startswith("TLS_") or (cipher.startswith("ECDHE-") and ("-GCM-" in cipher or "CHACHA20" in cipher))


@pytest.mark.controls("CKV_PAY_11", "CKV_AWS_103")
def test_https_listener_policy_offers_only_forward_secret_aead_suites(target):
    # AWS's own description of the policy in force, not the plan's name for it.
    policy = _listener(target, Output.HTTPS_LISTENER_ARN).get("SslPolicy")
    (described,) = target.client("elbv2").describe_ssl_policies(Names=[policy])["SslPolicies"]
    weak = [cipher["Name"] for cipher in described["Ciphers"] if not _forward_secret_aead(cipher["Name"])]
    old = sorted(set(described["SslProtocols"]) - {"TLSv1.2", "TLSv1.3"})
    assert (weak, old) == ([], []), (
        f"drift: the HTTPS listener's TLS policy {policy} offers suites without forward secrecy or AEAD {weak} "
        f"or protocols older than TLS 1.2 {old}"
    )


@pytest.mark.controls("CKV_PAY_12", "CKV2_AWS_20")
def test_http_listener_only_redirects_to_https(target):
    planned = _planned_listener(target, "HTTP")["default_action"][0]["redirect"]
    listener = _listener(target, Output.HTTP_LISTENER_ARN)
    actions = [
        (a["Type"], a.get("RedirectConfig", {}).get("Protocol"), a.get("RedirectConfig", {}).get("StatusCode"))
        for a in listener["DefaultActions"]
    ]
    same(actions, [("redirect", planned["protocol"], planned["status_code"])], "the HTTP listener's actions (redirect)")


def test_target_group_health_check_matches_plan(target):
    (planned,) = target.planned("aws_lb_target_group")
    check = planned["health_check"]
    (group,) = target.client("elbv2").describe_target_groups(TargetGroupArns=[target.outputs[Output.TARGET_GROUP_ARN]])[
        "TargetGroups"
    ]
    actual = (
        group["Protocol"],
        group["Port"],
        group["HealthCheckPath"],
        group["HealthCheckProtocol"],
        group["HealthCheckIntervalSeconds"],
        group["HealthyThresholdCount"],
        group["UnhealthyThresholdCount"],
    )
    expected = (
        planned["protocol"],
        planned["port"],
        check["path"],
        check["protocol"],
        check["interval"],
        check["healthy_threshold"],
        check["unhealthy_threshold"],
    )
    same(actual, expected, "the target group and its health check")
