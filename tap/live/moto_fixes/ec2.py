"""Fixes to moto 5.2.5's EC2: `ec2-launch-template-own-tags`, `ec2-security-group-rule-description`."""

from __future__ import annotations

import inspect
from typing import Any

from tap.live.moto_fixes import fix


@fix(
    "ec2-launch-template-own-tags",
    "ec2: CreateLaunchTemplate copies the request's TagSpecifications (the template's own tags, ResourceType "
    "launch-template) into the first version's LaunchTemplateData.TagSpecifications, so "
    "DescribeLaunchTemplateVersions returns tags the version was never given; AWS keeps them on the template.",
)
def _ec2_launch_template_keeps_its_own_tags() -> None:
    from moto.ec2.models.launch_templates import LaunchTemplateBackend

    create = LaunchTemplateBackend.create_launch_template

    def create_launch_template(self: Any, name: str, description: str, template_data: dict, tag_spec: dict) -> Any:
        if tag_spec:  # the response appended one entry per resource type of the request's own tags, last
            specifications = template_data.get("TagSpecifications", [])
            template_data = {
                **template_data,
                "TagSpecifications": specifications[: len(specifications) - len(tag_spec)],
            }
        return create(self, name, description, template_data, tag_spec)

    LaunchTemplateBackend.create_launch_template = create_launch_template


@fix(
    "ec2-security-group-rule-description",
    "ec2: DescribeSecurityGroupRules returns a rule's Description only when its peer is a CIDR range; a rule "
    "whose peer is a security group (UserIdGroupPairs) or a prefix list (PrefixListIds) loses it, though "
    "AuthorizeSecurityGroupIngress/Egress were given one. AWS returns it whatever the peer.",
)
def _ec2_rule_descriptions_for_every_peer() -> None:
    from moto.ec2.models.security_groups import SecurityGroupRule

    init = SecurityGroupRule.__init__
    signature = inspect.signature(init)

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        prefix_list = signature.bind(self, *args, **kwargs).arguments.get("prefix_list_id")
        self.prefix_list_description = (prefix_list or {}).get("Description")

    def description(self: Any) -> str | None:
        return (
            self.ip_range.get("Description")
            or self.source_group.get("Description")
            or getattr(self, "prefix_list_description", None)
        )

    SecurityGroupRule.__init__ = __init__
    SecurityGroupRule.description = property(description)
