"""VPC across the configured AZs: public, private application and isolated database tiers.

Nothing leaves the application tier for a destination it cannot name:
AWS APIs through interface endpoints (`PrivateEndpoints`), S3 through a gateway endpoint
whose policy admits only the stack's data bucket, the OS repositories and what SSM Agent
reads, and the internet only through NAT gateways, which exist only when the deployment
declares internet destinations (`Config.internet_egress_cidrs`).

Each tier has its own network ACL and the default ACL admits nothing (`NetworkAcls`); the
resolver answers only the names the instances need and logs every query (`DnsFirewall`).

Where NAT exists, creation order follows the field report's lesson, made explicit with
`depends_on`: VPC -> internet gateway -> EIP -> NAT gateway (after its EIP and public
subnet) -> private routes (after their NAT gateway).
"""

from __future__ import annotations

import ipaddress

from constructs import Construct

from stack.cdk import aws
from stack.config import Config
from stack.dns_firewall import DnsFirewall
from stack.naming import Names
from stack.network_acls import NetworkAcls
from stack.policy_documents import AL2023_REPOSITORY_BUCKET, SSM_AGENT_BUCKETS, Statement, assume_role, document

TIERS = ("public", "app", "db")
# What the application may do with its own data bucket through the endpoint.
DATA_BUCKET_ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:ListBucket"]


def subnet_cidrs(vpc_cidr: str, az_count: int) -> dict[str, list[str]]:
    """Carve the VPC into equal blocks: one per tier and AZ, room left for growth."""
    blocks = ipaddress.ip_network(vpc_cidr).subnets(prefixlen_diff=5)
    return {tier: [str(next(blocks)) for _ in range(az_count)] for tier in TIERS}


