"""Launch template mutants: a new default version per attribute (IMDS, volumes, interfaces), one beside it."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

from tap.mutate.operators import Case, Scope

Data = dict[str, Any]
TEMPLATE = "aws_launch_template"
# An image id the plan does not name (a template version's image is not checked against the catalogue on create).
OTHER_IMAGE = "ami-0a1b2c3d4e5f67890"


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
# (attribute, operator, detail, category, lesson, change of the default version's data, the live table's attribute)
VERSION_CHANGES = (
    ("MetadataOptions.HttpTokens", "swap", "required -> optional", "IMDS", None, IMDS_OPTIONAL, "metadata_options"),
    (
        "MetadataOptions.HttpPutResponseHopLimit",
        "larger",
        "1 -> 2",
        "IMDS",
        None,
        _set("MetadataOptions", "HttpPutResponseHopLimit", 2),
        "metadata_options",
    ),
    (
        "BlockDeviceMappings.Ebs.Encrypted",
        "flip",
        "true -> false",
        "encryption",
        None,
        _ebs("Encrypted", False),
        "block_device_mappings",
    ),
    (
        "BlockDeviceMappings.Ebs.KmsKeyId",
        "drop",
        "the EBS key -> the default key",
        "key management",
        None,
        _ebs_drop("KmsKeyId"),
        "block_device_mappings",
    ),
    (
        "BlockDeviceMappings.Ebs.VolumeType",
        "swap",
        "gp3 -> gp2",
        "other",
        None,
        _ebs("VolumeType", "gp2"),
        "block_device_mappings",
    ),
    (
        "NetworkInterfaces.AssociatePublicIpAddress",
        "flip",
        "false -> true",
        "public exposure",
        None,
        _each("NetworkInterfaces", lambda nic: nic.__setitem__("AssociatePublicIpAddress", True)),
        "network_interfaces",
    ),
    (
        "TagSpecifications",
        "drop",
        "",
        "other",
        6,
        lambda data: data.pop("TagSpecifications", None),
        "tag_specifications",
    ),
    (
        "IamInstanceProfile",
        "drop",
        "",
        "credentials",
        None,
        lambda data: data.pop("IamInstanceProfile", None),
        "iam_instance_profile",
    ),
    (
        "EbsOptimized",
        "flip",
        "true -> false",
        "other",
        None,
        lambda data: data.update(EbsOptimized=False),
        "ebs_optimized",
    ),
    (
        "Monitoring.Enabled",
        "flip",
        "true -> false",
        "logging and retention",
        None,
        _set("Monitoring", "Enabled", False),
        "monitoring",
    ),
    ("ImageId", "swap", "-> another image", "other", None, lambda data: data.update(ImageId=OTHER_IMAGE), "image_id"),
    (
        "InstanceType",
        "swap",
        "-> another type",
        "availability",
        None,
        lambda data: data.update(InstanceType=_other_type(data["InstanceType"])),
        "instance_type",
    ),
)


def _other_type(planned: str) -> str:
    return "t3.micro" if planned != "t3.micro" else "t3.nano"


def launch_templates(scope: Scope) -> Iterator[Case]:
    ec2 = scope.aws("ec2")
    for template in sorted(ec2.describe_launch_templates()["LaunchTemplates"], key=lambda t: t["LaunchTemplateName"]):
        label, template_id = scope.label(template["LaunchTemplateName"]), template["LaunchTemplateId"]
        (default,) = ec2.describe_launch_template_versions(LaunchTemplateId=template_id, Versions=["$Default"])[
            "LaunchTemplateVersions"
        ]
        data = default["LaunchTemplateData"]
        for attribute, operator, detail, category, lesson, change, observed in VERSION_CHANGES:
            yield scope.case(
                label,
                operator,
                attribute,
                detail,
                category,
                _new_default(template_id, data, change),
                lesson=lesson,
                observes=(TEMPLATE, observed),
            )
        groups = [scope.default_group()]
        yield scope.case(
            label,
            "swap",
            "NetworkInterfaces.Groups",
            "-> the VPC's default group",
            "network reachability",
            _new_default(template_id, data, _each("NetworkInterfaces", _set_groups(groups))),
            observes=(TEMPLATE, "network_interfaces"),
        )
        yield scope.case(
            label,
            "add",
            "DefaultVersion",
            "a new version left beside the default, with HttpTokens optional",
            "IMDS",
            _version_beside(template_id, data),
            observes=(TEMPLATE, "update_default_version"),
        )
        yield scope.case(label, "delete", "", "", "other", _template_deleted(template_id), observes=(TEMPLATE, ""))


def _set_groups(groups: list[str]) -> Callable[[dict], None]:
    return lambda nic: nic.__setitem__("Groups", groups)


def _new_default(template_id: str, data: Data, change: Callable[[Data], None]):
    """A new version holding the default's data with one change, made the default: what instances launch with."""

    def apply(aws) -> None:
        number = new_version(aws, template_id, data, change)
        aws("ec2").modify_launch_template(LaunchTemplateId=template_id, DefaultVersion=str(number))

    return apply


def _version_beside(template_id: str, data: Data):
    """A new version that does not become the default: the next instance refresh or a `$Latest` group launches it."""

    def apply(aws) -> None:
        new_version(aws, template_id, data, IMDS_OPTIONAL)

    return apply


def new_version(aws, template_id: str, data: Data, change: Callable[[Data], None]) -> int:
    """A new version holding `data` with one change, left beside the default; its number."""
    changed = copy.deepcopy(data)
    change(changed)
    version = aws("ec2").create_launch_template_version(LaunchTemplateId=template_id, LaunchTemplateData=changed)
    return version["LaunchTemplateVersion"]["VersionNumber"]


def _template_deleted(template_id: str):
    def apply(aws) -> None:
        aws("ec2").delete_launch_template(LaunchTemplateId=template_id)

    return apply


GENERATORS = (launch_templates,)
