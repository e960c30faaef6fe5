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
from tap.mutate.operators.endpoints import endpoint_remade
from tap.mutate.operators.security_groups import rule_replaced

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


def _data_expires(aws, out):
    # A block the plan does not declare: the card data deleted after 30 days, every planned key unchanged.
    s3, bucket = aws("s3"), out[Output.DATA_BUCKET]
    rules = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    for rule in rules:
        rule["Expiration"] = {"Days": 30}
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


def _vpc_dns_resolution_off(aws, out):
    aws("ec2").modify_vpc_attribute(VpcId=out[Output.VPC_ID], EnableDnsSupport={"Value": False})


def _https_rule_widened_in_place(aws, out):
    # The load balancer's HTTPS rule edited to every port, as the console does it.
    group = out[Output.ALB_SECURITY_GROUP_ID]
    rules = aws("ec2").describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [group]}])
    (https,) = [rule for rule in rules["SecurityGroupRules"] if not rule["IsEgress"] and rule["FromPort"] == 443]
    rule_replaced(https, {"FromPort": 0, "ToPort": 65535})(aws)


def _acl_rule_widened_in_place(aws, out):
    # The application ACL's first ingress rule, from the public subnet, made to admit the whole internet.
    acl = _network_acl_of(aws, out[Output.APP_SUBNET_IDS][0])
    aws("ec2").replace_network_acl_entry(
        NetworkAclId=acl,
        RuleNumber=100,
        Protocol="6",
        RuleAction="allow",
        Egress=False,
        CidrBlock="0.0.0.0/0",
        PortRange={"From": 8080, "To": 8080},
    )


def _subnet_on_the_default_acl(aws, out):
    ec2, subnet = aws("ec2"), out[Output.APP_SUBNET_IDS][0]
    acls = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [out[Output.VPC_ID]]}])["NetworkAcls"]
    (default,) = [acl for acl in acls if acl["IsDefault"]]
    (association,) = [a for acl in acls for a in acl["Associations"] if a["SubnetId"] == subnet]
    ec2.replace_network_acl_association(
        AssociationId=association["NetworkAclAssociationId"], NetworkAclId=default["NetworkAclId"]
    )


def _endpoint_on_the_default_group(aws, out):
    ec2 = aws("ec2")
    default = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [out[Output.VPC_ID]]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"][0]["GroupId"]
    ec2.modify_vpc_endpoint(
        VpcEndpointId=out[Output.INTERFACE_ENDPOINT_IDS][0],
        AddSecurityGroupIds=[default],
        RemoveSecurityGroupIds=[out[Output.ENDPOINTS_SECURITY_GROUP_ID]],
    )


def _internet_gateway_detached(aws, out):
    ec2 = aws("ec2")
    (gateway,) = ec2.describe_internet_gateways(
        Filters=[{"Name": "attachment.vpc-id", "Values": [out[Output.VPC_ID]]}]
    )["InternetGateways"]
    ec2.detach_internet_gateway(InternetGatewayId=gateway["InternetGatewayId"], VpcId=out[Output.VPC_ID])


def _app_route_out_through_the_internet_gateway(aws, out):
    # The application tier's way out swapped from the NAT gateway to the internet gateway: no NAT in between.
    ec2 = aws("ec2")
    (gateway,) = ec2.describe_internet_gateways(
        Filters=[{"Name": "attachment.vpc-id", "Values": [out[Output.VPC_ID]]}]
    )["InternetGateways"]
    (table,) = ec2.describe_route_tables(
        Filters=[{"Name": "association.subnet-id", "Values": [out[Output.APP_SUBNET_IDS][0]]}]
    )["RouteTables"]
    ec2.replace_route(
        RouteTableId=table["RouteTableId"], DestinationCidrBlock="0.0.0.0/0", GatewayId=gateway["InternetGatewayId"]
    )


def _vpc_classified_public(aws, out):
    aws("ec2").create_tags(Resources=[out[Output.VPC_ID]], Tags=[{"Key": "DataClassification", "Value": "public"}])


