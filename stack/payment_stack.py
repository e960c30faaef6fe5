"""The payment stack: wires the concern modules together and declares the outputs."""

from __future__ import annotations

from constructs import Construct

from stack.alarms import Alarms
from stack.cdk import aws, core, random
from stack.compute import Compute
from stack.config import Config
from stack.contract import DEPLOYMENT_SUFFIX_RESOURCE, Output, backend_path
from stack.database import Database
from stack.encryption import Encryption
from stack.firewall import Firewall
from stack.load_balancer import HEALTH_CHECK_PATH, LoadBalancer
from stack.logs import Logs
from stack.naming import SUFFIX_BYTES, Names
from stack.networking import Networking, PrivateEndpoints
from stack.storage import Storage
from stack.waf import Waf


class PaymentStack(core.TerraformStack):
    def __init__(self, scope: Construct, config: Config):
        super().__init__(scope, config.stack_name)
        # State holds the deployment suffix. The path is relative to the stack's folder, so it
        # lands in the project root and the plan does not depend on where the checkout lives.
        # Teams sharing a stack use a remote backend.
        core.LocalBackend(self, path=backend_path(config.stack_name))
        aws.provider.AwsProvider(
            self,
            "aws",
            region=config.region,
            default_tags=[aws.provider.AwsProviderDefaultTags(tags=config.inventory_tags)],
        )
        random.provider.RandomProvider(self, "random")
        # The deployment suffix lives in Terraform state: drawn once at the first apply,
        # read back on every later one, drawn anew after a destroy (see stack/naming.py).
        deployment = random.id.Id(
            self,
            DEPLOYMENT_SUFFIX_RESOURCE,
            byte_length=SUFFIX_BYTES,
            keepers={"environment": config.environment_suffix, "region": config.region},
        )
        names = Names(config, deployment.hex)
        account_id = aws.data_aws_caller_identity.DataAwsCallerIdentity(self, "account").account_id
        elb_account = aws.data_aws_elb_service_account.DataAwsElbServiceAccount(self, "elb_account")

        keys = Encryption(self, "encryption", config=config, names=names, account_id=account_id)
        logs = Logs(self, "logs", config=config, names=names, key=keys.logs_key)
        network = Networking(
            self,
            "networking",
            config=config,
            names=names,
            account_id=account_id,
            flow_log_group=logs.flow_logs,
            dns_query_log_group=logs.dns_query_logs,
        )
        firewall = Firewall(
            self,
            "firewall",
            config=config,
            names=names,
            vpc=network.vpc,
            s3_prefix_list_id=network.s3_endpoint.prefix_list_id,
        )
        endpoints = PrivateEndpoints(
            self,
            "endpoints",
            config=config,
            names=names,
            vpc=network.vpc,
            subnets=network.subnets["app"],
            security_group=firewall.endpoints,
            account_id=account_id,
        )
        storage = Storage(
            self,
            "storage",
            config=config,
            names=names,
            account_id=account_id,
            elb_account_arn=elb_account.arn,
            elb_account_id=elb_account.id,
            data_key=keys.data_key,
            s3_endpoint_id=network.s3_endpoint.id,
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
            health_path=HEALTH_CHECK_PATH,
            data_bucket=storage.data.bucket,
            data_key=keys.data_key,
            host_log_groups=logs.host_logs,
            session_log_group=logs.session_logs,
            session_key=keys.session_key,
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
            config=config,
            names=names,
            account_id=account_id,
            key=keys.logs_key,
            alb=balancer.alb,
            target_group=balancer.target_group,
            database=database.instance,
            log_groups=logs.groups,
            watched={
                "aws_kms_key": [keys.data_key, keys.logs_key, keys.ebs_key, keys.session_key],
                "aws_cloudwatch_log_group": list(logs.groups.values()),
                "aws_s3_bucket": [parts.bucket for parts in (storage.data, storage.alb_logs, storage.access_logs)],
                "aws_lb": [balancer.alb],
                "aws_wafv2_web_acl": [waf.web_acl],
                "aws_flow_log": [network.flow_log],
                "aws_cloudwatch_log_data_protection_policy": logs.data_protection,
                "aws_lb_listener": [balancer.https_listener, balancer.http_listener],
                "aws_network_acl": list(network.acls.values()),
                "aws_vpc_endpoint": [network.s3_endpoint, *endpoints.endpoints],
                "aws_route53_resolver_firewall_rule_group": [network.dns.rule_group],
                "aws_route53_resolver_query_log_config": [network.dns.query_log],
                "aws_ssm_document": [compute.session_document],
                "aws_ssm_association": [compute.patching],
            },
        )

        outputs = {
            # What the deployment is, so its outputs file alone says which plan to check it against.
            Output.ENVIRONMENT_SUFFIX: config.environment_suffix,
            Output.PROFILE: config.profile,
            Output.REGION: config.region,
            Output.CERTIFICATE_ARN: config.certificate_arn,
            Output.INTERNET_EGRESS_CIDRS: list(config.internet_egress_cidrs),
            Output.ALARM_EMAILS: list(config.alarm_emails),
            Output.KEY_ADMINISTRATOR_ROLE: config.key_administrator_role,
            Output.APP_IMAGE: config.app_image,
            Output.DEPLOYMENT_SUFFIX: deployment.hex,
            Output.VPC_ID: network.vpc.id,
            Output.PUBLIC_SUBNET_IDS: [subnet.id for subnet in network.subnets["public"]],
            Output.APP_SUBNET_IDS: [subnet.id for subnet in network.subnets["app"]],
            Output.DB_SUBNET_IDS: [subnet.id for subnet in network.subnets["db"]],
            Output.NAT_GATEWAY_IDS: [nat.id for nat in network.nat_gateways],
            Output.ROUTE_TABLE_IDS: [table.id for table in network.route_tables],
            Output.ALB_SECURITY_GROUP_ID: firewall.alb.id,
            Output.APP_SECURITY_GROUP_ID: firewall.app.id,
            Output.DB_SECURITY_GROUP_ID: firewall.db.id,
            Output.ENDPOINTS_SECURITY_GROUP_ID: firewall.endpoints.id,
            Output.S3_ENDPOINT_ID: network.s3_endpoint.id,
            Output.INTERFACE_ENDPOINT_IDS: [endpoint.id for endpoint in endpoints.endpoints],
            Output.ALB_ARN: balancer.alb.arn,
            Output.ALB_DNS_NAME: balancer.alb.dns_name,
            Output.WEB_ACL_ARN: waf.web_acl.arn,
            Output.HTTPS_LISTENER_ARN: balancer.https_listener.arn,
            Output.HTTP_LISTENER_ARN: balancer.http_listener.arn,
            Output.TARGET_GROUP_ARN: balancer.target_group.arn,
            Output.AUTOSCALING_GROUP_NAME: compute.autoscaling_group.name,
            Output.LAUNCH_TEMPLATE_ID: compute.launch_template.id,
            Output.DB_IDENTIFIER: database.instance.identifier,
            Output.DB_ENDPOINT: database.instance.address,
            # The secret's ARN only: the live suite checks it exists, never reads it.
            Output.DB_SECRET_ARN: database.instance.master_user_secret.get(0).secret_arn,
            Output.DATA_BUCKET: storage.data.bucket.bucket,
            Output.ALB_LOGS_BUCKET: storage.alb_logs.bucket.bucket,
            Output.ACCESS_LOGS_BUCKET: storage.access_logs.bucket.bucket,
            Output.DATA_KEY_ARN: keys.data_key.arn,
            Output.LOGS_KEY_ARN: keys.logs_key.arn,
            Output.EBS_KEY_ARN: keys.ebs_key.arn,
            Output.SESSION_KEY_ARN: keys.session_key.arn,
            Output.FLOW_LOG_GROUP: logs.flow_logs.name,
            Output.APP_LOG_GROUP: logs.app_logs.name,
            Output.WAF_LOG_GROUP: logs.waf_logs.name,
            Output.DB_LOG_GROUPS: [group.name for group in logs.db_logs.values()],
            Output.DNS_QUERY_LOG_GROUP: logs.dns_query_logs.name,
            # The hosts' own groups beside app-logs (auth, system) and Session Manager's.
            Output.HOST_LOG_GROUPS: [
                group.name for group in (*logs.host_logs.values(), logs.session_logs) if group is not logs.app_logs
            ],
            Output.ALARM_TOPIC_ARN: alarms.topic.arn,
            Output.ALARM_NAMES: [alarm.alarm_name for alarm in alarms.alarms],
            Output.EVENT_RULE_NAMES: [rule.name for rule in alarms.rules],
            Output.SESSION_DOCUMENT_NAME: compute.session_document.name,
        }
        for name, value in outputs.items():
            core.TerraformOutput(self, name.value, value=value)
