"""Each fix to moto (tap/live/moto_fixes/), over HTTP against the emulator, asked as Terraform's AWS provider asks.

Every test here fails on moto 5.2.5 as released (`python -m moto.server`) and passes on the emulator the
rehearsal starts; `test_every_fix_has_an_upstream_note_and_is_listed_in_the_readme` keeps the notes beside them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import boto3
import pytest

from tap.live.emulator import moto_server
from tap.live.moto_fixes import FIXES, UPSTREAM
from tap.live.rehearsal import EMULATOR_CREDENTIALS

REGION = "ap-southeast-1"
README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture(scope="module")
def emulator():
    with moto_server() as url:
        yield url


@pytest.fixture
def aws(emulator):
    session = boto3.Session(region_name=REGION, **EMULATOR_CREDENTIALS)
    return lambda service: session.client(service, endpoint_url=emulator)


def test_every_fix_has_an_upstream_note_and_is_listed_in_the_readme():
    assert set(UPSTREAM) == set(FIXES) and all(len(note) > 80 for note in UPSTREAM.values())
    listed = README.read_text().split("### Fixes to the emulator")[1].split("###")[0]
    assert set(re.findall(r"`([a-z0-9-]+)`", listed)) == set(FIXES)


def test_bucket_logging_is_accepted_beside_a_statement_for_any_principal(aws):
    s3 = aws("s3")
    for bucket in ("fix-logs", "fix-data"):
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    deny_plain_http = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": ["arn:aws:s3:::fix-logs", "arn:aws:s3:::fix-logs/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    log_delivery = {
        "Effect": "Allow",
        "Principal": {"Service": ["logging.s3.amazonaws.com"]},
        "Action": ["s3:PutObject"],
        "Resource": ["arn:aws:s3:::fix-logs/data/*"],
    }
    s3.put_bucket_policy(
        Bucket="fix-logs", Policy=json.dumps({"Version": "2012-10-17", "Statement": [deny_plain_http, log_delivery]})
    )
    s3.put_bucket_logging(
        Bucket="fix-data",
        BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": "fix-logs", "TargetPrefix": "data/"}},
    )
    assert s3.get_bucket_logging(Bucket="fix-data")["LoggingEnabled"]["TargetBucket"] == "fix-logs"


def _subnets(ec2, count: int) -> tuple[str, list[str]]:
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.9.{index}.0/24", AvailabilityZone=f"{REGION}{zone}")["Subnet"]
        for index, zone in zip(range(count), "abc", strict=False)
    ]
    return vpc, [subnet["SubnetId"] for subnet in subnets]


def test_a_load_balancer_created_without_a_scheme_is_internet_facing(aws):
    _, subnets = _subnets(aws("ec2"), 2)
    elbv2 = aws("elbv2")
    created = elbv2.create_load_balancer(Name="fix-alb", Subnets=subnets, Type="application")["LoadBalancers"][0]
    (described,) = elbv2.describe_load_balancers(Names=["fix-alb"])["LoadBalancers"]
    assert created["Scheme"] == described["Scheme"] == "internet-facing"


def test_a_launch_templates_own_tags_stay_off_its_versions(aws):
    ec2 = aws("ec2")
    instance_tags = {"ResourceType": "instance", "Tags": [{"Key": "Role", "Value": "app"}]}
    ec2.create_launch_template(
        LaunchTemplateName="fix-template",
        LaunchTemplateData={"InstanceType": "t3.micro", "TagSpecifications": [instance_tags]},
        TagSpecifications=[{"ResourceType": "launch-template", "Tags": [{"Key": "Owner", "Value": "payments"}]}],
    )
    (version,) = ec2.describe_launch_template_versions(LaunchTemplateName="fix-template")["LaunchTemplateVersions"]
    assert version["LaunchTemplateData"]["TagSpecifications"] == [instance_tags]
    (template,) = ec2.describe_launch_templates(LaunchTemplateNames=["fix-template"])["LaunchTemplates"]
    assert template["Tags"] == [{"Key": "Owner", "Value": "payments"}]


def test_parameters_a_user_sets_are_marked_as_the_users(aws):
    rds = aws("rds")
    rds.create_db_parameter_group(
        DBParameterGroupName="fix-params", DBParameterGroupFamily="postgres15", Description="fix"
    )
    rds.modify_db_parameter_group(
        DBParameterGroupName="fix-params",
        Parameters=[{"ParameterName": "rds.force_ssl", "ParameterValue": "1", "ApplyMethod": "immediate"}],
    )
    (parameter,) = rds.describe_db_parameters(DBParameterGroupName="fix-params", Source="user")["Parameters"]
    assert (parameter["ParameterName"], parameter["ParameterValue"], parameter.get("Source")) == (
        "rds.force_ssl",
        "1",
        "user",
    )


def _insights(rds, name: str) -> tuple:
    (instance,) = rds.describe_db_instances(DBInstanceIdentifier=name)["DBInstances"]
    return tuple(
        instance.get(key)
        for key in ("PerformanceInsightsEnabled", "PerformanceInsightsKMSKeyId", "PerformanceInsightsRetentionPeriod")
    )


def test_performance_insights_settings_are_kept_and_can_be_turned_off(aws):
    key = aws("kms").create_key()["KeyMetadata"]["Arn"]
    rds = aws("rds")
    rds.create_db_instance(
        DBInstanceIdentifier="fix-db",
        DBInstanceClass="db.t3.medium",
        Engine="postgres",
        MasterUsername="payments",
        MasterUserPassword="rehearsal-only-1",
        AllocatedStorage=20,
        EnablePerformanceInsights=True,
        PerformanceInsightsKMSKeyId=key,
        PerformanceInsightsRetentionPeriod=7,
    )
    assert _insights(rds, "fix-db") == (True, key, 7)
    rds.modify_db_instance(DBInstanceIdentifier="fix-db", EnablePerformanceInsights=False, ApplyImmediately=True)
    assert _insights(rds, "fix-db") == (False, None, None)


def test_a_keys_rotation_period_is_kept(aws):
    kms = aws("kms")
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.enable_key_rotation(KeyId=key, RotationPeriodInDays=90)
    status = kms.get_key_rotation_status(KeyId=key)
    assert (status["KeyRotationEnabled"], status.get("RotationPeriodInDays"), status.get("KeyId")) == (True, 90, key)


def test_rule_descriptions_are_kept_for_group_and_prefix_list_peers(aws):
    ec2 = aws("ec2")
    vpc, _ = _subnets(ec2, 0)
    group, peer = (
        ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc)["GroupId"] for name in ("fix-a", "fix-b")
    )
    prefix_list = ec2.create_managed_prefix_list(PrefixListName="fix-pl", MaxEntries=2, AddressFamily="IPv4")
    peers = {
        "from the ALB": {"UserIdGroupPairs": [{"GroupId": peer, "Description": "from the ALB"}]},
        "from S3": {
            "PrefixListIds": [{"PrefixListId": prefix_list["PrefixList"]["PrefixListId"], "Description": "from S3"}]
        },
    }
    for port, permission in zip((443, 8443), peers.values(), strict=True):
        ec2.authorize_security_group_ingress(
            GroupId=group, IpPermissions=[{"IpProtocol": "tcp", "FromPort": port, "ToPort": port, **permission}]
        )
    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [group]}])["SecurityGroupRules"]
    assert sorted(rule.get("Description") for rule in rules if not rule["IsEgress"]) == sorted(peers)


def test_a_query_log_configs_tags_can_be_read(aws):
    aws("s3").create_bucket(Bucket="fix-dns-logs", CreateBucketConfiguration={"LocationConstraint": REGION})
    resolver = aws("route53resolver")
    config = resolver.create_resolver_query_log_config(
        Name="fix-dns",
        DestinationArn="arn:aws:s3:::fix-dns-logs",
        CreatorRequestId="fix-dns",
        Tags=[{"Key": "Service", "Value": "payment"}],
    )["ResolverQueryLogConfig"]
    assert resolver.list_tags_for_resource(ResourceArn=config["Arn"])["Tags"] == [
        {"Key": "Service", "Value": "payment"}
    ]


def _lifetime(autoscaling) -> int | None:
    (group,) = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=["fix-asg"])["AutoScalingGroups"]
    return group.get("MaxInstanceLifetime")


def test_a_groups_instance_lifetime_is_kept(aws):
    _, subnets = _subnets(aws("ec2"), 1)
    aws("ec2").create_launch_template(LaunchTemplateName="fix-asg", LaunchTemplateData={"InstanceType": "t3.micro"})
    autoscaling = aws("autoscaling")
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName="fix-asg",
        LaunchTemplate={"LaunchTemplateName": "fix-asg", "Version": "$Default"},
        MinSize=0,
        MaxSize=1,
        VPCZoneIdentifier=subnets[0],
        MaxInstanceLifetime=2592000,
    )
    assert _lifetime(autoscaling) == 2592000
    autoscaling.update_auto_scaling_group(AutoScalingGroupName="fix-asg", MaxInstanceLifetime=604800)
    assert _lifetime(autoscaling) == 604800


def test_a_groups_instances_launch_with_the_templates_metadata_options_and_groups(aws):
    ec2 = aws("ec2")
    vpc, subnets = _subnets(ec2, 1)
    group = ec2.create_security_group(GroupName="fix-app", Description="app", VpcId=vpc)["GroupId"]
    ec2.create_launch_template(
        LaunchTemplateName="fix-imds",
        LaunchTemplateData={
            "ImageId": "ami-12c6146b",
            "InstanceType": "t3.micro",
            "MetadataOptions": {"HttpTokens": "required", "HttpPutResponseHopLimit": 1},
            "NetworkInterfaces": [{"DeviceIndex": 0, "Groups": [group]}],
        },
    )
    aws("autoscaling").create_auto_scaling_group(
        AutoScalingGroupName="fix-imds",
        LaunchTemplate={"LaunchTemplateName": "fix-imds", "Version": "$Default"},
        MinSize=1,
        MaxSize=1,
        VPCZoneIdentifier=subnets[0],
    )
    (reservation,) = ec2.describe_instances(
        Filters=[{"Name": "tag:aws:autoscaling:groupName", "Values": ["fix-imds"]}]
    )["Reservations"]
    (instance,) = reservation["Instances"]
    assert instance["MetadataOptions"]["HttpTokens"] == "required"
    assert [g["GroupId"] for g in instance["SecurityGroups"]] == [group]


def test_a_query_log_config_can_be_disassociated_from_its_vpc_and_deleted(aws):
    aws("s3").create_bucket(Bucket="fix-dns-vpc-logs", CreateBucketConfiguration={"LocationConstraint": REGION})
    vpc, _ = _subnets(aws("ec2"), 0)
    resolver = aws("route53resolver")
    config = resolver.create_resolver_query_log_config(
        Name="fix-dns-vpc", DestinationArn="arn:aws:s3:::fix-dns-vpc-logs", CreatorRequestId="fix-dns-vpc"
    )["ResolverQueryLogConfig"]["Id"]
    associated = resolver.associate_resolver_query_log_config(ResolverQueryLogConfigId=config, ResourceId=vpc)
    removed = resolver.disassociate_resolver_query_log_config(ResolverQueryLogConfigId=config, ResourceId=vpc)
    assert removed["ResolverQueryLogConfigAssociation"]["Status"] == "DELETING"
    with pytest.raises(resolver.exceptions.ResourceNotFoundException):
        resolver.get_resolver_query_log_config_association(
            ResolverQueryLogConfigAssociationId=associated["ResolverQueryLogConfigAssociation"]["Id"]
        )
    assert (
        resolver.delete_resolver_query_log_config(ResolverQueryLogConfigId=config)["ResolverQueryLogConfig"]["Id"]
        == config
    )
    with pytest.raises(resolver.exceptions.ResourceNotFoundException):
        resolver.get_resolver_query_log_config(ResolverQueryLogConfigId=config)


def test_a_log_groups_data_protection_policy_is_kept_and_deleted(aws):
    logs = aws("logs")
    logs.create_log_group(logGroupName="/fix/app")
    document = json.dumps({"Name": "card-data", "Version": "2021-06-01", "Statement": []})
    logs.put_data_protection_policy(logGroupIdentifier="/fix/app", policyDocument=document)
    assert logs.get_data_protection_policy(logGroupIdentifier="/fix/app")["policyDocument"] == document
    logs.delete_data_protection_policy(logGroupIdentifier="/fix/app")
    assert "policyDocument" not in logs.get_data_protection_policy(logGroupIdentifier="/fix/app")
    with pytest.raises(logs.exceptions.ResourceNotFoundException):
        logs.get_data_protection_policy(logGroupIdentifier="/fix/none")


def test_a_deleted_log_group_takes_its_data_protection_policy_along(aws):
    logs = aws("logs")
    logs.create_log_group(logGroupName="/fix/again")
    logs.put_data_protection_policy(logGroupIdentifier="/fix/again", policyDocument=json.dumps({"Statement": []}))
    logs.delete_log_group(logGroupName="/fix/again")
    logs.create_log_group(logGroupName="/fix/again")
    assert "policyDocument" not in logs.get_data_protection_policy(logGroupIdentifier="/fix/again")


PATCHING = {
    "Name": "AWS-RunPatchBaseline",
    "AssociationName": "fix-patching",
    "Parameters": {"Operation": ["Install"], "RebootOption": ["RebootIfNeeded"]},
    "ScheduleExpression": "cron(0 9 ? * TUE *)",
    "Targets": [{"Key": "tag:aws:autoscaling:groupName", "Values": ["fix-fleet"]}],
    "MaxConcurrency": "1",
    "MaxErrors": "0",
    "ComplianceSeverity": "CRITICAL",
}


def test_an_association_is_created_read_back_and_listed_as_terraform_reads_it(aws):
    ssm = aws("ssm")
    created = ssm.create_association(**PATCHING, Tags=[{"Key": "Service", "Value": "payment"}])[
        "AssociationDescription"
    ]
    identifier = created["AssociationId"]
    found = ssm.describe_association(AssociationId=identifier)["AssociationDescription"]
    assert {key: found.get(key) for key in PATCHING} == PATCHING
    assert (found["AssociationVersion"], found["DocumentVersion"], found["ApplyOnlyAtCronInterval"]) == (
        "1",
        "$DEFAULT",
        False,
    )
    assert found["Overview"]["Status"] == "Pending" and found["LastUpdateAssociationDate"]
    pages = ssm.get_paginator("list_associations").paginate(PaginationConfig={"PageSize": 1})
    every = [association["AssociationId"] for page in pages for association in page["Associations"]]
    assert identifier in every and len(every) == len(set(every))
    listed = ssm.list_associations(AssociationFilterList=[{"key": "AssociationName", "value": "fix-patching"}])
    assert [a["AssociationId"] for a in listed["Associations"]] == [identifier]
    assert ssm.list_associations(AssociationFilterList=[{"key": "Name", "value": "AWS-Other"}])["Associations"] == []
    tags = ssm.list_tags_for_resource(ResourceType="Association", ResourceId=identifier)["TagList"]
    assert tags == [{"Key": "Service", "Value": "payment"}]


def test_an_association_updated_is_a_new_version_holding_only_what_the_update_gave(aws):
    ssm = aws("ssm")
    identifier = ssm.create_association(**{**PATCHING, "AssociationName": "fix-update"})["AssociationDescription"][
        "AssociationId"
    ]
    updated = ssm.update_association(AssociationId=identifier, AssociationName="fix-update", MaxErrors="10%")
    assert updated["AssociationDescription"]["AssociationVersion"] == "2"
    found = ssm.describe_association(AssociationId=identifier)["AssociationDescription"]
    assert (found["Name"], found["MaxErrors"], found.get("ScheduleExpression")) == ("AWS-RunPatchBaseline", "10%", None)
    first = ssm.describe_association(AssociationId=identifier, AssociationVersion="1")["AssociationDescription"]
    assert first["MaxErrors"] == "0"
    with pytest.raises(ssm.exceptions.InvalidAssociationVersion):
        ssm.update_association(AssociationId=identifier, AssociationVersion="1", MaxErrors="0")


def test_an_association_is_tagged_untagged_and_deleted_then_not_found(aws):
    ssm = aws("ssm")
    identifier = ssm.create_association(**{**PATCHING, "AssociationName": "fix-delete"})["AssociationDescription"][
        "AssociationId"
    ]
    ssm.add_tags_to_resource(ResourceType="Association", ResourceId=identifier, Tags=[{"Key": "a", "Value": "1"}])
    ssm.remove_tags_from_resource(ResourceType="Association", ResourceId=identifier, TagKeys=["a"])
    assert ssm.list_tags_for_resource(ResourceType="Association", ResourceId=identifier)["TagList"] == []
    ssm.delete_association(AssociationId=identifier)
    with pytest.raises(ssm.exceptions.AssociationDoesNotExist):
        ssm.describe_association(AssociationId=identifier)
    with pytest.raises(ssm.exceptions.AssociationDoesNotExist):
        ssm.delete_association(AssociationId=identifier)
    with pytest.raises(ssm.exceptions.InvalidResourceId):
        ssm.list_tags_for_resource(ResourceType="Association", ResourceId=identifier)


@pytest.mark.parametrize("document", ["payment-no-such-document", "AWS-RunPatchBaselin", "aws-runpatchbaseline"])
def test_an_association_with_a_document_nobody_has_is_refused(aws, document):
    # A misspelt AWS document too: AWS refuses it at deploy, so the rehearsal must not pass it.
    ssm = aws("ssm")
    with pytest.raises(ssm.exceptions.InvalidDocument):
        ssm.create_association(**{**PATCHING, "Name": document})


def test_an_instance_association_is_found_by_document_and_instance(aws):
    ssm = aws("ssm")
    ssm.create_association(Name="AWS-UpdateSSMAgent", InstanceId="i-0123456789abcdef0")
    found = ssm.describe_association(Name="AWS-UpdateSSMAgent", InstanceId="i-0123456789abcdef0")
    assert found["AssociationDescription"]["InstanceId"] == "i-0123456789abcdef0"
    with pytest.raises(ssm.exceptions.AssociationAlreadyExists):
        ssm.create_association(Name="AWS-UpdateSSMAgent", InstanceId="i-0123456789abcdef0")
    listed = ssm.list_associations(AssociationFilterList=[{"key": "InstanceId", "value": "i-0123456789abcdef0"}])
    assert [a["Name"] for a in listed["Associations"]] == ["AWS-UpdateSSMAgent"]


SERVICE_TAG = [{"Key": "Service", "Value": "payment"}]


def _domain_list(resolver, name: str, *domains: str) -> str:
    """A domain list made as Terraform's provider makes one: created empty, then its domains replaced."""
    created = resolver.create_firewall_domain_list(Name=name, CreatorRequestId=name, Tags=SERVICE_TAG)
    identifier = created["FirewallDomainList"]["Id"]
    resolver.update_firewall_domains(FirewallDomainListId=identifier, Operation="REPLACE", Domains=list(domains))
    return identifier


