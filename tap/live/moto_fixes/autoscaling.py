"""Fixes to moto 5.2.5's Auto Scaling: `autoscaling-launches-as-the-template-declares`,
`autoscaling-max-instance-lifetime`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tap.live.moto_fixes import as_list, fix


@fix(
    "autoscaling-launches-as-the-template-declares",
    "autoscaling: a group launching from a launch template starts its instances without the version's "
    "MetadataOptions and without the security groups of its NetworkInterfaces (FakeAutoScalingGroup."
    "replace_autoscaling_group_instances passes neither to run_instances): an instance of a template requiring "
    "IMDSv2 answers IMDSv1. AWS launches each instance with both.",
)
def _autoscaling_launches_as_the_template_declares() -> None:
    from moto.autoscaling.models import FakeAutoScalingGroup
    from moto.ec2.models.instances import MetadataOptions

    replace = FakeAutoScalingGroup.replace_autoscaling_group_instances

    def replace_autoscaling_group_instances(self: Any, count_needed: int, propagated_tags: dict) -> None:
        launched = len(self.instance_states)
        replace(self, count_needed, propagated_tags)
        if not self.ec2_launch_template:
            return
        data = self.ec2_launch_template.get_version(self.launch_template_version).data
        groups = [group for nic in data.get("NetworkInterfaces", []) for group in as_list(nic.get("Groups", []))]
        for state in self.instance_states[launched:]:
            if data.get("MetadataOptions"):
                state.instance.metadata_options = MetadataOptions(data["MetadataOptions"])
            if groups:
                self.autoscaling_backend.ec2_backend.modify_instance_security_groups(state.instance.id, groups)

    FakeAutoScalingGroup.replace_autoscaling_group_instances = replace_autoscaling_group_instances


@fix(
    "autoscaling-max-instance-lifetime",
    "autoscaling: CreateAutoScalingGroup and UpdateAutoScalingGroup ignore MaxInstanceLifetime, and "
    "DescribeAutoScalingGroups never returns it; AWS keeps it (0 clears it).",
)
def _autoscaling_keeps_the_instance_lifetime() -> None:
    from moto.autoscaling.responses import AutoScalingResponse

    def keeping_lifetime(call: Callable[[Any], Any]) -> Callable[[Any], Any]:
        def answer(self: Any) -> Any:
            result = call(self)
            lifetime = self._get_int_param("MaxInstanceLifetime")
            if lifetime is not None:
                group = self.autoscaling_backend.autoscaling_groups[self._get_param("AutoScalingGroupName")]
                group.max_instance_lifetime = lifetime or None
            return result

        return answer

    AutoScalingResponse.create_auto_scaling_group = keeping_lifetime(AutoScalingResponse.create_auto_scaling_group)
    AutoScalingResponse.update_auto_scaling_group = keeping_lifetime(AutoScalingResponse.update_auto_scaling_group)
