"""The payment stack: wires the concern modules together and declares the outputs."""

from __future__ import annotations

from cdktf import LocalBackend, TerraformOutput, TerraformStack
from cdktf_cdktf_provider_aws.data_aws_caller_identity import DataAwsCallerIdentity
from cdktf_cdktf_provider_aws.data_aws_elb_service_account import DataAwsElbServiceAccount
from cdktf_cdktf_provider_aws.provider import AwsProvider, AwsProviderDefaultTags
from cdktf_cdktf_provider_random.id import Id
from cdktf_cdktf_provider_random.provider import RandomProvider
from constructs import Construct

from stack.alarms import Alarms
from stack.compute import Compute
from stack.config import Config
from stack.database import Database
from stack.encryption import Encryption
from stack.firewall import Firewall
from stack.load_balancer import LoadBalancer
from stack.logs import Logs
from stack.naming import SUFFIX_BYTES, Names
from stack.networking import Networking
from stack.storage import Storage
from stack.waf import Waf


class PaymentStack(TerraformStack):
    def __init__(self, scope: Construct, config: Config):
        super().__init__(scope, config.stack_name)
        # State holds the deployment suffix. The path is relative to the stack's folder
        # (cdktf.out/stacks/<stack>), so it lands in the project root and the plan does
        # not depend on where the checkout lives. Teams sharing a stack use a remote backend.
        LocalBackend(self, path=f"../../../terraform.{config.stack_name}.tfstate")
        AwsProvider(
            self,
            "aws",
            region=config.region,
            default_tags=[
                AwsProviderDefaultTags(
                    tags={
                        "Service": "payment",
                        "Environment": config.environment_suffix,
                        "Profile": config.profile,
                        "ManagedBy": "cdktf",
                        "DataClassification": "cardholder-data",
                    }
                )
            ],
        )
        RandomProvider(self, "random")
        # The deployment suffix lives in Terraform state: drawn once at the first apply,
        # read back on every later one, drawn anew after a destroy (see stack/naming.py).
        deployment = Id(
            self,
            "deployment",
            byte_length=SUFFIX_BYTES,
            keepers={"environment": config.environment_suffix, "region": config.region},
        )
        names = Names(config, deployment.hex)
        account_id = DataAwsCallerIdentity(self, "account").account_id
        elb_account = DataAwsElbServiceAccount(self, "elb_account")

        keys = Encryption(self, "encryption", config=config, names=names, account_id=account_id)
        logs = Logs(self, "logs", config=config, names=names, key=keys.logs_key)
        network = Networking(
            self, "networking", config=config, names=names, account_id=account_id, flow_log_group=logs.flow_logs
        )
        firewall = Firewall(self, "firewall", config=config, names=names, vpc=network.vpc)
        storage = Storage(
            self,
            "storage",
            config=config,
            names=names,
            account_id=account_id,
            elb_account_arn=elb_account.arn,
            data_key=keys.data_key,
        )
        balancer = LoadBalancer(
            self,
            "load_balancer",
            config=config,
            names=names,
            vpc=network.vpc,
            subnets=network.subnets["public"],
            security_group=firewall.alb,
            access_logs=storage.alb_logs,
        )
        waf = Waf(self, "waf", names=names, alb=balancer.alb, log_group=logs.waf_logs)
        compute = Compute(
            self,
            "compute",
            config=config,
            names=names,
            account_id=account_id,
            subnets=network.subnets["app"],
            security_group=firewall.app,
            ebs_key=keys.ebs_key,
            target_group=balancer.target_group,
        )
        database = Database(
            self,
            "database",
            config=config,
            names=names,
            subnets=network.subnets["db"],
            security_group=firewall.db,
            key=keys.data_key,
            account_id=account_id,
            log_groups=logs.db_logs,
        )
        alarms = Alarms(
            self,
            "alarms",
            names=names,
            key=keys.logs_key,
            alb=balancer.alb,
            target_group=balancer.target_group,
            database=database.instance,
        )

        outputs = {
            "deployment_suffix": deployment.hex,
            "vpc_id": network.vpc.id,
            "public_subnet_ids": [subnet.id for subnet in network.subnets["public"]],
            "app_subnet_ids": [subnet.id for subnet in network.subnets["app"]],
            "db_subnet_ids": [subnet.id for subnet in network.subnets["db"]],
            "nat_gateway_ids": [nat.id for nat in network.nat_gateways],
            "route_table_ids": [table.id for table in network.route_tables],
            "alb_security_group_id": firewall.alb.id,
            "app_security_group_id": firewall.app.id,
            "db_security_group_id": firewall.db.id,
            "alb_arn": balancer.alb.arn,
            "alb_dns_name": balancer.alb.dns_name,
            "web_acl_arn": waf.web_acl.arn,
            "https_listener_arn": balancer.https_listener.arn,
            "http_listener_arn": balancer.http_listener.arn,
            "target_group_arn": balancer.target_group.arn,
            "autoscaling_group_name": compute.autoscaling_group.name,
            "launch_template_id": compute.launch_template.id,
            "db_identifier": database.instance.identifier,
            "db_endpoint": database.instance.address,
            # The secret's ARN only: the live suite checks it exists, never reads it.
            "db_secret_arn": database.instance.master_user_secret.get(0).secret_arn,
            "data_bucket": storage.data.bucket.bucket,
            "alb_logs_bucket": storage.alb_logs.bucket.bucket,
            "access_logs_bucket": storage.access_logs.bucket.bucket,
            "data_key_arn": keys.data_key.arn,
            "logs_key_arn": keys.logs_key.arn,
            "ebs_key_arn": keys.ebs_key.arn,
            "flow_log_group": logs.flow_logs.name,
            "app_log_group": logs.app_logs.name,
            "waf_log_group": logs.waf_logs.name,
            "db_log_groups": [group.name for group in logs.db_logs.values()],
            "alarm_topic_arn": alarms.topic.arn,
            "alarm_names": [alarm.alarm_name for alarm in alarms.alarms],
        }
        for name, value in outputs.items():
            TerraformOutput(self, name, value=value)
