"""Out-of-band changes to a provisioned rehearsal account: what a nightly run exists to notice.

Each drift is applied with an unguarded emulator session, then the live suite runs in
`--live` mode against the account and must fail with a message containing `names`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from stack.contract import Output

Change = Callable[[Callable[[str], Any], dict[str, Any]], None]


@dataclass(frozen=True)
class Drift:
    name: str
    names: str  # what the live suite's failure message must say
    apply: Change  # (client factory, outputs) -> None
    profile: str = "dev"  # the rehearsal it is applied to: prod for what only prod carries (Object Lock)


def _remove_bucket_encryption(aws, out):
    aws("s3").delete_bucket_encryption(Bucket=out[Output.DATA_BUCKET])


def _allow_public_policy(aws, out):
    aws("s3").put_public_access_block(
        Bucket=out[Output.DATA_BUCKET],
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": False,
            "RestrictPublicBuckets": True,
        },
    )


def _suspend_versioning(aws, out):
    aws("s3").put_bucket_versioning(Bucket=out[Output.DATA_BUCKET], VersioningConfiguration={"Status": "Suspended"})


IMDS_OPTIONAL = {"MetadataOptions": {"HttpTokens": "optional", "HttpPutResponseHopLimit": 1}}


def _new_version(aws, out, **version) -> int:
    """A new launch template version, left beside the default; its number."""
    created = aws("ec2").create_launch_template_version(LaunchTemplateId=out[Output.LAUNCH_TEMPLATE_ID], **version)
    return created["LaunchTemplateVersion"]["VersionNumber"]


def _new_default_version(aws, out, **version) -> None:
    """A new launch template version made the default: what new instances launch with."""
    number = _new_version(aws, out, **version)
    aws("ec2").modify_launch_template(LaunchTemplateId=out[Output.LAUNCH_TEMPLATE_ID], DefaultVersion=str(number))


def _imds_optional_default_version(aws, out):
    _new_default_version(aws, out, SourceVersion="$Latest", LaunchTemplateData=IMDS_OPTIONAL)


def _instance_profile_dropped(aws, out):
    # A source version's data can only be added to, so the new version is the default's data minus the profile.
    (default,) = aws("ec2").describe_launch_template_versions(
        LaunchTemplateId=out[Output.LAUNCH_TEMPLATE_ID], Versions=["$Default"]
    )["LaunchTemplateVersions"]
    data = default["LaunchTemplateData"]
    del data["IamInstanceProfile"]
    _new_default_version(aws, out, LaunchTemplateData=data)


def _group_launches_another_version(aws, out):
    # A version allowing IMDSv1 that nobody made the default: every check of the default version still passes.
    number = _new_version(aws, out, SourceVersion="$Default", LaunchTemplateData=IMDS_OPTIONAL)
    aws("autoscaling").update_auto_scaling_group(
        AutoScalingGroupName=out[Output.AUTOSCALING_GROUP_NAME],
        LaunchTemplate={"LaunchTemplateId": out[Output.LAUNCH_TEMPLATE_ID], "Version": str(number)},
    )


def _database_public(aws, out):
    aws("rds").modify_db_instance(
        DBInstanceIdentifier=out[Output.DB_IDENTIFIER], PubliclyAccessible=True, ApplyImmediately=True
    )


def _database_backups_shortened(aws, out):
    aws("rds").modify_db_instance(
        DBInstanceIdentifier=out[Output.DB_IDENTIFIER], BackupRetentionPeriod=1, ApplyImmediately=True
    )


def _database_port_open_to_world(aws, out):
    aws("ec2").authorize_security_group_ingress(
        GroupId=out[Output.DB_SECURITY_GROUP_ID],
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    )


def _rotation_disabled(aws, out):
    aws("kms").disable_key_rotation(KeyId=out[Output.DATA_KEY_ARN])


def _nat_gateway_deleted(aws, out):
    aws("ec2").delete_nat_gateway(NatGatewayId=out[Output.NAT_GATEWAY_IDS][0])


def _database_subnet_unassociated(aws, out):
    # The subnet falls back to the VPC's main route table.
    ec2 = aws("ec2")
    subnet = out[Output.DB_SUBNET_IDS][0]
    (table,) = ec2.describe_route_tables(Filters=[{"Name": "association.subnet-id", "Values": [subnet]}])["RouteTables"]
    (association,) = [a for a in table["Associations"] if a.get("SubnetId") == subnet]
    ec2.disassociate_route_table(AssociationId=association["RouteTableAssociationId"])


def _gateway_endpoint_added(aws, out):
    aws("ec2").create_vpc_endpoint(
        VpcId=out[Output.VPC_ID],
        VpcEndpointType="Gateway",
        ServiceName=f"com.amazonaws.{out[Output.REGION]}.dynamodb",
        RouteTableIds=out[Output.ROUTE_TABLE_IDS],
    )


def _role(aws, out, role: str) -> str:
    """The live name of one of the stack's roles (`app-role`): no output names them, their names end in the suffix."""
    (name,) = [
        found["RoleName"]
        for found in aws("iam").list_roles()["Roles"]
        if found["RoleName"].startswith(f"payment-{role}-")
        and found["RoleName"].endswith(out[Output.DEPLOYMENT_SUFFIX])
    ]
    return name