class Networking(Construct):
    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        config: Config,
        names: Names,
        account_id: str,
        flow_log_group: aws.cloudwatch_log_group.CloudwatchLogGroup,
        dns_query_log_group: aws.cloudwatch_log_group.CloudwatchLogGroup,
    ):
        super().__init__(scope, id_)
        self._names = names
        letters = [zone[-1] for zone in config.availability_zones]
        self.vpc = aws.vpc.Vpc(
            self,
            "vpc",
            cidr_block=config.vpc_cidr,
            enable_dns_support=True,
            enable_dns_hostnames=True,
            tags=self._tag("vpc"),
        )
        # No rule in or out: anything left in the default group is unreachable.
        aws.default_security_group.DefaultSecurityGroup(
            self, "default-sg", vpc_id=self.vpc.id, ingress=[], egress=[], tags=self._tag("default-sg")
        )
        self.internet_gateway = aws.internet_gateway.InternetGateway(
            self, "igw", vpc_id=self.vpc.id, tags=self._tag("igw")
        )

        cidrs = subnet_cidrs(config.vpc_cidr, config.az_count)
        self.subnets = {
            tier: [
                aws.subnet.Subnet(
                    self,
                    f"{tier}-{letter}",
                    vpc_id=self.vpc.id,
                    availability_zone=zone,
                    cidr_block=cidrs[tier][index],
                    # No tier hands out public IPs: NAT gateways take Elastic IPs and the ALB
                    # gets its own addresses, so nothing launched here is reachable directly.
                    map_public_ip_on_launch=False,
                    tags={**self._tag(f"{tier}-{letter}"), "Tier": tier},
                )
                for index, (letter, zone) in enumerate(zip(letters, config.availability_zones, strict=True))
            ]
            for tier in TIERS
        }

        public_routes = aws.route_table.RouteTable(
            self,
            "public-rt",
            vpc_id=self.vpc.id,
            route=[aws.route_table.RouteTableRoute(cidr_block="0.0.0.0/0", gateway_id=self.internet_gateway.id)],
            depends_on=[self.internet_gateway],
            tags=self._tag("public-rt"),
        )
        self._associate("public", self.subnets["public"], [public_routes])

        # No declared internet destination, no NAT: the application tier has no route out at all.
        self.nat_gateways = [self._nat_gateway(letters[index], index) for index in range(config.nat_gateway_count)]
        # One route table per NAT gateway; AZs beyond the NAT count share the first (dev).
        app_routes = [self._app_routes(letters[index], index) for index in range(config.app_route_table_count)]
        self._associate("app", self.subnets["app"], app_routes)
        # The database tier is isolated: its route table has no default route.
        db_routes = aws.route_table.RouteTable(self, "db-rt", vpc_id=self.vpc.id, tags=self._tag("db-rt"))
        self._associate("db", self.subnets["db"], [db_routes])
        self.route_tables = [public_routes, *app_routes, db_routes]

        # S3 traffic from private subnets stays on the AWS network, and reaches only the buckets
        # the policy names; the application's egress rule to S3 uses this endpoint's prefix list.
        self.s3_endpoint = aws.vpc_endpoint.VpcEndpoint(
            self,
            "s3-endpoint",
            vpc_id=self.vpc.id,
            service_name=f"com.amazonaws.{config.region}.s3",
            vpc_endpoint_type="Gateway",
            route_table_ids=[table.id for table in (*app_routes, db_routes)],
            policy=s3_endpoint_policy(config.region, names["data"]),
            tags=self._tag("s3-endpoint"),
        )
        self._flow_logs(account_id, flow_log_group)
        self.acls = NetworkAcls(
            self, "acls", config=config, names=names, vpc=self.vpc, subnets=self.subnets, cidrs=cidrs
        ).acls
        self.dns = DnsFirewall(
            self, "dns", config=config, names=names, vpc=self.vpc, query_log_group=dns_query_log_group
        )

    def _tag(self, resource: str) -> dict[str, str]:
        return {"Name": self._names[resource]}

    def _associate(self, tier: str, subnets: list[aws.subnet.Subnet], tables: list[aws.route_table.RouteTable]) -> None:
        for index, subnet in enumerate(subnets):
            aws.route_table_association.RouteTableAssociation(
                self,
                f"{tier}-rta-{index}",
                subnet_id=subnet.id,
                route_table_id=tables[min(index, len(tables) - 1)].id,
            )

    def _app_routes(self, letter: str, index: int) -> aws.route_table.RouteTable:
        """The application route table of one AZ: to the internet through its NAT gateway, if any."""
        if index >= len(self.nat_gateways):
            return aws.route_table.RouteTable(
                self, f"app-rt-{letter}", vpc_id=self.vpc.id, tags=self._tag(f"app-rt-{letter}")
            )
        nat = self.nat_gateways[index]
        return aws.route_table.RouteTable(
            self,
            f"app-rt-{letter}",
            vpc_id=self.vpc.id,
            route=[aws.route_table.RouteTableRoute(cidr_block="0.0.0.0/0", nat_gateway_id=nat.id)],
            depends_on=[nat],
            tags=self._tag(f"app-rt-{letter}"),
        )

    def _nat_gateway(self, letter: str, index: int) -> aws.nat_gateway.NatGateway:
        # A VPC-domain EIP needs the internet gateway attached first.
        eip = aws.eip.Eip(
            self,
            f"nat-eip-{letter}",
            domain="vpc",
            depends_on=[self.internet_gateway],
            tags=self._tag(f"nat-eip-{letter}"),
        )
        public_subnet = self.subnets["public"][index]
        return aws.nat_gateway.NatGateway(
            self,
            f"nat-{letter}",
            allocation_id=eip.id,
            subnet_id=public_subnet.id,
            depends_on=[eip, public_subnet],
            tags=self._tag(f"nat-{letter}"),
        )

    def _flow_logs(self, account_id: str, log_group: aws.cloudwatch_log_group.CloudwatchLogGroup) -> None:
        role = aws.iam_role.IamRole(
            self,
            "flow-logs-role",
            name=self._names["flow-logs-role"],
            assume_role_policy=assume_role("vpc-flow-logs.amazonaws.com", account_id),
        )
        aws.iam_role_policy.IamRolePolicy(
            self,
            "flow-logs-policy",
            name=self._names["flow-logs-policy"],
            role=role.id,
            policy=document(
                {
                    "Effect": "Allow",
                    "Action": [
                        "logs:CreateLogStream",
                        "logs:PutLogEvents",
                        "logs:DescribeLogGroups",
                        "logs:DescribeLogStreams",
                    ],
                    "Resource": [log_group.arn, f"{log_group.arn}:*"],
                }
            ),
        )
        self.flow_log = aws.flow_log.FlowLog(
            self,
            "flow-log",
            vpc_id=self.vpc.id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=log_group.arn,
            iam_role_arn=role.arn,
            max_aggregation_interval=60,
            tags=self._tag("flow-log"),
        )


