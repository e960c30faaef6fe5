"""Application instances: launch template (IMDSv2, encrypted gp3, no public IP, user data), ASG, the instance
role's grants, Session Manager's preferences and the weekly patch run (what they hold: stack/hosts.py)."""

from __future__ import annotations

import base64

from constructs import Construct

from stack import hosts
from stack.agent_setup import SUFFIX_MARK
from stack.cdk import aws, core
from stack.config import Config
from stack.naming import Names
from stack.policy_documents import document
from stack.roles import service_role

# EC2 reads an image parameter at each launch: every instance boots the image current when it starts.
RESOLVE_SSM = "resolve:ssm:"
# Auto Scaling replaces every instance before it is this old, so each runs an image at most 30 days old.
MAX_INSTANCE_LIFETIME_DAYS = 30
SSM_MANAGED_CORE = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
ROOT_DEVICE = "/dev/xvda"
ROOT_VOLUME_GIB = 20


class Compute(Construct):
    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        config: Config,
        names: Names,
        account_id: str,
        subnets: list[aws.subnet.Subnet],
        security_group: aws.security_group.SecurityGroup,
        ebs_key: aws.kms_key.KmsKey,
        target_group: aws.lb_target_group.LbTargetGroup,
        health_path: str,
        data_bucket: aws.s3_bucket.S3Bucket,
        data_key: aws.kms_key.KmsKey,
        host_log_groups: dict[str, aws.cloudwatch_log_group.CloudwatchLogGroup],
        session_log_group: aws.cloudwatch_log_group.CloudwatchLogGroup,
        session_key: aws.kms_key.KmsKey,
    ):
        super().__init__(scope, id_)
        settings = config.settings
        # Session Manager instead of SSH: no key pairs, no port 22.
        role = service_role(
            self,
            "app-role",
            name=names["app-role"],
            service="ec2.amazonaws.com",
            account_id=account_id,
            policy_arn=SSM_MANAGED_CORE,
            attachment_id="ssm-core",
        )
        aws.iam_role_policy.IamRolePolicy(
            self,
            "app-policy",
            name=names["app-policy"],
            role=role.id,
            policy=document(
                *hosts.instance_grants(
                    region=config.region,
                    account_id=account_id,
                    data_bucket_arn=data_bucket.arn,
                    data_key_arn=data_key.arn,
                    host_log_group_arns=[group.arn for group in host_log_groups.values()],
                    session_log_group_arn=session_log_group.arn,
                    session_key_arn=session_key.arn,
                )
            ),
        )
        profile = aws.iam_instance_profile.IamInstanceProfile(
            self, "app-profile", name=names["app-profile"], role=role.name
        )
        parameter = config.image_parameter
        # Names as the instance completes them at boot (the suffix is in Terraform's state, not here).
        booted = Names(config, SUFFIX_MARK)
        user_data = hosts.user_data(
            port=config.app_port,
            health_path=health_path,
            log_files={hosts.HOST_LOG_SOURCES[key]: booted[key] for key in host_log_groups},
            profile_prefix=Names(config, "")["app-profile"],
            placeholder=config.runs_placeholder,
        )

        self.launch_template = aws.launch_template.LaunchTemplate(
            self,
            "app-lt",
            name=names["app-lt"],
            image_id=f"{RESOLVE_SSM}{parameter}" if parameter else config.app_image,
            user_data=base64.b64encode(user_data.encode()).decode(),
            instance_type=settings.instance_type,
            update_default_version=True,
            ebs_optimized="true",
            iam_instance_profile=aws.launch_template.LaunchTemplateIamInstanceProfile(arn=profile.arn),
            metadata_options=aws.launch_template.LaunchTemplateMetadataOptions(
                http_endpoint="enabled",
                http_tokens="required",  # IMDSv2 only
                http_put_response_hop_limit=1,  # tokens never leave the instance
                instance_metadata_tags="disabled",
            ),
            block_device_mappings=[
                aws.launch_template.LaunchTemplateBlockDeviceMappings(
                    device_name=ROOT_DEVICE,
                    ebs=aws.launch_template.LaunchTemplateBlockDeviceMappingsEbs(
                        volume_size=ROOT_VOLUME_GIB,
                        volume_type="gp3",
                        encrypted="true",
                        kms_key_id=ebs_key.arn,
                        delete_on_termination="true",
                    ),
                )
            ],
            network_interfaces=[
                aws.launch_template.LaunchTemplateNetworkInterfaces(
                    associate_public_ip_address="false",
                    security_groups=[security_group.id],
                    delete_on_termination="true",
                )
            ],
            monitoring=aws.launch_template.LaunchTemplateMonitoring(enabled=True),
            tag_specifications=[
                aws.launch_template.LaunchTemplateTagSpecifications(
                    resource_type=resource_type,
                    tags={**config.inventory_tags, "Name": names[name]},
                )
                for resource_type, name in (("instance", "app-instance"), ("volume", "app-volume"))
            ],
        )
        self.autoscaling_group = aws.autoscaling_group.AutoscalingGroup(
            self,
            "app-asg",
            name=names["app-asg"],
            vpc_zone_identifier=[subnet.id for subnet in subnets],
            min_size=settings.min_size,
            max_size=settings.max_size,
            desired_capacity=settings.desired_capacity,
            health_check_type="ELB",
            health_check_grace_period=300,
            max_instance_lifetime=MAX_INSTANCE_LIFETIME_DAYS * 24 * 3600,
            target_group_arns=[target_group.arn],
            launch_template=aws.autoscaling_group.AutoscalingGroupLaunchTemplate(
                id=self.launch_template.id, version=core.Token.as_string(self.launch_template.latest_version)
            ),
            enabled_metrics=["GroupDesiredCapacity", "GroupInServiceInstances", "GroupTotalInstances"],
            # Provider default tags reach neither Auto Scaling groups nor the instances and volumes they
            # launch: the group gets its own, and they get theirs from the launch template (propagating
            # the group's too would overwrite each instance's Name with the group's).
            tag=[
                aws.autoscaling_group.AutoscalingGroupTag(key=key, value=value, propagate_at_launch=False)
                for key, value in {**config.inventory_tags, "Name": names["app-asg"]}.items()
            ],
            # Schedules move the desired capacity; a deploy must not fight them.
            lifecycle={"ignore_changes": ["desired_capacity"]},
        )
        for schedule in settings.schedules:
            aws.autoscaling_schedule.AutoscalingSchedule(
                self,
                schedule.name,
                scheduled_action_name=names[schedule.name],
                autoscaling_group_name=self.autoscaling_group.name,
                recurrence=schedule.recurrence,
                time_zone="UTC",
                min_size=schedule.min_size,
                max_size=schedule.max_size,
                desired_capacity=schedule.desired_capacity,
            )
        self.session_document = aws.ssm_document.SsmDocument(
            self,
            "session-preferences",
            name=names["session-preferences"],
            document_type="Session",
            document_format="JSON",
            content=hosts.session_preferences(key_arn=session_key.arn, log_group=session_log_group.name),
        )
        self.patching = aws.ssm_association.SsmAssociation(
            self,
            "patching",
            association_name=names["patching"],
            name=hosts.PATCH_DOCUMENT,
            parameters={"Operation": "Install", "RebootOption": "RebootIfNeeded"},
            schedule_expression=settings.patch_schedule,
            targets=[
                aws.ssm_association.SsmAssociationTargets(key=hosts.FLEET_TAG, values=[self.autoscaling_group.name])
            ],
            # One instance at a time, and stop at the first failure: the rest keep serving.
            max_concurrency="1",
            max_errors="0",
            compliance_severity="CRITICAL",
        )