def _domains(resolver, identifier: str) -> list[str]:
    pages = resolver.get_paginator("list_firewall_domains").paginate(FirewallDomainListId=identifier, MaxResults=1)
    return sorted(domain for page in pages for domain in page["Domains"])


def test_a_dns_firewall_domain_list_keeps_its_domains_fully_qualified_until_deleted(aws):
    resolver = aws("route53resolver")
    identifier = _domain_list(resolver, "fix-allowed", "*.amazonaws.com", "ec2.internal")
    listed = resolver.get_firewall_domain_list(FirewallDomainListId=identifier)["FirewallDomainList"]
    assert (listed["Name"], listed["Status"], listed["DomainCount"]) == ("fix-allowed", "COMPLETE", 2)
    assert _domains(resolver, identifier) == ["*.amazonaws.com.", "ec2.internal."]
    resolver.update_firewall_domains(FirewallDomainListId=identifier, Operation="ADD", Domains=["example.com"])
    resolver.update_firewall_domains(FirewallDomainListId=identifier, Operation="REMOVE", Domains=["ec2.internal."])
    assert _domains(resolver, identifier) == ["*.amazonaws.com.", "example.com."]
    assert resolver.list_tags_for_resource(ResourceArn=listed["Arn"])["Tags"] == SERVICE_TAG
    retried = resolver.create_firewall_domain_list(Name="fix-allowed", CreatorRequestId="fix-allowed")
    assert retried["FirewallDomainList"]["Id"] == identifier
    assert [item["Id"] for item in resolver.list_firewall_domain_lists()["FirewallDomainLists"]] == [identifier]
    resolver.delete_firewall_domain_list(FirewallDomainListId=identifier)
    with pytest.raises(resolver.exceptions.ResourceNotFoundException):
        resolver.get_firewall_domain_list(FirewallDomainListId=identifier)