def _app_subnet_on_the_database_table(aws, out):
    ec2 = aws("ec2")
    (app,) = ec2.describe_route_tables(
        Filters=[{"Name": "association.subnet-id", "Values": [out[Output.APP_SUBNET_IDS][0]]}]
    )["RouteTables"]
    (database,) = ec2.describe_route_tables(
        Filters=[{"Name": "association.subnet-id", "Values": [out[Output.DB_SUBNET_IDS][0]]}]
    )["RouteTables"]
    (association,) = [a for a in app["Associations"] if a.get("SubnetId") == out[Output.APP_SUBNET_IDS][0]]
    ec2.replace_route_table_association(
        AssociationId=association["RouteTableAssociationId"], RouteTableId=database["RouteTableId"]
    )


def _app_subnet_hands_out_public_addresses(aws, out):
    aws("ec2").modify_subnet_attribute(SubnetId=out[Output.APP_SUBNET_IDS][0], MapPublicIpOnLaunch={"Value": True})


def _default_group_admits_everything(aws, out):
    ec2 = aws("ec2")
    default = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [out[Output.VPC_ID]]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"][0]["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=default, IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
    )


def _endpoint_made_again_without_private_dns(aws, out):
    (endpoint,) = aws("ec2").describe_vpc_endpoints(VpcEndpointIds=out[Output.INTERFACE_ENDPOINT_IDS][:1])[
        "VpcEndpoints"
    ]
    endpoint_remade(endpoint, PrivateDnsEnabled=False)(aws)


# ---- the VPC holds what the plan does not declare; exposure no planned resource shows -------------------

ANOTHER_ACCOUNT = "111122223333"


def _route_table_of(aws, subnet: str) -> str:
    (table,) = aws("ec2").describe_route_tables(Filters=[{"Name": "association.subnet-id", "Values": [subnet]}])[
        "RouteTables"
    ]
    return table["RouteTableId"]


def _peered_with_a_route_from_the_database(aws, out):
    # Another VPC peered with this one, and the database's subnets routed to it: a path no check of a planned
    # route or security group sees.
    ec2 = aws("ec2")
    peer = ec2.create_vpc(CidrBlock="10.99.0.0/16")["Vpc"]["VpcId"]
    peering = ec2.create_vpc_peering_connection(VpcId=out[Output.VPC_ID], PeerVpcId=peer)["VpcPeeringConnection"]
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=peering["VpcPeeringConnectionId"])
    ec2.create_route(
        RouteTableId=_route_table_of(aws, out[Output.DB_SUBNET_IDS][0]),
        DestinationCidrBlock="10.99.0.0/16",
        VpcPeeringConnectionId=peering["VpcPeeringConnectionId"],
    )


def _database_routed_through_nat(aws, out):
    # dev's NAT gateway, planned for the application tier, given to the database tier too.
    aws("ec2").create_route(
        RouteTableId=_route_table_of(aws, out[Output.DB_SUBNET_IDS][0]),
        DestinationCidrBlock="0.0.0.0/0",
        NatGatewayId=out[Output.NAT_GATEWAY_IDS][0],
    )


def _group_image(aws, out) -> str:
    (version,) = aws("ec2").describe_launch_template_versions(
        LaunchTemplateId=out[Output.LAUNCH_TEMPLATE_ID], Versions=["$Default"]
    )["LaunchTemplateVersions"]
    return version["LaunchTemplateData"]["ImageId"]


def _instance_outside_the_group(aws, out):
    # Launched by hand into an application subnet, IMDSv1 allowed: no launch template check sees it.
    aws("ec2").run_instances(
        ImageId=_group_image(aws, out),
        InstanceType="t3.micro",
        MinCount=1,
        MaxCount=1,
        SubnetId=out[Output.APP_SUBNET_IDS][0],
        MetadataOptions={"HttpTokens": "optional", "HttpPutResponseHopLimit": 2},
    )


