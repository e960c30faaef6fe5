"""Translators for stack/compute.py: launch template, Auto Scaling group, scheduled actions, Session Manager's
preferences and the patch association."""

from __future__ import annotations

from typing import Any

from tap.live.rehearsal.engine import Rehearsal, flag, handles, one


def _launch_template_data(body: dict) -> dict:
    data: dict[str, Any] = {"ImageId": body["image_id"], "InstanceType": body["instance_type"]}
    if "ebs_optimized" in body:
        data["EbsOptimized"] = flag(body["ebs_optimized"])
    if body.get("iam_instance_profile"):
        data["IamInstanceProfile"] = {"Arn": one(body["iam_instance_profile"])["arn"]}
    if body.get("metadata_options"):
        options = one(body["metadata_options"])
        data["MetadataOptions"] = {
            "HttpEndpoint": options.get("http_endpoint", "enabled"),
            "HttpTokens": options.get("http_tokens", "optional"),
            "HttpPutResponseHopLimit": options.get("http_put_response_hop_limit", 1),
            "InstanceMetadataTags": options.get("instance_metadata_tags", "disabled"),
        }
    data["BlockDeviceMappings"] = [
        {
            "DeviceName": mapping["device_name"],
            "Ebs": {
                "VolumeSize": one(mapping["ebs"])["volume_size"],
                "VolumeType": one(mapping["ebs"])["volume_type"],
                "Encrypted": flag(one(mapping["ebs"]).get("encrypted")),
                "KmsKeyId": one(mapping["ebs"]).get("kms_key_id", ""),
                "DeleteOnTermination": flag(one(mapping["ebs"]).get("delete_on_termination")),
            },
        }
        for mapping in body.get("block_device_mappings", [])
    ]
    data["NetworkInterfaces"] = [
        {
            "DeviceIndex": index,
            "AssociatePublicIpAddress": flag(nic.get("associate_public_ip_address")),
            "Groups": nic.get("security_groups", []),
            "DeleteOnTermination": flag(nic.get("delete_on_termination")),
        }
        for index, nic in enumerate(body.get("network_interfaces", []))
    ]
    if body.get("user_data"):
        data["UserData"] = body["user_data"]
    if body.get("monitoring"):
        data["Monitoring"] = {"Enabled": flag(one(body["monitoring"]).get("enabled"))}
    data["TagSpecifications"] = [
        {"ResourceType": spec["resource_type"], "Tags": [{"Key": k, "Value": v} for k, v in spec["tags"].items()]}
        for spec in body.get("tag_specifications", [])
    ]
    return data


@handles("aws_launch_template")
def _launch_template(r: Rehearsal, body: dict) -> dict:
    # The template itself goes untagged: moto copies its tags into the version's data, where AWS does not.
    template = r.client("ec2").create_launch_template(
        LaunchTemplateName=body["name"], LaunchTemplateData=_launch_template_data(body)
    )["LaunchTemplate"]
    return {
        "id": template["LaunchTemplateId"],
        "latest_version": template["LatestVersionNumber"],
        "default_version": template["DefaultVersionNumber"],
        "arn": f"arn:aws:ec2:{r.region}::launch-template/{template['LaunchTemplateId']}",
    }


@handles("aws_autoscaling_group")
def _autoscaling_group(r: Rehearsal, body: dict) -> dict:
    autoscaling = r.client("autoscaling")
    template = one(body["launch_template"])
    tags = [
        {
            "Key": tag["key"],
            "Value": tag["value"],
            "PropagateAtLaunch": flag(tag.get("propagate_at_launch")),
            "ResourceId": body["name"],
            "ResourceType": "auto-scaling-group",
        }
        for tag in body.get("tag", [])
    ]
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName=body["name"],
        LaunchTemplate={"LaunchTemplateId": template["id"], "Version": str(template["version"])},
        MinSize=body["min_size"],
        MaxSize=body["max_size"],
        DesiredCapacity=body.get("desired_capacity", body["min_size"]),
        VPCZoneIdentifier=",".join(body["vpc_zone_identifier"]),
        HealthCheckType=body.get("health_check_type", "EC2"),
        HealthCheckGracePeriod=body.get("health_check_grace_period", 300),
        TargetGroupARNs=body.get("target_group_arns", []),
        Tags=tags,
        **({"MaxInstanceLifetime": body["max_instance_lifetime"]} if "max_instance_lifetime" in body else {}),
    )
    if body.get("enabled_metrics"):
        autoscaling.enable_metrics_collection(
            AutoScalingGroupName=body["name"], Metrics=body["enabled_metrics"], Granularity="1Minute"
        )
    return {"name": body["name"], "id": body["name"]}


@handles("aws_autoscaling_schedule")
def _schedule(r: Rehearsal, body: dict) -> dict:
    r.client("autoscaling").put_scheduled_update_group_action(
        AutoScalingGroupName=body["autoscaling_group_name"],
        ScheduledActionName=body["scheduled_action_name"],
        Recurrence=body["recurrence"],
        TimeZone=body.get("time_zone", "UTC"),
        MinSize=body["min_size"],
        MaxSize=body["max_size"],
        DesiredCapacity=body["desired_capacity"],
    )
    return {"id": body["scheduled_action_name"]}


@handles("aws_ssm_document")
def _document(r: Rehearsal, body: dict) -> dict:
    created = r.client("ssm").create_document(
        Name=body["name"],
        Content=body["content"],
        DocumentType=body["document_type"],
        DocumentFormat=body.get("document_format", "JSON"),
        Tags=r.tag_list(body.get("tags")),
    )["DocumentDescription"]
    return {
        "id": body["name"],
        "name": body["name"],
        "arn": f"arn:aws:ssm:{r.region}:{r.account_id}:document/{body['name']}",
        "default_version": created["DefaultVersion"],
    }


@handles("aws_ssm_association")
def _association(r: Rehearsal, body: dict) -> dict:
    # As the provider sends it: each parameter a list of one value, the targets' keys capitalised.
    optional = {
        "AssociationName": body.get("association_name"),
        "ScheduleExpression": body.get("schedule_expression"),
        "MaxConcurrency": body.get("max_concurrency"),
        "MaxErrors": body.get("max_errors"),
        "ComplianceSeverity": body.get("compliance_severity"),
    }
    created = r.client("ssm").create_association(
        Name=body["name"],
        Parameters={name: [value] for name, value in body.get("parameters", {}).items()},
        Targets=[{"Key": target["key"], "Values": target["values"]} for target in body.get("targets", [])],
        ApplyOnlyAtCronInterval=flag(body.get("apply_only_at_cron_interval")),
        Tags=r.tag_list(body.get("tags")),
        **{key: value for key, value in optional.items() if value is not None},
    )["AssociationDescription"]
    identifier = created["AssociationId"]
    return {
        "id": identifier,
        "association_id": identifier,
        "arn": f"arn:aws:ssm:{r.region}:{r.account_id}:association/{identifier}",
    }