def test_a_dns_firewall_rule_is_kept_in_its_group_which_is_deleted_only_when_empty(aws):
    resolver = aws("route53resolver")
    everything = _domain_list(resolver, "fix-everything", "*")
    group = resolver.create_firewall_rule_group(Name="fix-group", CreatorRequestId="fix-group")["FirewallRuleGroup"]
    key = {"FirewallRuleGroupId": group["Id"], "FirewallDomainListId": everything}
    resolver.create_firewall_rule(
        **key, Name="fix-block", Priority=200, Action="BLOCK", BlockResponse="NODATA", CreatorRequestId="fix-block"
    )
    (rule,) = resolver.list_firewall_rules(FirewallRuleGroupId=group["Id"])["FirewallRules"]
    assert (rule["Name"], rule["Priority"], rule["Action"], rule["BlockResponse"]) == (
        "fix-block",
        200,
        "BLOCK",
        "NODATA",
    )
    assert rule["FirewallDomainRedirectionAction"] == "INSPECT_REDIRECTION_DOMAIN"
    assert resolver.get_firewall_rule_group(FirewallRuleGroupId=group["Id"])["FirewallRuleGroup"]["RuleCount"] == 1
    resolver.update_firewall_rule(**key, Name="fix-block", Priority=300, Action="ALERT")
    (updated,) = resolver.list_firewall_rules(FirewallRuleGroupId=group["Id"])["FirewallRules"]
    assert (updated["Priority"], updated["Action"]) == (300, "ALERT")
    with pytest.raises(resolver.exceptions.ConflictException):
        resolver.delete_firewall_rule_group(FirewallRuleGroupId=group["Id"])
    with pytest.raises(resolver.exceptions.ConflictException):
        resolver.delete_firewall_domain_list(FirewallDomainListId=everything)
    resolver.delete_firewall_rule(**key)
    assert resolver.list_firewall_rules(FirewallRuleGroupId=group["Id"])["FirewallRules"] == []
    resolver.delete_firewall_rule_group(FirewallRuleGroupId=group["Id"])
    with pytest.raises(resolver.exceptions.ResourceNotFoundException):
        resolver.get_firewall_rule_group(FirewallRuleGroupId=group["Id"])