def _app_role_made_administrator(aws, out):
    aws("iam").attach_role_policy(
        RoleName=_role(aws, out, "app-role"), PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess"
    )


def _app_role_trusts_anyone(aws, out):
    # A statement of its own: beside the service's aws:SourceAccount condition no other principal could assume it.
    iam, role = aws("iam"), _role(aws, out, "app-role")
    document = iam.get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"]
    document["Statement"].append({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"})
    iam.update_assume_role_policy(RoleName=role, PolicyDocument=json.dumps(document))


def _flow_logs_policy_widened(aws, out):
    # Every log group of the account, not just the flow logs' own.
    iam, role = aws("iam"), _role(aws, out, "flow-logs-role")
    (name,) = iam.list_role_policies(RoleName=role)["PolicyNames"]
    document = iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
    for statement in document["Statement"]:
        statement["Resource"] = "*"
    iam.put_role_policy(RoleName=role, PolicyName=name, PolicyDocument=json.dumps(document))


def _flow_log_deleted(aws, out):
    ec2 = aws("ec2")
    logs = ec2.describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [out[Output.VPC_ID]]}])["FlowLogs"]
    ec2.delete_flow_logs(FlowLogIds=[log["FlowLogId"] for log in logs])


def _retention_shortened(aws, out):
    aws("logs").put_retention_policy(logGroupName=out[Output.FLOW_LOG_GROUP], retentionInDays=30)


def _tls_policy_weakened(aws, out):
    # Still TLS 1.3 with a 1.2 fallback, but the 1.2 side offers CBC suites (no AEAD) again.
    aws("elbv2").modify_listener(
        ListenerArn=out[Output.HTTPS_LISTENER_ARN], SslPolicy="ELBSecurityPolicy-TLS13-1-2-2021-06"
    )


def _app_egress_to_internet(aws, out):
    aws("ec2").authorize_security_group_egress(
        GroupId=out[Output.APP_SECURITY_GROUP_ID],
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    )


def _s3_endpoint_policy_opened(aws, out):
    everything = {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}
    aws("ec2").modify_vpc_endpoint(VpcEndpointId=out[Output.S3_ENDPOINT_ID], PolicyDocument=json.dumps(everything))


def _interface_endpoint_deleted(aws, out):
    aws("ec2").delete_vpc_endpoints(VpcEndpointIds=out[Output.INTERFACE_ENDPOINT_IDS][:1])


def _http_forwards(aws, out):
    aws("elbv2").modify_listener(
        ListenerArn=out[Output.HTTP_LISTENER_ARN],
        DefaultActions=[{"Type": "forward", "TargetGroupArn": out[Output.TARGET_GROUP_ARN]}],
    )


def _waf_detached(aws, out):
    aws("wafv2").disassociate_web_acl(ResourceArn=out[Output.ALB_ARN])


def _waf_rate_limit_removed(aws, out):
    waf = aws("wafv2")
    acl_id = out[Output.WEB_ACL_ARN].rsplit("/", 1)[1]
    name = out[Output.WEB_ACL_ARN].rsplit("/", 2)[1]
    found = waf.get_web_acl(Name=name, Scope="REGIONAL", Id=acl_id)
    acl = found["WebACL"]
    waf.update_web_acl(
        Name=name,
        Scope="REGIONAL",
        Id=acl_id,
        LockToken=found["LockToken"],
        DefaultAction=acl["DefaultAction"],
        Rules=[rule for rule in acl["Rules"] if "RateBasedStatement" not in rule["Statement"]],
        VisibilityConfig=acl["VisibilityConfig"],
    )


def _waf_logs_unredacted(aws, out):
    waf = aws("wafv2")
    logging = waf.get_logging_configuration(ResourceArn=out[Output.WEB_ACL_ARN])["LoggingConfiguration"]
    waf.put_logging_configuration(
        LoggingConfiguration={
            "ResourceArn": logging["ResourceArn"],
            "LogDestinationConfigs": logging["LogDestinationConfigs"],
        }
    )


