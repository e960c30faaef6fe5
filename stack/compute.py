"""Application instances: launch template (IMDSv2, encrypted gp3, no public IP) and ASG."""

from __future__ import annotations

from constructs import Construct

from stack.cdk import aws, core
from stack.config import Config
from stack.naming import Names
from stack.roles import service_role

# AWS publishes the current Amazon Linux 2023 AMI here, so no AMI id goes stale in code.
AMI_PARAMETER = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
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
        profile = aws.iam_instance_profile.IamInstanceProfile(
            self, "app-profile", name=names["app-profile"], role=role.name
        )
        ami = aws.data_aws_ssm_parameter.DataAwsSsmParameter(self, "ami", name=AMI_PARAMETER)

        self.launch_template = aws.launch_template.LaunchTemplate(
            self,
            "app-lt",
            name=names["app-lt"],
            image_id=ami.insecure_value,
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