def _group_instance(aws, out) -> str:
    (group,) = aws("autoscaling").describe_auto_scaling_groups(
        AutoScalingGroupNames=[out[Output.AUTOSCALING_GROUP_NAME]]
    )["AutoScalingGroups"]
    return group["Instances"][0]["InstanceId"]


def _group_instance_allows_imdsv1(aws, out):
    # Changed after launch: the launch template still requires IMDSv2.
    aws("ec2").modify_instance_metadata_options(InstanceId=_group_instance(aws, out), HttpTokens="optional")


def _group_instance_gets_a_public_address(aws, out):
    ec2 = aws("ec2")
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    ec2.associate_address(AllocationId=allocation, InstanceId=_group_instance(aws, out))


def _security_group_added(aws, out):
    aws("ec2").create_security_group(GroupName="debug", Description="debug", VpcId=out[Output.VPC_ID])


def _interface_added(aws, out):
    aws("ec2").create_network_interface(SubnetId=out[Output.APP_SUBNET_IDS][0], Description="debug")


def _route_table_added(aws, out):
    aws("ec2").create_route_table(VpcId=out[Output.VPC_ID])


def _nat_gateway_added(aws, out):
    ec2 = aws("ec2")
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    ec2.create_nat_gateway(SubnetId=out[Output.PUBLIC_SUBNET_IDS][-1], AllocationId=allocation)


def _interface_endpoint_added(aws, out):
    aws("ec2").create_vpc_endpoint(
        VpcId=out[Output.VPC_ID],
        VpcEndpointType="Interface",
        ServiceName=f"com.amazonaws.{out[Output.REGION]}.secretsmanager",
        SubnetIds=out[Output.APP_SUBNET_IDS][:1],
    )


def _transit_gateway_attached(aws, out):
    ec2 = aws("ec2")
    gateway = ec2.create_transit_gateway()["TransitGateway"]["TransitGatewayId"]
    ec2.create_transit_gateway_vpc_attachment(
        TransitGatewayId=gateway, VpcId=out[Output.VPC_ID], SubnetIds=out[Output.APP_SUBNET_IDS][:1]
    )


def _vpn_gateway_attached(aws, out):
    ec2 = aws("ec2")
    gateway = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
    ec2.attach_vpn_gateway(VpnGatewayId=gateway, VpcId=out[Output.VPC_ID])


def _load_balancer_added(aws, out):
    aws("elbv2").create_load_balancer(
        Name="debug", Subnets=out[Output.PUBLIC_SUBNET_IDS], Scheme="internet-facing", Type="application"
    )


def _classic_load_balancer_added(aws, out):
    aws("elb").create_load_balancer(
        LoadBalancerName="debug",
        Listeners=[{"Protocol": "TCP", "LoadBalancerPort": 22, "InstancePort": 22}],
        Subnets=out[Output.PUBLIC_SUBNET_IDS][:1],
    )


def _database_snapshot_shared(*accounts: str) -> Change:
    """A manual snapshot of the database, restorable by `accounts` (`all`: by anyone)."""

    def share(aws, out):
        rds, snapshot = aws("rds"), f"shared-{'-'.join(accounts)}"
        rds.create_db_snapshot(DBInstanceIdentifier=out[Output.DB_IDENTIFIER], DBSnapshotIdentifier=snapshot)
        rds.modify_db_snapshot_attribute(
            DBSnapshotIdentifier=snapshot, AttributeName="restore", ValuesToAdd=list(accounts)
        )

    return share


def _database_snapshot_copy_shared(aws, out):
    # A copy of the automated snapshot (AWS shares no automated one), shared with another account.
    rds = aws("rds")
    (automated,) = rds.describe_db_snapshots(DBInstanceIdentifier=out[Output.DB_IDENTIFIER], SnapshotType="automated")[
        "DBSnapshots"
    ]
    rds.copy_db_snapshot(
        SourceDBSnapshotIdentifier=automated["DBSnapshotIdentifier"], TargetDBSnapshotIdentifier="copy"
    )
    rds.modify_db_snapshot_attribute(
        DBSnapshotIdentifier="copy", AttributeName="restore", ValuesToAdd=[ANOTHER_ACCOUNT]
    )