def test_a_dns_firewall_rule_group_guards_its_vpc_until_disassociated(aws):
    vpc, _ = _subnets(aws("ec2"), 0)
    resolver = aws("route53resolver")
    group = resolver.create_firewall_rule_group(Name="fix-vpc-group", CreatorRequestId="fix-vpc-group")
    group_id = group["FirewallRuleGroup"]["Id"]
    associated = resolver.associate_firewall_rule_group(
        FirewallRuleGroupId=group_id,
        VpcId=vpc,
        Priority=101,
        Name="fix-vpc",
        CreatorRequestId="fix-vpc",
        Tags=SERVICE_TAG,
    )["FirewallRuleGroupAssociation"]
    found = resolver.get_firewall_rule_group_association(FirewallRuleGroupAssociationId=associated["Id"])
    association = found["FirewallRuleGroupAssociation"]
    assert (association["Status"], association["VpcId"], association["Priority"]) == ("COMPLETE", vpc, 101)
    assert resolver.list_tags_for_resource(ResourceArn=association["Arn"])["Tags"] == SERVICE_TAG
    resolver.update_firewall_rule_group_association(FirewallRuleGroupAssociationId=associated["Id"], Priority=102)
    (listed,) = resolver.list_firewall_rule_group_associations(VpcId=vpc)["FirewallRuleGroupAssociations"]
    assert listed["Priority"] == 102
    with pytest.raises(resolver.exceptions.ConflictException):
        resolver.delete_firewall_rule_group(FirewallRuleGroupId=group_id)
    removed = resolver.disassociate_firewall_rule_group(FirewallRuleGroupAssociationId=associated["Id"])
    assert removed["FirewallRuleGroupAssociation"]["Status"] == "DELETING"
    with pytest.raises(resolver.exceptions.ResourceNotFoundException):
        resolver.get_firewall_rule_group_association(FirewallRuleGroupAssociationId=associated["Id"])