def _key_policy_reset_to_root_only(aws, out):
    """The policy AWS gives a key by default: the account root may do anything, IAM decides the rest."""
    account = out[Output.DATA_KEY_ARN].split(":")[4]
    statement = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
        "Action": "kms:*",
        "Resource": "*",
    }
    aws("kms").put_key_policy(
        KeyId=out[Output.DATA_KEY_ARN],
        PolicyName="default",
        Policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]}),
    )


def _alarm_subscription_removed(aws, out):
    sns = aws("sns")
    for subscription in sns.list_subscriptions_by_topic(TopicArn=out[Output.ALARM_TOPIC_ARN])["Subscriptions"]:
        sns.unsubscribe(SubscriptionArn=subscription["SubscriptionArn"])


def _key_tampering_rule_disabled(aws, out):
    (rule,) = [name for name in out[Output.EVENT_RULE_NAMES] if "key-tampering" in name]
    aws("events").disable_rule(Name=rule)


def _rewrite_alarm(aws, out, alarm: str, **changes) -> None:
    """Put one of the stack's alarms (`unhealthy-hosts`) again as it is, but for `changes`."""
    (name,) = [name for name in out[Output.ALARM_NAMES] if f"-{alarm}-" in name]
    cloudwatch = aws("cloudwatch")
    (found,) = cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"]
    kept = ("Namespace", "MetricName", "Statistic", "ComparisonOperator", "Threshold", "Period", "EvaluationPeriods")
    described = ("AlarmDescription", "Dimensions", "AlarmActions", "OKActions", "TreatMissingData")
    settings = {key: found[key] for key in (*kept, *described)}
    cloudwatch.put_metric_alarm(AlarmName=name, **(settings | changes))


def _dead_fleet_reads_as_healthy(aws, out):
    _rewrite_alarm(aws, out, "unhealthy-hosts", TreatMissingData="notBreaching")


def _database_log_alarm_watches_the_upgrade_log(aws, out):
    # The upgrade log is quiet by nature: the alarm sits in ALARM for good and the audit log goes unwatched.
    (upgrade,) = [group for group in out[Output.DB_LOG_GROUPS] if group.endswith("/upgrade")]
    _rewrite_alarm(aws, out, "postgresql-quiet", Dimensions=[{"Name": "LogGroupName", "Value": upgrade}])


def _rewrite_rule_pattern(aws, out, rule: str, edit: Callable[[dict], None]) -> None:
    """Put one of the stack's event rules (`db-failures`) again, its pattern changed by `edit`."""
    (name,) = [name for name in out[Output.EVENT_RULE_NAMES] if f"-{rule}-" in name]
    events = aws("events")
    found = events.describe_rule(Name=name)
    pattern = json.loads(found["EventPattern"])
    edit(pattern)
    events.put_rule(Name=name, EventPattern=json.dumps(pattern), State=found["State"])


def _retention_change_unwatched(aws, out):
    _rewrite_rule_pattern(
        aws, out, "log-group-tampering", lambda p: p["detail"]["eventName"].remove("PutRetentionPolicy")
    )


def _data_bucket_unwatched(aws, out):
    _rewrite_rule_pattern(
        aws,
        out,
        "bucket-tampering",
        lambda p: p["detail"]["requestParameters"]["bucketName"].remove(out[Output.DATA_BUCKET]),
    )


def _database_changes_unwatched(aws, out):
    _rewrite_rule_pattern(
        aws, out, "db-failures", lambda p: p["detail"].update(EventCategories=["failure", "low storage"])
    )


def _rewrite_bucket_policy(aws, bucket: str, keep: Callable[[dict], bool]) -> None:
    s3 = aws("s3")
    policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    policy["Statement"] = [statement for statement in policy["Statement"] if keep(statement)]
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))


def _log_deletion_allowed(aws, out):
    _rewrite_bucket_policy(aws, out[Output.ALB_LOGS_BUCKET], lambda s: s.get("Sid") != "DenyLogDeletion")


def _data_reachable_outside_the_endpoint(aws, out):
    _rewrite_bucket_policy(
        aws,
        out[Output.DATA_BUCKET],
        lambda s: "aws:SourceVpce" not in s.get("Condition", {}).get("StringNotEquals", {}),
    )


def _object_lock_retention_removed(aws, out):
    # Object Lock stays on, but objects delivered from now on are no longer locked.
    aws("s3").put_object_lock_configuration(
        Bucket=out[Output.ALB_LOGS_BUCKET], ObjectLockConfiguration={"ObjectLockEnabled": "Enabled"}
    )


