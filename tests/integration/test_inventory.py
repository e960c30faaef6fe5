"""The stack's VPC holds nothing the plan does not declare, and every instance in it launches as planned.

The kinds of things a VPC holds, how each is listed and how AWS's own are told from drift, are one table
(tap/live/inventory.py KINDS); one check reads each kind.
"""

from __future__ import annotations

import pytest

from stack.contract import Output
from tap.live.inventory import KINDS, Network, inventory


@pytest.fixture(scope="module")
def network(target) -> Network:
    return Network(target.client, target.plan, target.outputs)


@pytest.mark.parametrize(
    "kind", [pytest.param(kind, marks=pytest.mark.controls(*kind.controls), id=kind.name) for kind in KINDS]
)
def test_vpc_holds_only_what_the_plan_declares(network, kind):
    problems = inventory(network, kind)
    assert problems == [], f"drift: the VPC {network.vpc} holds what the plan does not say: " + "; ".join(problems)


def _tag(instance: dict, key: str) -> str | None:
    return next((tag["Value"] for tag in instance.get("Tags", []) if tag["Key"] == key), None)


@pytest.mark.controls("CKV_PAY_6", "CKV_AWS_79", "CKV_AWS_341", "CKV_PAY_9", "CKV_AWS_88")
def test_every_instance_in_the_vpc_runs_the_default_version_with_imdsv2_and_no_public_ip(target, network):
    # What the launch template's checks evidence holds for the hosts only if each one runs as the default
    # version says: an instance launched by hand, or changed after launch, is checked here.
    (planned,) = target.planned("aws_launch_template")
    options = planned["metadata_options"]
    template = target.outputs[Output.LAUNCH_TEMPLATE_ID]
    (found,) = target.client("ec2").describe_launch_templates(LaunchTemplateIds=[template])["LaunchTemplates"]
    expected = {
        "IMDS tokens": options["http_tokens"],
        "IMDS hop limit": options["http_put_response_hop_limit"],
        "public IP address": None,
        "launch template": template,
        "launch template version": str(found["DefaultVersionNumber"]),
        "security groups": [target.outputs[Output.APP_SECURITY_GROUP_ID]],
    }
    differences = [
        f"{instance['InstanceId']}'s {field} is {actual!r}, the plan says {expected[field]!r}"
        for instance in network.instances
        for field, actual in _as_launched(instance).items()
        if actual != expected[field]
    ]
    assert differences == [], "drift: instances in the VPC differ from the default launch template version: " + (
        "; ".join(differences)
    )


def _as_launched(instance: dict) -> dict:
    options = instance.get("MetadataOptions", {})
    return {
        "IMDS tokens": options.get("HttpTokens"),
        "IMDS hop limit": options.get("HttpPutResponseHopLimit"),
        "public IP address": instance.get("PublicIpAddress"),
        "launch template": _tag(instance, "aws:ec2launchtemplate:id"),
        "launch template version": _tag(instance, "aws:ec2launchtemplate:version"),
        "security groups": sorted(group["GroupId"] for group in instance.get("SecurityGroups", [])),
    }