def test_a_vpcs_dns_firewall_fails_closed_until_told_otherwise(aws):
    vpc, _ = _subnets(aws("ec2"), 0)
    resolver = aws("route53resolver")
    assert resolver.get_firewall_config(ResourceId=vpc)["FirewallConfig"]["FirewallFailOpen"] == "DISABLED"
    resolver.update_firewall_config(ResourceId=vpc, FirewallFailOpen="ENABLED")
    assert resolver.get_firewall_config(ResourceId=vpc)["FirewallConfig"]["FirewallFailOpen"] == "ENABLED"


def test_dns_firewall_priorities_are_unique_and_associations_in_range(aws):
    # AWS refuses these at deploy: a rehearsal that took them would pass a plan no account accepts.
    vpc, _ = _subnets(aws("ec2"), 0)
    resolver = aws("route53resolver")
    lists = [_domain_list(resolver, f"fix-priority-{n}", f"{n}.example") for n in ("one", "two")]
    groups = [
        resolver.create_firewall_rule_group(Name=name, CreatorRequestId=name)["FirewallRuleGroup"]["Id"]
        for name in ("fix-priority-a", "fix-priority-b")
    ]
    rules = [{"FirewallRuleGroupId": groups[0], "FirewallDomainListId": domain_list} for domain_list in lists]
    resolver.create_firewall_rule(**rules[0], Name="first", Priority=100, Action="ALLOW", CreatorRequestId="r1")
    refused = pytest.raises(resolver.exceptions.ValidationException)
    with refused:
        resolver.create_firewall_rule(**rules[1], Name="same", Priority=100, Action="ALLOW", CreatorRequestId="r2")
    resolver.create_firewall_rule(**rules[1], Name="second", Priority=200, Action="ALLOW", CreatorRequestId="r3")
    with refused:
        resolver.update_firewall_rule(**rules[1], Priority=100)
    for priority in (99, 9901):
        with refused:
            resolver.associate_firewall_rule_group(
                FirewallRuleGroupId=groups[0], VpcId=vpc, Priority=priority, Name="out", CreatorRequestId=f"o{priority}"
            )
    resolver.associate_firewall_rule_group(
        FirewallRuleGroupId=groups[0], VpcId=vpc, Priority=101, Name="a", CreatorRequestId="a"
    )
    with refused:
        resolver.associate_firewall_rule_group(
            FirewallRuleGroupId=groups[1], VpcId=vpc, Priority=101, Name="b", CreatorRequestId="b"
        )
    second = resolver.associate_firewall_rule_group(
        FirewallRuleGroupId=groups[1], VpcId=vpc, Priority=9900, Name="b", CreatorRequestId="b2"
    )["FirewallRuleGroupAssociation"]["Id"]
    with refused:
        resolver.update_firewall_rule_group_association(FirewallRuleGroupAssociationId=second, Priority=101)