def _pgaudit_unloaded(aws, out):
    rds = aws("rds")
    (database,) = rds.describe_db_instances(DBInstanceIdentifier=out[Output.DB_IDENTIFIER])["DBInstances"]
    rds.modify_db_parameter_group(
        DBParameterGroupName=database["DBParameterGroups"][0]["DBParameterGroupName"],
        Parameters=[
            {"ParameterName": "pgaudit.log", "ParameterValue": "none", "ApplyMethod": "immediate"},
        ],
    )


def _alarm_actions_disabled(aws, out):
    aws("cloudwatch").disable_alarm_actions(AlarmNames=[out[Output.ALARM_NAMES][0]])


def _data_key_disabled(aws, out):
    kms = aws("kms")  # moto's DisableKey takes the key's id, not its ARN
    kms.disable_key(KeyId=kms.describe_key(KeyId=out[Output.DATA_KEY_ARN])["KeyMetadata"]["KeyId"])


def _data_bucket_logging_off(aws, out):
    aws("s3").put_bucket_logging(Bucket=out[Output.DATA_BUCKET], BucketLoggingStatus={})


def _log_bucket_lifecycle_deleted(aws, out):
    aws("s3").delete_bucket_lifecycle(Bucket=out[Output.ALB_LOGS_BUCKET])


def _log_forging_allowed(aws, out):
    _rewrite_bucket_policy(
        aws, out[Output.ALB_LOGS_BUCKET], lambda s: s.get("Sid") != "OnlyTheDeliveryServiceWritesLogs"
    )


def _access_logs_writable_by_another_account(aws, out):
    # The grant and the Deny's exemption rewritten together: the policy agrees with itself, not with the plan.
    s3, bucket, writer = aws("s3"), out[Output.ACCESS_LOGS_BUCKET], "123456789012"
    policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    for statement in policy["Statement"]:
        if statement.get("Sid") == "S3ServerAccessLogs":
            statement["Principal"] = {"AWS": f"arn:aws:iam::{writer}:root"}
            statement.pop("Condition", None)
        if statement.get("Sid") == "OnlyTheDeliveryServiceWritesLogs":
            statement["Condition"] = {"StringNotEquals": {"aws:PrincipalAccount": writer}}
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))


def _old_log_versions_purged_early(aws, out):
    # What the buckets kept before: an overwritten log's original gone after 90 days, long before the log.
    s3, bucket = aws("s3"), out[Output.ACCESS_LOGS_BUCKET]
    rules = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    for rule in rules:
        rule["NoncurrentVersionExpiration"] = {"NoncurrentDays": 90}
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": rules})


def _ebs_key_opened_to_the_account(aws, out):
    """The EBS key as it was: any principal of the account uses it through EC2, without any IAM grant."""
    kms = aws("kms")
    policy = json.loads(kms.get_key_policy(KeyId=out[Output.EBS_KEY_ARN], PolicyName="default")["Policy"])
    for statement in policy["Statement"]:
        statement.get("Condition", {}).pop("ArnEquals", None)
    kms.put_key_policy(KeyId=out[Output.EBS_KEY_ARN], PolicyName="default", Policy=json.dumps(policy))


def _database_ca_expired(aws, out):
    aws("rds").modify_db_instance(
        DBInstanceIdentifier=out[Output.DB_IDENTIFIER], CACertificateIdentifier="rds-ca-2019", ApplyImmediately=True
    )


def _network_acl_of(aws, subnet: str) -> str:
    (acl,) = aws("ec2").describe_network_acls(Filters=[{"Name": "association.subnet-id", "Values": [subnet]}])[
        "NetworkAcls"
    ]
    return acl["NetworkAclId"]


def _acl_admits_ssh_from_the_internet(aws, out):
    # Numbered before every planned rule, so it is the one that decides.
    aws("ec2").create_network_acl_entry(
        NetworkAclId=_network_acl_of(aws, out[Output.APP_SUBNET_IDS][0]),
        RuleNumber=90,
        Protocol="6",
        RuleAction="allow",
        Egress=False,
        CidrBlock="0.0.0.0/0",
        PortRange={"From": 22, "To": 22},
    )


def _default_acl_admits_everything(aws, out):
    ec2 = aws("ec2")
    (default,) = ec2.describe_network_acls(
        Filters=[{"Name": "vpc-id", "Values": [out[Output.VPC_ID]]}, {"Name": "default", "Values": ["true"]}]
    )["NetworkAcls"]
    ec2.create_network_acl_entry(
        NetworkAclId=default["NetworkAclId"],
        RuleNumber=100,
        Protocol="-1",
        RuleAction="allow",
        Egress=False,
        CidrBlock="0.0.0.0/0",
    )