def _data_key_granted_to_another_account(aws, out):
    aws("kms").create_grant(
        KeyId=out[Output.DATA_KEY_ARN],
        GranteePrincipal=f"arn:aws:iam::{ANOTHER_ACCOUNT}:root",
        Operations=["Decrypt", "GenerateDataKey"],
    )


def _key_policy_gains(key: Output, statement: dict) -> Change:
    """One more statement in a key's policy, every planned one left as it is."""

    def add(aws, out):
        kms = aws("kms")
        policy = json.loads(kms.get_key_policy(KeyId=out[key], PolicyName="default")["Policy"])
        policy["Statement"].append(statement)
        kms.put_key_policy(KeyId=out[key], PolicyName="default", Policy=json.dumps(policy))

    return add


def _bucket_acl_grant(bucket: Output, ownership: str, grantee: dict) -> Change:
    """ACLs turned back on for a bucket (`ownership`), and one granting `grantee` read."""

    def grant(aws, out):
        s3 = aws("s3")
        s3.put_bucket_ownership_controls(
            Bucket=out[bucket], OwnershipControls={"Rules": [{"ObjectOwnership": ownership}]}
        )
        acl = s3.get_bucket_acl(Bucket=out[bucket])
        grants = [*acl["Grants"], {"Grantee": grantee, "Permission": "READ"}]
        s3.put_bucket_acl(Bucket=out[bucket], AccessControlPolicy={"Grants": grants, "Owner": acl["Owner"]})

    return grant


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
    Drift(
        "data bucket objects expire after 30 days",
        "drift: aws_s3_bucket_lifecycle_configuration.storage_data_lifecycle_D6B02DB2.rule is",
        _data_expires,
    ),
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
        "VPC DNS resolution off",
        "aws_vpc.networking_vpc_7065E1BC.enable_dns_support is False in the account",
        _vpc_dns_resolution_off,
    ),
    Drift(
        "load balancer HTTPS rule widened to every port in place",
        "firewall_alb-sg-https-in_8881B79E.from_port is 0 in the account",
        _https_rule_widened_in_place,
    ),
    Drift(
        "network ACL rule widened to the internet in place",
        "networking_acls_app-ingress-100_001CEF4D.cidr_block is '0.0.0.0/0' in the account",
        _acl_rule_widened_in_place,
    ),
    Drift(
        "application subnet moved to the default network ACL",
        "aws_network_acl.networking_acls_app-acl_A7156126.subnet_ids is",
        _subnet_on_the_default_acl,
    ),
    Drift(
        "interface endpoint guarded by the default security group",
        "security_group_ids is",
        _endpoint_on_the_default_group,
    ),
    Drift(
        "internet gateway detached",
        "aws_internet_gateway.networking_igw_BDACEE36.vpc_id is not set in the account",
        _internet_gateway_detached,
    ),
    Drift(
        "application tier routed out without the NAT gateway",
        "aws_route_table.networking_app-rt-a_FEA4AFA0.route is",
        _app_route_out_through_the_internet_gateway,
    ),
    Drift(
        "VPC tagged as holding no cardholder data",
        "aws_vpc.networking_vpc_7065E1BC.tags is",
        _vpc_classified_public,
    ),
    Drift(
        "application subnet routed by the database table",
        "aws_route_table_association.networking_app-rta-0_B5DE0B82.route_table_id is",
        _app_subnet_on_the_database_table,
    ),
    Drift(
        "application subnet hands out public addresses",
        "aws_subnet.networking_app-a_74735883.map_public_ip_on_launch is True in the account",
        _app_subnet_hands_out_public_addresses,
    ),
    Drift(
        "default security group admits everything",
        "aws_default_security_group.networking_default-sg_972C43A8.ingress is",
        _default_group_admits_everything,
    ),
    Drift(
        "interface endpoint made again without private DNS",
        "private_dns_enabled is False in the account",
        _endpoint_made_again_without_private_dns,
    ),
    # The VPC holds what the plan does not declare.
    Drift(
        "VPC peered, with a route from the database's subnets",
        "undeclared peering connection pcx-",
        _peered_with_a_route_from_the_database,
    ),
    Drift(
        "database tier routed through the NAT gateway",
        "undeclared route 0.0.0.0/0 via nat-",
        _database_routed_through_nat,
    ),
    Drift("an instance launched outside the group with IMDSv1", "undeclared instance i-", _instance_outside_the_group),
    Drift("a group instance allows IMDSv1", "IMDS tokens is 'optional'", _group_instance_allows_imdsv1),
    Drift("a group instance gets a public address", "public IP address is '", _group_instance_gets_a_public_address),
    Drift("an extra security group", "undeclared security group sg-", _security_group_added),
    Drift("an extra network interface", "undeclared network interface eni-", _interface_added),
    Drift("an extra route table", "undeclared route table rtb-", _route_table_added),
    Drift("an extra NAT gateway", "undeclared NAT gateway nat-", _nat_gateway_added),
    Drift("an extra interface endpoint", "undeclared VPC endpoint vpce-", _interface_endpoint_added),
    Drift("a transit gateway attached", "undeclared transit gateway attachment tgw-attach-", _transit_gateway_attached),
    Drift("a VPN gateway attached", "undeclared VPN gateway vgw-", _vpn_gateway_attached),
    Drift("an extra load balancer", "undeclared load balancer arn:", _load_balancer_added),
    Drift("a classic load balancer", "undeclared classic load balancer debug", _classic_load_balancer_added),
    # Exposure no planned resource shows.
    Drift(
        "database snapshot shared publicly",
        "'shared-all': ['all']",
        _database_snapshot_shared("all"),
    ),
    Drift(
        "database snapshot shared with another account",
        "'shared-111122223333': ['111122223333']",
        _database_snapshot_shared(ANOTHER_ACCOUNT),
    ),
    Drift(
        "copy of an automated snapshot shared with another account",
        "'copy': ['111122223333']",
        _database_snapshot_copy_shared,
    ),
    Drift(
        "data key granted to another account",
        "the grants of the data key to other accounts",
        _data_key_granted_to_another_account,
    ),
    Drift(
        "data key policy admits another account",
        "who outside the account the key policy of the data key admits",
        _key_policy_gains(
            Output.DATA_KEY_ARN,
            {
                "Sid": "PartnerDecrypts",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ANOTHER_ACCOUNT}:root"},
                "Action": "kms:Decrypt",
                "Resource": "*",
            },
        ),
    ),
    Drift(
        "session key usable by any account through S3",
        "who outside the account the key policy of the session key admits",
        _key_policy_gains(
            Output.SESSION_KEY_ARN,
            {
                "Sid": "AnyoneThroughS3",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "kms:Decrypt",
                "Resource": "*",
                "Condition": {"StringLike": {"kms:ViaService": "s3.*.amazonaws.com"}},
            },
        ),
    ),
    Drift(
        "data bucket ACLs back on, granting another account",
        "READ to ffffffff",
        _bucket_acl_grant(Output.DATA_BUCKET, "ObjectWriter", {"Type": "CanonicalUser", "ID": "f" * 64}),
    ),
    Drift(
        "access log bucket readable by any AWS user",
        "READ to http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
        _bucket_acl_grant(
            Output.ACCESS_LOGS_BUCKET,
            "BucketOwnerPreferred",
            {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"},
        ),
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


# --- the live table (tap/live/observed): attributes no check of its own reads, each named in the failure ----------


def _web_acl_updated(aws, out, change: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
    """The web ACL put back with `change` applied to its settings (DefaultAction, Rules, VisibilityConfig)."""
    waf = aws("wafv2")
    name, acl_id = out[Output.WEB_ACL_ARN].rsplit("/", 2)[1:]
    found = waf.get_web_acl(Name=name, Scope="REGIONAL", Id=acl_id)
    acl = found["WebACL"]
    settings = {key: acl[key] for key in ("DefaultAction", "Rules", "VisibilityConfig")}
    waf.update_web_acl(Name=name, Scope="REGIONAL", Id=acl_id, LockToken=found["LockToken"], **change(settings))


def _managed_rule_groups_count(aws, out):
    # Every managed rule group counts what it matches instead of blocking it: the ACL is attached, blocks nothing.
    def counting(settings):
        rules = [
            {**rule, "OverrideAction": {"Count": {}}} if "OverrideAction" in rule else rule
            for rule in settings["Rules"]
        ]
        return {**settings, "Rules": rules}

    _web_acl_updated(aws, out, counting)


def _waf_samples_off(aws, out):
    _web_acl_updated(
        aws, out, lambda s: {**s, "VisibilityConfig": {**s["VisibilityConfig"], "SampledRequestsEnabled": False}}
    )


def _waf_logs_elsewhere(aws, out):
    logs, name = aws("logs"), "aws-waf-logs-elsewhere"
    logs.create_log_group(logGroupName=name)
    arn = logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"][0]["arn"].removesuffix(":*")
    waf = aws("wafv2")
    logging = waf.get_logging_configuration(ResourceArn=out[Output.WEB_ACL_ARN])["LoggingConfiguration"]
    waf.put_logging_configuration(LoggingConfiguration={**logging, "LogDestinationConfigs": [arn]})


def _load_balancer_in_two_zones(aws, out):
    aws("elbv2").set_subnets(LoadBalancerArn=out[Output.ALB_ARN], Subnets=sorted(out[Output.PUBLIC_SUBNET_IDS])[1:])


def _access_logs_prefix_changed(aws, out):
    aws("elbv2").modify_load_balancer_attributes(
        LoadBalancerArn=out[Output.ALB_ARN], Attributes=[{"Key": "access_logs.s3.prefix", "Value": "elsewhere"}]
    )


def _listener_serves_another_certificate(aws, out):
    other = aws("acm").request_certificate(DomainName="elsewhere.example")["CertificateArn"]
    aws("elbv2").modify_listener(ListenerArn=out[Output.HTTPS_LISTENER_ARN], Certificates=[{"CertificateArn": other}])


def _deregistration_delay_lengthened(aws, out):
    aws("elbv2").modify_target_group_attributes(
        TargetGroupArn=out[Output.TARGET_GROUP_ARN],
        Attributes=[{"Key": "deregistration_delay.timeout_seconds", "Value": "900"}],
    )


def _group_updated(aws, out, **changes):
    aws("autoscaling").update_auto_scaling_group(AutoScalingGroupName=out[Output.AUTOSCALING_GROUP_NAME], **changes)


def _group_metrics_dropped(aws, out):
    # moto's EnableMetricsCollection sets the list a group collects: what disabling all but one leaves.
    aws("autoscaling").enable_metrics_collection(
        AutoScalingGroupName=out[Output.AUTOSCALING_GROUP_NAME], Metrics=["GroupDesiredCapacity"], Granularity="1Minute"
    )


def _group_tag_changed(aws, out):
    group = out[Output.AUTOSCALING_GROUP_NAME]
    tag = {"ResourceId": group, "ResourceType": "auto-scaling-group", "Key": "DataClassification"}
    aws("autoscaling").create_or_update_tags(Tags=[{**tag, "Value": "public", "PropagateAtLaunch": False}])


def _scale_up_moved_to_weekends(aws, out):
    autoscaling, group = aws("autoscaling"), out[Output.AUTOSCALING_GROUP_NAME]
    actions = autoscaling.describe_scheduled_actions(AutoScalingGroupName=group)["ScheduledUpdateGroupActions"]
    (scale_up,) = [action for action in actions if "-scale-up-" in action["ScheduledActionName"]]
    kept = ("ScheduledActionName", "TimeZone", "MinSize", "MaxSize", "DesiredCapacity")
    autoscaling.put_scheduled_update_group_action(
        AutoScalingGroupName=group, Recurrence="0 7 * * SAT,SUN", **{key: scale_up[key] for key in kept}
    )


def _latest_version_not_default(aws, out):
    # A version with IMDSv1 allowed, left beside the default: the next `$Latest` launch or refresh takes it.
    _new_version(aws, out, LaunchTemplateData=IMDS_OPTIONAL)


def _default_version_changed(aws, out, **changes):
    (default,) = aws("ec2").describe_launch_template_versions(
        LaunchTemplateId=out[Output.LAUNCH_TEMPLATE_ID], Versions=["$Default"]
    )["LaunchTemplateVersions"]
    _new_default_version(aws, out, LaunchTemplateData={**default["LaunchTemplateData"], **changes})


def _instance_profile_role_removed(aws, out):
    iam = aws("iam")
    (profile,) = [
        p
        for p in iam.list_instance_profiles()["InstanceProfiles"]
        if p["InstanceProfileName"].startswith("payment-app-")
    ]
    for role in profile["Roles"]:
        iam.remove_role_from_instance_profile(
            InstanceProfileName=profile["InstanceProfileName"], RoleName=role["RoleName"]
        )


WAF = "aws_wafv2_web_acl.waf_A10BC5A2"
TEMPLATE = "aws_launch_template.compute_app-lt_7EEABD98"
GROUP = "aws_autoscaling_group.compute_app-asg_04B3C384"
CATALOGUE += [
    Drift("WAF managed rule groups only count", f"drift: {WAF}.rule is", _managed_rule_groups_count),
    Drift("WAF request samples off", f"drift: {WAF}.visibility_config is", _waf_samples_off),
    Drift(
        "WAF logs sent to another group",
        "drift: aws_wafv2_web_acl_logging_configuration.waf_waf-logging_A0C25DCF.log_destination_configs is",
        _waf_logs_elsewhere,
    ),
    Drift(
        "load balancer left in two zones",
        "drift: aws_lb.load_balancer_alb_027FD642.subnets is",
        _load_balancer_in_two_zones,
    ),
    Drift(
        "access logs written under another prefix",
        "drift: aws_lb.load_balancer_alb_027FD642.access_logs is",
        _access_logs_prefix_changed,
    ),
    Drift(
        "HTTPS listener serves another certificate",
        "drift: aws_lb_listener.load_balancer_https_99877A78.certificate_arn is",
        _listener_serves_another_certificate,
    ),
    Drift(
        "target deregistration delay lengthened",
        "drift: aws_lb_target_group.load_balancer_tg_5C6D2B4A.deregistration_delay is",
        _deregistration_delay_lengthened,
    ),
    Drift(
        "health check grace period lengthened",
        f"drift: {GROUP}.health_check_grace_period is",
        lambda aws, out: _group_updated(aws, out, HealthCheckGracePeriod=1200),
    ),
    Drift("group metrics no longer collected", f"drift: {GROUP}.enabled_metrics is", _group_metrics_dropped),
    Drift("group's data classification tag changed", f"drift: {GROUP}.tag is", _group_tag_changed),
    Drift(
        "scale-up moved to weekends",
        "drift: aws_autoscaling_schedule.compute_scale-up_6F533481.recurrence is",
        _scale_up_moved_to_weekends,
    ),
    Drift(
        "latest launch template version not the default",
        f"drift: {TEMPLATE}.update_default_version is",
        _latest_version_not_default,
    ),
    Drift(
        "detailed monitoring off in a new default version",
        f"drift: {TEMPLATE}.monitoring is",
        lambda aws, out: _default_version_changed(aws, out, Monitoring={"Enabled": False}),
    ),
    Drift(
        "another instance type in a new default version",
        f"drift: {TEMPLATE}.instance_type is",
        lambda aws, out: _default_version_changed(aws, out, InstanceType="t3.micro"),
    ),
    Drift(
        "instance profile without its role",
        "drift: aws_iam_instance_profile.compute_app-profile_7FD12FF5.role is",
        _instance_profile_role_removed,
    ),
]
