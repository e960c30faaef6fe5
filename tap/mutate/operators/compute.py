"""Compute mutants: a new default launch template version per attribute (IMDS, volumes, interfaces); the group,
and the version it launches."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

from tap.mutate.operators import Case, Scope

Data = dict[str, Any]


def _each(key: str, change: Callable[[dict], None]) -> Callable[[Data], None]:
    def apply(data: Data) -> None:
        for item in data.get(key, []):
            change(item)

    return apply


def _set(key: str, field: str, value: Any) -> Callable[[Data], None]:
    return lambda data: data.setdefault(key, {}).__setitem__(field, value)


def _ebs(field: str, value: Any) -> Callable[[Data], None]:
    return _each("BlockDeviceMappings", lambda m: m["Ebs"].__setitem__(field, value))


def _ebs_drop(field: str) -> Callable[[Data], None]:
    return _each("BlockDeviceMappings", lambda m: m["Ebs"].pop(field, None))


IMDS_OPTIONAL = _set("MetadataOptions", "HttpTokens", "optional")
# (attribute, operator, detail, category, lesson, change of the default version's data)
VERSION_CHANGES = (
    ("MetadataOptions.HttpTokens", "swap", "required -> optional", "IMDS", None, IMDS_OPTIONAL),
    (
        "MetadataOptions.HttpPutResponseHopLimit",
        "larger",
        "1 -> 2",
        "IMDS",
        None,
        _set("MetadataOptions", "HttpPutResponseHopLimit", 2),
    ),
    ("BlockDeviceMappings.Ebs.Encrypted", "flip", "true -> false", "encryption", None, _ebs("Encrypted", False)),
    (
        "BlockDeviceMappings.Ebs.KmsKeyId",
        "drop",
        "the EBS key -> the default key",
        "key management",
        None,
        _ebs_drop("KmsKeyId"),
    ),
    ("BlockDeviceMappings.Ebs.VolumeType", "swap", "gp3 -> gp2", "other", None, _ebs("VolumeType", "gp2")),
    (
        "NetworkInterfaces.AssociatePublicIpAddress",
        "flip",
        "false -> true",
        "public exposure",
        None,
        _each("NetworkInterfaces", lambda nic: nic.__setitem__("AssociatePublicIpAddress", True)),
    ),
    ("TagSpecifications", "drop", "", "other", 6, lambda data: data.pop("TagSpecifications", None)),
    ("IamInstanceProfile", "drop", "", "credentials", None, lambda data: data.pop("IamInstanceProfile", None)),
)


def launch_templates(scope: Scope) -> Iterator[Case]:
    ec2 = scope.aws("ec2")
    for template in sorted(ec2.describe_launch_templates()["LaunchTemplates"], key=lambda t: t["LaunchTemplateName"]):
        label, template_id = scope.label(template["LaunchTemplateName"]), template["LaunchTemplateId"]
        (default,) = ec2.describe_launch_template_versions(LaunchTemplateId=template_id, Versions=["$Default"])[
            "LaunchTemplateVersions"
        ]
        data = default["LaunchTemplateData"]
        for attribute, operator, detail, category, lesson, change in VERSION_CHANGES:
            yield scope.case(
                label, operator, attribute, detail, category, _new_default(template_id, data, change), lesson=lesson
            )
        groups = [scope.default_group()]
        yield scope.case(
            label,
            "swap",
            "NetworkInterfaces.Groups",
            "-> the VPC's default group",
            "network reachability",
            _new_default(template_id, data, _each("NetworkInterfaces", _set_groups(groups))),
        )
        yield scope.case(label, "delete", "", "", "other", _template_deleted(template_id))


def _set_groups(groups: list[str]) -> Callable[[dict], None]:
    return lambda nic: nic.__setitem__("Groups", groups)


def _new_default(template_id: str, data: Data, change: Callable[[Data], None]):
    """A new version holding the default's data with one change, made the default: what instances launch with."""

    def apply(aws) -> None:
        number = _new_version(aws, template_id, data, change)
        aws("ec2").modify_launch_template(LaunchTemplateId=template_id, DefaultVersion=str(number))

    return apply


def _new_version(aws, template_id: str, data: Data, change: Callable[[Data], None]) -> int:
    """A new version holding `data` with one change, left beside the default; its number."""
    changed = copy.deepcopy(data)
    change(changed)
    version = aws("ec2").create_launch_template_version(LaunchTemplateId=template_id, LaunchTemplateData=changed)
    return version["LaunchTemplateVersion"]["VersionNumber"]


