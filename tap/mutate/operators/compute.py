"""Auto Scaling mutants: the group, the launch template version it launches, its schedules; the instance profile."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from tap.mutate.operators import Case, Scope, sorted_by
from tap.mutate.operators.launch_templates import IMDS_OPTIONAL, TEMPLATE, Data, new_version

GROUP, SCHEDULE, PROFILE = "aws_autoscaling_group", "aws_autoscaling_schedule", "aws_iam_instance_profile"


def autoscaling_groups(scope: Scope) -> Iterator[Case]:
    autoscaling = scope.aws("autoscaling")
    for group in sorted(
        autoscaling.describe_auto_scaling_groups()["AutoScalingGroups"], key=lambda g: g["AutoScalingGroupName"]
    ):
        name, label = group["AutoScalingGroupName"], scope.label(group["AutoScalingGroupName"])
        low, high = group["MinSize"], group["MaxSize"]
        for attribute, operator, value, observed in (
            ("MinSize", "zero", 0, "min_size"),
            ("MaxSize", "larger", high + 10, "max_size"),
            ("MaxSize", "smaller", low, "max_size"),
            ("HealthCheckType", "swap", "EC2", "health_check_type"),
            ("HealthCheckGracePeriod", "larger", group["HealthCheckGracePeriod"] * 4, "health_check_grace_period"),
            # Instances kept past the planned lifetime miss the patches a replacement would bring.
            ("MaxInstanceLifetime", "zero", 0, "max_instance_lifetime"),
        ):
            if value != group.get(attribute):
                yield scope.case(
                    label,
                    operator,
                    attribute,
                    f"{group.get(attribute)} -> {value}",
                    "availability",
                    _update(name, **{attribute: value}),
                    observes=(GROUP, observed),
                )
        public = ",".join(scope.outputs["public_subnet_ids"])
        yield scope.case(
            label,
            "swap",
            "VPCZoneIdentifier",
            "-> the public subnets",
            "public exposure",
            _update(name, VPCZoneIdentifier=public),
            observes=(GROUP, "vpc_zone_identifier"),
        )
        for arn in group["TargetGroupARNs"]:
            yield scope.case(
                label,
                "delete",
                "TargetGroupARNs",
                scope.label(arn.split("/")[1]),
                "availability",
                _detach(name, arn),
                observes=(GROUP, "target_group_arns"),
            )
        yield from _group_metrics_and_tags(scope, group, label)
        yield from _launched_versions(scope, group, label)
        yield from _scheduled_actions(scope, name, label)
        yield scope.case(label, "delete", "", "", "availability", _group_deleted(name), observes=(GROUP, ""))


def _group_metrics_and_tags(scope: Scope, group: dict[str, Any], label: str) -> Iterator[Case]:
    name = group["AutoScalingGroupName"]
    metrics = sorted(metric["Metric"] for metric in group.get("EnabledMetrics", []))
    if metrics:
        # What disabling one metric leaves (moto has no DisableMetricsCollection: its EnableMetricsCollection sets
        # the list the group collects).
        yield scope.case(
            label,
            "drop",
            "EnabledMetrics",
            metrics[0],
            "logging and retention",
            _call("enable_metrics_collection", AutoScalingGroupName=name, Metrics=metrics[1:], Granularity="1Minute"),
            observes=(GROUP, "enabled_metrics"),
        )
    for tag in sorted(group.get("Tags", []), key=lambda tag: tag["Key"])[:1]:
        yield scope.case(
            label,
            "drop",
            "Tags",
            tag["Key"],
            "other",
            _call("delete_tags", Tags=[{"ResourceId": name, "ResourceType": "auto-scaling-group", "Key": tag["Key"]}]),
            observes=(GROUP, "tag"),
        )


# How the group may name a version other than the default: (the name, the new version's number -> what the group is
# given, the live table's attribute it drifts). The default stays as planned, so every check that reads the default
# version still passes; the table sees the template's latest version no longer its default, or the group's version
# no longer the number the plan gives it.
LAUNCHED_VERSIONS = (
    ("a new version", str, (TEMPLATE, "update_default_version")),
    ("$Latest", lambda number: "$Latest", (GROUP, "launch_template")),
)


def _launched_versions(scope: Scope, group: dict[str, Any], label: str) -> Iterator[Case]:
    template_id = group["LaunchTemplate"]["LaunchTemplateId"]
    (default,) = scope.aws("ec2").describe_launch_template_versions(
        LaunchTemplateId=template_id, Versions=["$Default"]
    )["LaunchTemplateVersions"]
    for named, version, observed in LAUNCHED_VERSIONS:
        yield scope.case(
            label,
            "swap",
            "LaunchTemplate.Version",
            f"-> {named}, not the default, with HttpTokens optional",
            "IMDS",
            _launches(group["AutoScalingGroupName"], template_id, default["LaunchTemplateData"], version),
            observes=observed,
        )


def _launches(name: str, template_id: str, data: Data, version: Callable[[int], str]):
    """The group launching a new version (the default's data allowing IMDSv1) that is not made the default."""

    def apply(aws) -> None:
        number = new_version(aws, template_id, data, IMDS_OPTIONAL)
        template = {"LaunchTemplateId": template_id, "Version": version(number)}
        aws("autoscaling").update_auto_scaling_group(AutoScalingGroupName=name, LaunchTemplate=template)

    return apply


def _scheduled_actions(scope: Scope, group: str, label: str) -> Iterator[Case]:
    found = scope.aws("autoscaling").describe_scheduled_actions(AutoScalingGroupName=group)[
        "ScheduledUpdateGroupActions"
    ]
    for action in sorted(found, key=lambda a: a["ScheduledActionName"]):
        named = scope.label(action["ScheduledActionName"])
        yield scope.case(
            label,
            "delete",
            "scheduled_action",
            named,
            "other",
            _unschedule(group, action["ScheduledActionName"]),
            observes=(SCHEDULE, ""),
        )
        for attribute, value, observed in _schedule_changes(action):
            yield scope.case(
                label,
                "swap",
                f"scheduled_action.{attribute}",
                f"{named}: {action.get(attribute)} -> {value}",
                "other",
                _reschedule(action, **{attribute: value}),
                observes=(SCHEDULE, observed),
            )


def _schedule_changes(action: dict[str, Any]) -> Iterator[tuple[str, Any, str]]:
    """(API attribute, another value, the live table's attribute) for each setting of a scheduled action."""
    yield "Recurrence", "0 12 * * *" if action["Recurrence"] != "0 12 * * *" else "0 13 * * *", "recurrence"
    yield "TimeZone", "Asia/Singapore" if action.get("TimeZone") != "Asia/Singapore" else "UTC", "time_zone"
    for attribute, observed in (
        ("MinSize", "min_size"),
        ("MaxSize", "max_size"),
        ("DesiredCapacity", "desired_capacity"),
    ):
        yield attribute, action[attribute] + 1, observed


def _reschedule(action: dict[str, Any], **changes: Any):
    """The scheduled action put again (PutScheduledUpdateGroupAction replaces it) with one setting changed."""
    kept = (
        "AutoScalingGroupName",
        "ScheduledActionName",
        "Recurrence",
        "TimeZone",
        "MinSize",
        "MaxSize",
        "DesiredCapacity",
    )
    settings = {key: action[key] for key in kept if key in action}
    return _call("put_scheduled_update_group_action", **{**settings, **changes})


def _update(name: str, **changes: Any):
    return _call("update_auto_scaling_group", AutoScalingGroupName=name, **changes)


def _call(method: str, service: str = "autoscaling", **arguments: Any):
    def apply(aws) -> None:
        getattr(aws(service), method)(**arguments)

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


def instance_profiles(scope: Scope) -> Iterator[Case]:
    """The stack's profiles (named as the stack names them: the deployment suffix last): their role, themselves."""
    listed = scope.aws("iam").list_instance_profiles()["InstanceProfiles"]
    for profile in sorted_by(listed, lambda p: p["InstanceProfileName"]):
        name = profile["InstanceProfileName"]
        if not name.endswith(f"-{scope.suffix}"):
            continue
        roles = [role["RoleName"] for role in profile["Roles"]]
        yield scope.case(
            scope.label(name),
            "drop",
            "Roles",
            "",
            "credentials",
            _roles_removed(name, roles),
            observes=(PROFILE, "role"),
        )
        yield scope.case(
            scope.label(name),
            "delete",
            "",
            "",
            "credentials",
            _roles_removed(name, roles, then=_call("delete_instance_profile", "iam", InstanceProfileName=name)),
            observes=(PROFILE, ""),
        )


def _roles_removed(profile: str, roles: list[str], then=None):
    def apply(aws) -> None:
        for role in roles:
            aws("iam").remove_role_from_instance_profile(InstanceProfileName=profile, RoleName=role)
        if then:
            then(aws)

    return apply


GENERATORS = (autoscaling_groups, instance_profiles)