def _interface_endpoint_policy_opened(aws, out):
    # AWS's default endpoint policy: any principal of any account, any action.
    everything = {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}
    aws("ec2").modify_vpc_endpoint(
        VpcEndpointId=out[Output.INTERFACE_ENDPOINT_IDS][0], PolicyDocument=json.dumps(everything)
    )


def _dns_queries_logged_elsewhere(aws, out):
    # A second destination for every query of the VPC (another account's group, say): nothing the plan declares.
    resolver = aws("route53resolver")
    config = resolver.create_resolver_query_log_config(
        Name="elsewhere",
        DestinationArn=f"arn:aws:logs:{out[Output.REGION]}:111122223333:log-group:elsewhere",
        CreatorRequestId="elsewhere",
    )["ResolverQueryLogConfig"]
    resolver.associate_resolver_query_log_config(ResolverQueryLogConfigId=config["Id"], ResourceId=out[Output.VPC_ID])


def _instance_stopped(aws, out):
    (group,) = aws("autoscaling").describe_auto_scaling_groups(
        AutoScalingGroupNames=[out[Output.AUTOSCALING_GROUP_NAME]]
    )["AutoScalingGroups"]
    aws("ec2").stop_instances(InstanceIds=[group["Instances"][0]["InstanceId"]])


def _user_data_dropped(aws, out):
    (default,) = aws("ec2").describe_launch_template_versions(
        LaunchTemplateId=out[Output.LAUNCH_TEMPLATE_ID], Versions=["$Default"]
    )["LaunchTemplateVersions"]
    data = default["LaunchTemplateData"]
    del data["UserData"]
    _new_default_version(aws, out, LaunchTemplateData=data)


def _app_role_grant_widened(sid: str) -> Change:
    """One of the application role's own grants, on every resource instead of its own."""

    def widen(aws, out):
        iam, role = aws("iam"), _role(aws, out, "app-role")
        (name,) = iam.list_role_policies(RoleName=role)["PolicyNames"]
        document = iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
        for statement in document["Statement"]:
            if statement.get("Sid") == sid:
                statement["Resource"] = "*"
        iam.put_role_policy(RoleName=role, PolicyName=name, PolicyDocument=json.dumps(document))

    return widen


def _app_role_policy_gains(statement: dict) -> Change:
    """One more statement in the application role's own policy, every planned one left as it is."""

    def add(aws, out):
        iam, role = aws("iam"), _role(aws, out, "app-role")
        (name,) = iam.list_role_policies(RoleName=role)["PolicyNames"]
        document = iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
        document["Statement"].append(statement)
        iam.put_role_policy(RoleName=role, PolicyName=name, PolicyDocument=json.dumps(document))

    return add


def _session_idle_for_twenty_minutes(aws, out):
    ssm = aws("ssm")
    (name,) = [
        found["Name"]
        for found in ssm.list_documents(Filters=[{"Key": "DocumentType", "Values": ["Session"]}])["DocumentIdentifiers"]
        if found["Name"].endswith(out[Output.DEPLOYMENT_SUFFIX])
    ]
    content = json.loads(ssm.get_document(Name=name)["Content"])
    content["inputs"]["idleSessionTimeout"] = "20"
    version = ssm.update_document(Name=name, Content=json.dumps(content), DocumentVersion="$LATEST")
    ssm.update_document_default_version(Name=name, DocumentVersion=version["DocumentDescription"]["DocumentVersion"])


def _host_log_group_deleted(aws, out):
    aws("logs").delete_log_group(logGroupName=out[Output.HOST_LOG_GROUPS][0])


# --- attributes only the live table (tap/live/observed) compares: its messages name the plan's address ---------


def _data_bucket_owned_by_writers(aws, out):
    rules = [{"ObjectOwnership": "ObjectWriter"}]
    aws("s3").put_bucket_ownership_controls(Bucket=out[Output.DATA_BUCKET], OwnershipControls={"Rules": rules})


def _alarm_topic_open_to_anyone(aws, out):
    sns, topic = aws("sns"), out[Output.ALARM_TOPIC_ARN]
    policy = json.loads(sns.get_topic_attributes(TopicArn=topic)["Attributes"]["Policy"])
    policy["Statement"].append({"Effect": "Allow", "Principal": "*", "Action": "sns:Publish", "Resource": topic})
    sns.set_topic_attributes(TopicArn=topic, AttributeName="Policy", AttributeValue=json.dumps(policy))


