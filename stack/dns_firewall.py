"""Route 53 Resolver DNS Firewall and query logging on the VPC.

"No route out" leaves one path: the VPC's resolver answers any name, so data can leave
encoded in queries for a domain whose name servers someone else runs (DNS tunnelling). The
firewall answers only what the instances must resolve and blocks everything else (`*`):

* the region's AWS service names (`*.<region>.amazonaws.com`: the interface endpoints' private
  names, S3 and the Amazon Linux repositories behind the gateway endpoint, the database's
  endpoint);
* the VPC's own names: EC2's private host names and the reverse zone of the VPC's range;
* in us-east-1, S3's global names.

An allowed name's CNAME chain is trusted (`TRUST_REDIRECTION_DOMAIN`): the database's endpoint answers
with a CNAME to a host name outside the list.

Declared internet destinations are IP ranges (`INTERNET_EGRESS_CIDRS`): reached by address,
they need no name here. The firewall fails closed (the resolver's default): if it cannot
evaluate a query, the query is not answered.

Every query, answered or blocked, is logged to a KMS-encrypted log group (stack/logs.py).

Names are written fully qualified (`example.com.`, `*.`): AWS stores and answers them so, and Terraform's
provider compares them as answered, so a name without its final dot would be changed again by every plan.
"""

from __future__ import annotations

import ipaddress

from constructs import Construct

from stack.cdk import aws
from stack.config import Config
from stack.naming import Names

# Priorities run lowest first; the association's must be within 101-9900.
ALLOW_PRIORITY, BLOCK_PRIORITY, ASSOCIATION_PRIORITY = 100, 200, 101
EVERYTHING = "*."


def allowed_domains(config: Config) -> list[str]:
    """What the instances must resolve: the region's AWS names and the VPC's own, fully qualified."""
    region = config.region
    # us-east-1's private host names are <ip>.ec2.internal; every other region's <ip>.<region>.compute.internal.
    internal = "ec2.internal" if region == "us-east-1" else f"{region}.compute.internal"
    # us-east-1's S3 answers on the global names too (s3.amazonaws.com, <bucket>.s3.amazonaws.com).
    global_s3 = ["s3.amazonaws.com", "*.s3.amazonaws.com"] if region == "us-east-1" else []
    names = [f"*.{region}.amazonaws.com", *global_s3, internal, f"*.{internal}", f"*.{reverse_zone(config.vpc_cidr)}"]
    return [f"{name}." for name in names]


def reverse_zone(cidr: str) -> str:
    """The in-addr.arpa zone holding every address of the range, by whole octets (10.0.0.0/16 -> 0.10.in-addr.arpa)."""
    network = ipaddress.ip_network(cidr)
    octets = str(network.network_address).split(".")[: network.prefixlen // 8]
    return ".".join([*reversed(octets), "in-addr.arpa"])


class DnsFirewall(Construct):
    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        config: Config,
        names: Names,
        vpc: aws.vpc.Vpc,
        query_log_group: aws.cloudwatch_log_group.CloudwatchLogGroup,
    ):
        super().__init__(scope, id_)
        domain_list = aws.route53_resolver_firewall_domain_list
        allowed = domain_list.Route53ResolverFirewallDomainList(
            self, "dns-allowed", name=names["dns-allowed"], domains=allowed_domains(config)
        )
        everything = domain_list.Route53ResolverFirewallDomainList(
            self, "dns-everything-else", name=names["dns-everything-else"], domains=[EVERYTHING]
        )
        self.rule_group = group = aws.route53_resolver_firewall_rule_group.Route53ResolverFirewallRuleGroup(
            self, "dns-firewall", name=names["dns-firewall"]
        )
        rule = aws.route53_resolver_firewall_rule.Route53ResolverFirewallRule
        rule(
            self,
            "dns-allow",
            name=names["dns-allow"],
            firewall_rule_group_id=group.id,
            firewall_domain_list_id=allowed.id,
            priority=ALLOW_PRIORITY,
            action="ALLOW",
            # An allowed AWS name may answer with a CNAME to another AWS name (the database's endpoint to
            # the instance's host name): the chain of an allowed name is followed, not judged link by link.
            firewall_domain_redirection_action="TRUST_REDIRECTION_DOMAIN",
        )
        rule(
            self,
            "dns-block",
            name=names["dns-block"],
            firewall_rule_group_id=group.id,
            firewall_domain_list_id=everything.id,
            priority=BLOCK_PRIORITY,
            action="BLOCK",
            # An empty answer, as for a name with no record: nothing for a tunnel to read back.
            block_response="NODATA",
        )
        aws.route53_resolver_firewall_rule_group_association.Route53ResolverFirewallRuleGroupAssociation(
            self,
            "dns-firewall-vpc",
            name=names["dns-firewall-vpc"],
            firewall_rule_group_id=group.id,
            vpc_id=vpc.id,
            priority=ASSOCIATION_PRIORITY,
        )
        self.query_log = query_log = aws.route53_resolver_query_log_config.Route53ResolverQueryLogConfig(
            self, "dns-query-log", name=names["dns-query-log"], destination_arn=query_log_group.arn
        )
        aws.route53_resolver_query_log_config_association.Route53ResolverQueryLogConfigAssociation(
            self, "dns-query-log-vpc", resolver_query_log_config_id=query_log.id, resource_id=vpc.id
        )
