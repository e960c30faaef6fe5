"""Security groups, least privilege: internet -> ALB -> application -> database.

Every egress rule names its destination: the database, the AWS service
endpoints' group, S3's prefix list (through the gateway endpoint), and each internet
destination the deployment declares. None reaches 0.0.0.0/0.
"""

from __future__ import annotations

from constructs import Construct

from stack.cdk import aws
from stack.config import Config
from stack.naming import Names

HTTPS = 443
HTTP = 80
POSTGRES = 5432
ANYWHERE = "0.0.0.0/0"


class Firewall(Construct):
    def __init__(
        self, scope: Construct, id_: str, *, config: Config, names: Names, vpc: aws.vpc.Vpc, s3_prefix_list_id: str
    ):
        super().__init__(scope, id_)
        self._names = names
        self._vpc = vpc
        self.alb = self._group("alb-sg", "Load balancer: HTTPS from the internet, HTTP only to redirect")
        self.app = self._group("app-sg", "Application instances: traffic only from the load balancer")
        self.db = self._group("db-sg", "PostgreSQL: connections only from the application")
        self.endpoints = self._group("endpoints-sg", "AWS service endpoints: HTTPS only from the application")
        port = config.app_port

        inbound, outbound = (
            aws.vpc_security_group_ingress_rule.VpcSecurityGroupIngressRule,
            aws.vpc_security_group_egress_rule.VpcSecurityGroupEgressRule,
        )
        self._allow(inbound, self.alb, "https-in", HTTPS, "HTTPS from the internet", cidr=ANYWHERE)
        self._allow(inbound, self.alb, "http-in", HTTP, "HTTP from the internet, redirected to HTTPS", cidr=ANYWHERE)
        self._allow(outbound, self.alb, "to-app", port, "To the application port", peer=self.app)

        self._allow(inbound, self.app, "from-alb", port, "From the load balancer", peer=self.alb)
        self._allow(outbound, self.app, "to-db", POSTGRES, "To PostgreSQL", peer=self.db)
        self._allow(
            outbound, self.app, "to-endpoints", HTTPS, "HTTPS to the AWS service endpoints", peer=self.endpoints
        )
        self._allow(
            outbound,
            self.app,
            "to-s3",
            HTTPS,
            "HTTPS to S3 through the gateway endpoint",
            prefix_list=s3_prefix_list_id,
        )
        for cidr in config.internet_egress_cidrs:
            self._allow(
                outbound, self.app, f"to-{_slug(cidr)}", HTTPS, f"HTTPS to declared destination {cidr}", cidr=cidr
            )

        self._allow(inbound, self.db, "from-app", POSTGRES, "PostgreSQL from the application", peer=self.app)
        # The database group has no egress rule: it never opens connections.
        self._allow(inbound, self.endpoints, "from-app", HTTPS, "HTTPS from the application", peer=self.app)
        # Nor does the endpoints' group: an interface endpoint only answers.

    def _group(self, resource: str, description: str) -> aws.security_group.SecurityGroup:
        # Rules live in their own resources (below), so the groups can reference each
        # other without a cycle; an empty inline list would fight them.
        return aws.security_group.SecurityGroup(
            self,
            resource,
            name=self._names[resource],
            description=description,
            vpc_id=self._vpc.id,
            revoke_rules_on_delete=True,
            tags={"Name": self._names[resource]},
        )

    def _allow(
        self,
        rule,
        group: aws.security_group.SecurityGroup,
        id_: str,
        port: int,
        description: str,
        *,
        cidr=None,
        peer=None,
        prefix_list=None,
    ):
        """One TCP port to or from exactly one of a CIDR, another group or a prefix list."""
        rule(
            self,
            f"{group.node.id}-{id_}",
            security_group_id=group.id,
            ip_protocol="tcp",
            from_port=port,
            to_port=port,
            description=description,
            cidr_ipv4=cidr,
            referenced_security_group_id=peer.id if peer else None,
            prefix_list_id=prefix_list,
        )


def _slug(cidr: str) -> str:
    """203.0.113.0/24 -> 203-0-113-0-24: a construct id that follows the range, not its position."""
    return cidr.replace(".", "-").replace("/", "-")