def s3_endpoint_policy(region: str, data_bucket: str) -> str:
    """The gateway endpoint admits the stack's data bucket, the OS repositories and SSM Agent's buckets.

    The log buckets are left out: ELB and S3 server access logging write them from outside
    the VPC, and nothing inside needs to read them.
    """
    data = f"arn:aws:s3:::{data_bucket}"
    aws_owned = [
        f"arn:aws:s3:::{bucket.format(region=region)}/*" for bucket in (AL2023_REPOSITORY_BUCKET, *SSM_AGENT_BUCKETS)
    ]
    return document(
        {
            "Sid": "StackDataBucket",
            "Effect": "Allow",
            "Principal": "*",
            "Action": DATA_BUCKET_ACTIONS,
            "Resource": [data, f"{data}/*"],
        },
        {
            "Sid": "OperatingSystemAndAgentBuckets",
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": aws_owned,
        },
    )


def interface_endpoint_policy(service: str, region: str, account_id: str) -> str:
    """Every interface endpoint admits this account's principals acting on this account's resources.

    Without it, credentials of any account work through the endpoint: a PutParameter into an
    attacker's own account leaves a subnet that has no route out. Where a service the instances
    need acts on what no account of ours owns, `ENDPOINT_EXCEPTIONS` adds a narrower statement.
    """
    return document(
        {
            "Sid": "ThisAccountOnly",
            "Effect": "Allow",
            "Principal": "*",
            "Action": "*",
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:PrincipalAccount": account_id, "aws:ResourceAccount": account_id}},
        },
        *[exception(service, region, account_id) for exception in ENDPOINT_EXCEPTIONS.get(service, ())],
    )


def _aws_owned_ssm_reads(service: str, region: str, account_id: str) -> Statement:
    """SSM Agent reads AWS-owned documents (AWS-RunShellScript, AWS-RunPatchBaseline...) and public
    parameters: their ARNs have no account, so aws:ResourceAccount never equals ours. Reads only."""
    return {
        "Sid": "ThisAccountReadsAwsOwnedDocumentsAndParameters",
        "Effect": "Allow",
        "Principal": "*",
        "Action": ["ssm:Describe*", "ssm:Get*", "ssm:List*"],
        "Resource": [f"arn:aws:ssm:{region}::document/*", f"arn:aws:ssm:{region}::parameter/aws/*"],
        "Condition": {"StringEquals": {"aws:PrincipalAccount": account_id}},
    }


def _agent_channels(service: str, region: str, account_id: str) -> Statement:
    """Session Manager's and the agent's message channels name no resource (IAM's Resource is "*"), so
    no resource account can be required of them; the principal must still be this account's."""
    return {
        "Sid": "ThisAccountsAgentChannels",
        "Effect": "Allow",
        "Principal": "*",
        "Action": f"{service}:*",
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:PrincipalAccount": account_id}},
    }


# Services whose instances' calls would fail under aws:ResourceAccount alone, each with why (above).
# CloudWatch Logs needs none: its aws:ResourceAccount is the account owning the log group.
ENDPOINT_EXCEPTIONS = {
    "ssm": (_aws_owned_ssm_reads,),
    "ssmmessages": (_agent_channels,),
    "ec2messages": (_agent_channels,),
}


class PrivateEndpoints(Construct):
    """Interface endpoints for the AWS APIs the instances call, in the application subnets.

    Private DNS on, so the SDKs' and SSM Agent's default hostnames resolve to these
    endpoints; their security group admits 443 from the application group only. prod puts
    them in every AZ, dev in the first (the other AZs reach it across zones). Each carries
    `interface_endpoint_policy`: only this account's principals, on this account's resources.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        config: Config,
        names: Names,
        vpc: aws.vpc.Vpc,
        subnets: list[aws.subnet.Subnet],
        security_group: aws.security_group.SecurityGroup,
        account_id: str,
    ):
        super().__init__(scope, id_)
        self.endpoints = [
            aws.vpc_endpoint.VpcEndpoint(
                self,
                f"{service}-endpoint",
                vpc_id=vpc.id,
                service_name=f"com.amazonaws.{config.region}.{service}",
                vpc_endpoint_type="Interface",
                subnet_ids=[subnet.id for subnet in subnets[: config.endpoint_zone_count]],
                security_group_ids=[security_group.id],
                private_dns_enabled=True,
                policy=interface_endpoint_policy(service, config.region, account_id),
                tags={"Name": names[f"{service}-endpoint"]},
            )
            for service in config.interface_endpoint_services
        ]
