"""Network ACLs: a stateless second layer under the security groups, one ACL per subnet tier.

The VPC's default ACL admits everything; the stack manages it and leaves it without a rule
(it denies all), so a subnet that loses its tier's association is cut off rather than opened.
Each tier's ACL admits what its tier serves and the replies to what it calls, nothing else:

* public: HTTPS and HTTP from the internet to the load balancer, its replies, the load balancer
  to the application port, and (where NAT exists) the application's HTTPS through NAT to the
  declared destinations and their replies;
* app: the application port from the public subnets, HTTPS to the interface endpoints (which sit
  in these subnets), HTTPS out (endpoints, S3 through its gateway endpoint, declared destinations
  through NAT), PostgreSQL to the database subnets, and the replies;
* db: PostgreSQL from the application subnets only, and its replies to them.

ACLs are stateless, so every flow needs a rule each way; the reply rule names the ports the
initiator connects from. No rule admits the internet (0.0.0.0/0) to SSH (22) or RDP (3389):
the only internet-sourced rules are 80 and 443, and replies to instances use the Linux
ephemeral range, above both.

Security groups and routes stay the precise controls (an ACL cannot name a security group or
S3's prefix list); the ACLs bound what a wrong security group rule could open. AWS does not
filter the VPC's DNS resolver, the instance metadata service or the Time Sync Service with
ACLs, so those need no rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from stack.cdk import aws
from stack.config import Config
from stack.contract import JUSTIFICATION_METADATA_KEY
from stack.naming import Names

HTTP, HTTPS, POSTGRES = 80, 443, 5432
ANYWHERE = "0.0.0.0/0"
# The ports the load balancer's nodes and NAT gateways connect from (AWS documents 1024-65535 for both).
SERVICE_CLIENT_PORTS = (1024, 65535)
# The ports the instances connect from: Linux's ephemeral range (Amazon Linux 32768-60999), rounded up.
INSTANCE_CLIENT_PORTS = (32768, 65535)
TCP = "6"
FIRST_RULE_NUMBER, RULE_NUMBER_STEP = 100, 10


@dataclass(frozen=True)
class AclRule:
    """One TCP rule of a tier's ACL: a direction, a port range, a peer range, and why it exists."""

    egress: bool
    ports: tuple[int, int]
    cidr: str
    justification: str


def _each(cidrs: list[str], egress: bool, ports: tuple[int, int], justification: str) -> list[AclRule]:
    return [AclRule(egress, ports, cidr, justification) for cidr in cidrs]


def tier_rules(config: Config, cidrs: dict[str, list[str]]) -> dict[str, list[AclRule]]:
    """Each tier's rules, in evaluation order, from the subnets' ranges and the declared destinations."""
    public, app, db = cidrs["public"], cidrs["app"], cidrs["db"]
    port = (config.app_port, config.app_port)
    destinations = list(config.internet_egress_cidrs)
    nat = config.nat_gateway_count > 0
    return {
        "public": [
            AclRule(False, (HTTPS, HTTPS), ANYWHERE, "HTTPS from the internet to the load balancer"),
            AclRule(False, (HTTP, HTTP), ANYWHERE, "HTTP from the internet to the load balancer, which only redirects"),
            *_each(app, False, SERVICE_CLIENT_PORTS, "Replies of the application port to the load balancer"),
            *(_each(app, False, (HTTPS, HTTPS), "The application's HTTPS into the NAT gateway") if nat else []),
            *_each(destinations, False, SERVICE_CLIENT_PORTS, "Replies of a declared destination to the NAT gateway"),
            # Clients connect from any port; the NAT gateway's replies to the instances fall in this range too.
            AclRule(True, SERVICE_CLIENT_PORTS, ANYWHERE, "Replies of the load balancer to internet clients"),
            *_each(app, True, port, "The load balancer to the application port (requests and health checks)"),
            *_each(destinations, True, (HTTPS, HTTPS), "The NAT gateway to a declared destination"),
        ],
        "app": [
            *_each(public, False, port, "The load balancer to the application port (requests and health checks)"),
            *_each(app, False, (HTTPS, HTTPS), "The application to the interface endpoints in the application subnets"),
            # S3 answers from its public ranges (a prefix list an ACL cannot name); no route brings the internet here.
            AclRule(
                False,
                INSTANCE_CLIENT_PORTS,
                ANYWHERE,
                "Replies to the instances: database, endpoints, S3 through its gateway endpoint, NAT",
            ),
            *_each(db, True, (POSTGRES, POSTGRES), "The application to PostgreSQL"),
            # Routes and the application's security group narrow it: endpoints, S3's prefix list, declared ranges.
            AclRule(
                True,
                (HTTPS, HTTPS),
                ANYWHERE,
                "HTTPS to the endpoints, to S3 through its gateway endpoint and to declared destinations via NAT",
            ),
            *_each(public, True, SERVICE_CLIENT_PORTS, "Replies of the application port to the load balancer"),
            *_each(app, True, INSTANCE_CLIENT_PORTS, "Replies of the interface endpoints to instances in other zones"),
        ],
        "db": [
            *_each(app, False, (POSTGRES, POSTGRES), "PostgreSQL from the application subnets"),
            *_each(app, True, INSTANCE_CLIENT_PORTS, "Replies of PostgreSQL to the application instances"),
        ],
    }


class NetworkAcls(Construct):
    """The default ACL without a rule, and one ACL per tier, associated with each subnet of the tier."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        config: Config,
        names: Names,
        vpc: aws.vpc.Vpc,
        subnets: dict[str, list[aws.subnet.Subnet]],
        cidrs: dict[str, list[str]],
    ):
        super().__init__(scope, id_)
        # No ingress or egress block: Terraform removes every rule AWS put there; only the implicit deny is left.
        aws.default_network_acl.DefaultNetworkAcl(
            self,
            "default-acl",
            default_network_acl_id=vpc.default_network_acl_id,
            tags={"Name": names["default-acl"]},
            lifecycle={"ignore_changes": ["subnet_ids"]},
        )
        self.acls = {}
        for tier, rules in tier_rules(config, cidrs).items():
            # The ACL names its subnets (subnet_ids): Terraform replaces each subnet's association, default included.
            acl = aws.network_acl.NetworkAcl(
                self,
                f"{tier}-acl",
                vpc_id=vpc.id,
                subnet_ids=[subnet.id for subnet in subnets[tier]],
                tags={"Name": names[f"{tier}-acl"]},
            )
            self.acls[tier] = acl
            for egress in (False, True):
                for index, rule in enumerate(item for item in rules if item.egress == egress):
                    self._rule(tier, acl, rule, FIRST_RULE_NUMBER + RULE_NUMBER_STEP * index)

    def _rule(self, tier: str, acl: aws.network_acl.NetworkAcl, rule: AclRule, number: int) -> None:
        direction = "egress" if rule.egress else "ingress"
        resource = aws.network_acl_rule.NetworkAclRule(
            self,
            f"{tier}-{direction}-{number}",
            network_acl_id=acl.id,
            rule_number=number,
            egress=rule.egress,
            protocol=TCP,
            rule_action="allow",
            cidr_block=rule.cidr,
            from_port=rule.ports[0],
            to_port=rule.ports[1],
        )
        # AWS keeps no description on an ACL rule: the plan carries its justification for the audit's inventory.
        resource.add_override(f"//.{JUSTIFICATION_METADATA_KEY}", rule.justification)