def _database_minor_upgrades_off(aws, out):
    aws("rds").modify_db_instance(
        DBInstanceIdentifier=out[Output.DB_IDENTIFIER], AutoMinorVersionUpgrade=False, ApplyImmediately=True
    )


def _alarm_compares_the_other_way(aws, out):
    # The storage alarm now fires while space is plentiful and stays quiet as it runs out.
    _rewrite_alarm(aws, out, "db-storage", ComparisonOperator="GreaterThanThreshold")


def _tamper_rule_target_elsewhere(aws, out):
    (rule,) = [name for name in out[Output.EVENT_RULE_NAMES] if "-key-tampering-" in name]
    elsewhere = out[Output.ALARM_TOPIC_ARN].rsplit(":", 2)[0] + ":111122223333:payment-alarms-elsewhere"
    aws("events").put_targets(Rule=rule, Targets=[{"Id": "alarm-topic", "Arn": elsewhere}])


def _log_group_unencrypted(aws, out):
    # Made again without its key (the emulator has no DisassociateKmsKey; an account lets either).
    logs, name = aws("logs"), out[Output.APP_LOG_GROUP]
    (group,) = [g for g in logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"] if g["logGroupName"] == name]
    tags = logs.list_tags_for_resource(resourceArn=group["arn"].removesuffix(":*"))["tags"]
    logs.delete_log_group(logGroupName=name)
    logs.create_log_group(logGroupName=name, tags=tags)
    logs.put_retention_policy(logGroupName=name, retentionInDays=group["retentionInDays"])


def _data_key_alias_retargeted(aws, out):
    kms = aws("kms")
    data_key = kms.describe_key(KeyId=out[Output.DATA_KEY_ARN])["KeyMetadata"]["KeyId"]
    (alias,) = [a for a in kms.list_aliases()["Aliases"] if a.get("TargetKeyId") == data_key]
    kms.update_alias(AliasName=alias["AliasName"], TargetKeyId=out[Output.LOGS_KEY_ARN])


def _monitoring_policy_detached(aws, out):
    iam = aws("iam")
    (role,) = [r["RoleName"] for r in iam.list_roles()["Roles"] if "-db-monitoring-role-" in r["RoleName"]]
    for policy in iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]:
        iam.detach_role_policy(RoleName=role, PolicyArn=policy["PolicyArn"])


def _database_on_another_parameter_group(aws, out):
    rds = aws("rds")
    rds.create_db_parameter_group(
        DBParameterGroupName="payment-db-params-defaults", DBParameterGroupFamily="postgres15", Description="defaults"
    )
    rds.modify_db_instance(
        DBInstanceIdentifier=out[Output.DB_IDENTIFIER], DBParameterGroupName="payment-db-params-defaults"
    )