def _template_deleted(template_id: str):
    def apply(aws) -> None:
        aws("ec2").delete_launch_template(LaunchTemplateId=template_id)

    return apply


def autoscaling_groups(scope: Scope) -> Iterator[Case]:
    autoscaling = scope.aws("autoscaling")
    for group in sorted(
        autoscaling.describe_auto_scaling_groups()["AutoScalingGroups"], key=lambda g: g["AutoScalingGroupName"]
    ):
        name, label = group["AutoScalingGroupName"], scope.label(group["AutoScalingGroupName"])
        low, high = group["MinSize"], group["MaxSize"]
        for attribute, operator, value in (
            ("MinSize", "zero", 0),
            ("MaxSize", "larger", high + 10),
            ("MaxSize", "smaller", low),
        ):
            if value != group[attribute]:
                yield scope.case(
                    label,
                    operator,
                    attribute,
                    f"{group[attribute]} -> {value}",
                    "availability",
                    _update(name, **{attribute: value}),
                )
        if group["HealthCheckType"] != "EC2":
            yield scope.case(
                label,
                "swap",
                "HealthCheckType",
                f"{group['HealthCheckType']} -> EC2",
                "availability",
                _update(name, HealthCheckType="EC2"),
            )
        public = ",".join(scope.outputs["public_subnet_ids"])
        yield scope.case(
            label,
            "swap",
            "VPCZoneIdentifier",
            "-> the public subnets",
            "public exposure",
            _update(name, VPCZoneIdentifier=public),
        )
        for arn in group["TargetGroupARNs"]:
            yield scope.case(
                label, "delete", "TargetGroupARNs", scope.label(arn.split("/")[1]), "availability", _detach(name, arn)
            )
        yield from _launched_versions(scope, group, label)
        yield from _scheduled_actions(scope, name, label)
        yield scope.case(label, "delete", "", "", "availability", _group_deleted(name))


# How the group may name a version other than the default: (the name, the new version's number -> what the group is
# given). The default stays as planned, so every check that reads the default version still passes.
LAUNCHED_VERSIONS = (("a new version", str), ("$Latest", lambda number: "$Latest"))


def _launched_versions(scope: Scope, group: dict[str, Any], label: str) -> Iterator[Case]:
    template_id = group["LaunchTemplate"]["LaunchTemplateId"]
    (default,) = scope.aws("ec2").describe_launch_template_versions(
        LaunchTemplateId=template_id, Versions=["$Default"]
    )["LaunchTemplateVersions"]
    for named, version in LAUNCHED_VERSIONS:
        yield scope.case(
            label,
            "swap",
            "LaunchTemplate.Version",
            f"-> {named}, not the default, with HttpTokens optional",
            "IMDS",
            _launches(group["AutoScalingGroupName"], template_id, default["LaunchTemplateData"], version),
        )


def _launches(name: str, template_id: str, data: Data, version: Callable[[int], str]):
    """The group launching a new version (the default's data allowing IMDSv1) that is not made the default."""

    def apply(aws) -> None:
        number = _new_version(aws, template_id, data, IMDS_OPTIONAL)
        template = {"LaunchTemplateId": template_id, "Version": version(number)}
        aws("autoscaling").update_auto_scaling_group(AutoScalingGroupName=name, LaunchTemplate=template)

    return apply


def _scheduled_actions(scope: Scope, group: str, label: str) -> Iterator[Case]:
    found = scope.aws("autoscaling").describe_scheduled_actions(AutoScalingGroupName=group)[
        "ScheduledUpdateGroupActions"
    ]
    for action in sorted(found, key=lambda a: a["ScheduledActionName"]):
        yield scope.case(
            label,
            "delete",
            "scheduled_action",
            scope.label(action["ScheduledActionName"]),
            "other",
            _unschedule(group, action["ScheduledActionName"]),
        )


def _update(name: str, **changes: Any):
    def apply(aws) -> None:
        aws("autoscaling").update_auto_scaling_group(AutoScalingGroupName=name, **changes)

    return apply


def _detach(name: str, arn: str):
    def apply(aws) -> None:
        aws("autoscaling").detach_load_balancer_target_groups(AutoScalingGroupName=name, TargetGroupARNs=[arn])

    return apply


def _unschedule(group: str, action: str):
    def apply(aws) -> None:
        aws("autoscaling").delete_scheduled_action(AutoScalingGroupName=group, ScheduledActionName=action)

    return apply


def _group_deleted(name: str):
    def apply(aws) -> None:
        aws("autoscaling").delete_auto_scaling_group(AutoScalingGroupName=name, ForceDelete=True)

    return apply


GENERATORS = (launch_templates, autoscaling_groups)