CATALOGUE = [
    Drift("bucket encryption removed", "default encryption", _remove_bucket_encryption),
    Drift("public access block flag off", "public access block of bucket", _allow_public_policy),
    Drift("bucket versioning suspended", "versioning of bucket", _suspend_versioning),
    Drift("IMDSv1 allowed by a new default version", "IMDSv2 (HttpTokens)", _imds_optional_default_version),
    Drift("database made public", "whether the database is publicly accessible", _database_public),
    Drift("database backups shortened", "backup retention", _database_backups_shortened),
    Drift("database port open to the internet", "rules of the db security group", _database_port_open_to_world),
    Drift("key rotation disabled", "automatic rotation of the data key", _rotation_disabled),
    Drift("NAT gateway deleted", "NAT gateways' states", _nat_gateway_deleted),
    Drift("flow log deleted", "has no flow log", _flow_log_deleted),
    Drift("log retention shortened", "retention and key of log group", _retention_shortened),
    Drift("TLS policy weakened", "TLS policy", _tls_policy_weakened),
    Drift("HTTP listener forwards", "HTTP listener's actions (redirect)", _http_forwards),
    Drift("WAF detached from the load balancer", "WAF web ACL is no longer associated", _waf_detached),
    Drift("application egress opened to the internet", "rules of the app security group", _app_egress_to_internet),
    Drift("S3 endpoint policy opened", "policy of the S3 gateway endpoint", _s3_endpoint_policy_opened),
    Drift("interface endpoint deleted", "the VPC's interface endpoints", _interface_endpoint_deleted),
    Drift("WAF rate limit removed", "the WAF's rate limit", _waf_rate_limit_removed),
    Drift(
        "data key policy reset to the account default", "the key policy of the data key", _key_policy_reset_to_root_only
    ),
    Drift("alarm topic subscriptions removed", "the alarm topic's subscriptions", _alarm_subscription_removed),
    Drift("key tampering rule disabled", "(state, sources, event types, target)", _key_tampering_rule_disabled),
    Drift(
        "missing data reads as healthy",
        "(metric, threshold, actions, actions enabled, missing data)",
        _dead_fleet_reads_as_healthy,
    ),
    Drift("alarm actions disabled", "actions enabled, missing", _alarm_actions_disabled),
    Drift("data key disabled", "the state of the data key", _data_key_disabled),
    Drift("data bucket access logging off", "the access logging of bucket", _data_bucket_logging_off),
    Drift("log bucket lifecycle deleted", "has no lifecycle", _log_bucket_lifecycle_deleted),
    Drift("WAF logs no longer redacted", "the fields the WAF's logs redact", _waf_logs_unredacted),
    Drift("log deletion allowed", "no longer denies deleting log objects", _log_deletion_allowed),
    Drift(
        "data bucket reachable outside the endpoint",
        "to the application's role through the S3 gateway endpoint",
        _data_reachable_outside_the_endpoint,
    ),
    Drift("Object Lock retention removed", "the Object Lock of bucket", _object_lock_retention_removed, "prod"),
    Drift("pgaudit logging off", "the parameter group's pgaudit settings", _pgaudit_unloaded),
    Drift(
        "database subnet falls back to the main route table",
        "the route table each subnet is explicitly associated with",
        _database_subnet_unassociated,
    ),
    Drift("extra gateway endpoint", "the VPC's endpoints (type, service)", _gateway_endpoint_added),
    Drift(
        "instance profile dropped by a new default version",
        "the instance profile of the launch template's default version",
        _instance_profile_dropped,
    ),
    Drift(
        "application role made administrator",
        "the managed policies attached to each role",
        _app_role_made_administrator,
    ),
    Drift("flow logs role's inline policy widened", "the inline policies of each role", _flow_logs_policy_widened),
    Drift(
        "application role trusts any AWS principal",
        "the trust policy of role payment-app-role-",
        _app_role_trusts_anyone,
    ),
    Drift(
        "Auto Scaling group launches a version that is not the default",
        "the launch template version the group launches",
        _group_launches_another_version,
    ),
    Drift(
        "log forging allowed",
        "the deny of writing log objects to all but the delivery service",
        _log_forging_allowed,
    ),
    Drift("old log versions purged after 90 days", "the lifecycle of bucket", _old_log_versions_purged_early),
    Drift(
        "EBS key opened to every principal of the account",
        "the key policy of the ebs key",
        _ebs_key_opened_to_the_account,
    ),
    Drift("database CA set back to an expired one", "the database's certificate authority", _database_ca_expired),
    Drift(
        "log retention changes no longer watched",
        "the pattern of event rule payment-log-group-tampering-",
        _retention_change_unwatched,
    ),
    Drift(
        "data bucket dropped from the tamper rule",
        "the pattern of event rule payment-bucket-tampering-",
        _data_bucket_unwatched,
    ),
    Drift(
        "database changes no longer notify",
        "the pattern of event rule payment-db-failures-",
        _database_changes_unwatched,
    ),
    Drift(
        "database log alarm watches the upgrade log",
        "the dimensions of alarm payment-postgresql-quiet-",
        _database_log_alarm_watches_the_upgrade_log,
    ),
    Drift(
        "network ACL admits SSH from the internet",
        "the network ACL rules of each subnet",
        _acl_admits_ssh_from_the_internet,
    ),
    Drift("default network ACL admits everything", "the default network ACL's rules", _default_acl_admits_everything),
    Drift("interface endpoint policy opened", "policy of the com.amazonaws.", _interface_endpoint_policy_opened),
    Drift(
        "DNS queries logged to a second destination",
        "the log groups the VPC's DNS query logging writes to",
        _dns_queries_logged_elsewhere,
    ),
    Drift("an instance stopped", "the health of the target group's targets", _instance_stopped),
    Drift(
        "user data dropped by a new default version",
        "the user data of the launch template's default version",
        _user_data_dropped,
    ),
    Drift(
        "application role may use every key",
        "the application role's grant DataKeyThroughS3",
        _app_role_grant_widened("DataKeyThroughS3"),
    ),
    Drift(
        "application role may write every log group",
        "the application role's grant ShipHostLogs",
        _app_role_grant_widened("ShipHostLogs"),
    ),
    Drift(
        "session idle timeout at 20 minutes",
        "the Session Manager preferences of document",
        _session_idle_for_twenty_minutes,
    ),
    Drift("host log group deleted", "does not exist", _host_log_group_deleted),
    Drift(
        "access logs writable by another account, grant and exemption alike",
        "the deny of writing log objects to all but the delivery service in bucket payment-access-logs-",
        _access_logs_writable_by_another_account,
    ),
    Drift(
        "application role gains an extra statement",
        "the application role's grant Debug",
        _app_role_policy_gains({"Sid": "Debug", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}),
    ),
    Drift(
        "application role gains a statement without a Sid",
        "the application role's grant without a Sid",
        _app_role_policy_gains({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}),
    ),
    Drift(
        "data bucket objects owned by their writers",
        "drift: aws_s3_bucket_ownership_controls.storage_data_ownership_A0506025.rule is "
        "{'object_ownership': 'ObjectWriter'}",
        _data_bucket_owned_by_writers,
    ),
    Drift(
        "alarm topic open to any publisher",
        "drift: aws_sns_topic_policy.alarms_alarms-policy_BA3A639A.policy is",
        _alarm_topic_open_to_anyone,
    ),
    Drift(
        "database minor version upgrades off",
        "drift: aws_db_instance.database_db_878A5AE3.auto_minor_version_upgrade is False",
        _database_minor_upgrades_off,
    ),
    Drift(
        "storage alarm compares the other way",
        "drift: aws_cloudwatch_metric_alarm.alarms_db-storage_8C8AB0F6.comparison_operator is 'GreaterThanThreshold'",
        _alarm_compares_the_other_way,
    ),
    Drift(
        "key tampering rule notifies another account",
        "drift: aws_cloudwatch_event_target.alarms_key-tampering-target_05562FB0.arn is",
        _tamper_rule_target_elsewhere,
    ),
    Drift(
        "application log group made again unencrypted",
        "drift: aws_cloudwatch_log_group.logs_app-logs_8F28CD7E.kms_key_id is not set",
        _log_group_unencrypted,
    ),
    Drift(
        # A key has no name but its alias: the data key read through it is the logs key, which differs.
        "data key alias moved to another key",
        "drift: aws_kms_key.encryption_data-key_5FB0C2D1.description is 'CloudWatch log groups",
        _data_key_alias_retargeted,
    ),
    Drift(
        "database monitoring policy detached",
        "drift: aws_iam_role_policy_attachment.database_db-monitoring_7EC753E5 is not in the account",
        _monitoring_policy_detached,
    ),
    Drift(
        "database on a parameter group of defaults",
        "drift: aws_db_instance.database_db_878A5AE3.parameter_group_name is 'payment-db-params-defaults'",
        _database_on_another_parameter_group,
    ),
]


# --- not drift: the same policy in the shape AWS may hand it back ------------------------------------
# IAM, KMS, S3 and VPC endpoints return a one-element list as a lone value and keep statements in any
# order: the live suite must read that as the plan's policy (a false drift wakes someone for nothing).


def _reshaped(policy: str) -> str:
    """The same policy with every one-element list a lone value and the statements reversed."""

    def collapse(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: collapse(inner) for key, inner in value.items()}
        if isinstance(value, list):
            return collapse(value[0]) if len(value) == 1 else [collapse(inner) for inner in value]
        return value

    document = json.loads(policy)
    return json.dumps({**document, "Statement": [collapse(item) for item in reversed(document["Statement"])]})


def _reshape_key_policy(aws, out):
    kms = aws("kms")
    policy = kms.get_key_policy(KeyId=out[Output.DATA_KEY_ARN], PolicyName="default")["Policy"]
    kms.put_key_policy(KeyId=out[Output.DATA_KEY_ARN], PolicyName="default", Policy=_reshaped(policy))


def _reshape_bucket_policy(aws, out):
    s3 = aws("s3")
    policy = s3.get_bucket_policy(Bucket=out[Output.DATA_BUCKET])["Policy"]
    s3.put_bucket_policy(Bucket=out[Output.DATA_BUCKET], Policy=_reshaped(policy))


def _reshape_endpoint_policy(aws, out):
    ec2 = aws("ec2")
    (endpoint,) = ec2.describe_vpc_endpoints(VpcEndpointIds=[out[Output.S3_ENDPOINT_ID]])["VpcEndpoints"]
    ec2.modify_vpc_endpoint(
        VpcEndpointId=endpoint["VpcEndpointId"], PolicyDocument=_reshaped(endpoint["PolicyDocument"])
    )


RESHAPES = [
    Drift("data key policy in AWS's shape", "", _reshape_key_policy),
    Drift("data bucket policy in AWS's shape", "", _reshape_bucket_policy),
    Drift("S3 endpoint policy in AWS's shape", "", _reshape_endpoint_policy),
]
