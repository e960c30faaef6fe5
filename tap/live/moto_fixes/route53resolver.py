"""Fixes to moto 5.2.5's Route 53 Resolver: `route53resolver-query-log-config-tags`,
`route53resolver-query-log-config-removal`, `route53resolver-dns-firewall` (dns_firewall.py)."""

from __future__ import annotations

import json
from typing import Any

from tap.live.moto_fixes import fix


@fix(
    "route53resolver-query-log-config-tags",
    "route53resolver: ListTagsForResource, TagResource and UntagResource on a query log config's ARN answer "
    'ResourceNotFoundException ("Resolver endpoint with ID ... does not exist"): _matched_arn looks among '
    "endpoints and rules only, though CreateResolverQueryLogConfig takes Tags. AWS tags query log configs.",
)
def _route53resolver_tags_query_log_configs() -> None:
    from moto.route53resolver.models import Route53ResolverBackend

    matched = Route53ResolverBackend._matched_arn

    def _matched_arn(self: Any, resource_arn: str) -> None:
        if not any(config.arn == resource_arn for config in self.resolver_query_log_configs.values()):
            matched(self, resource_arn)

    Route53ResolverBackend._matched_arn = _matched_arn


@fix(
    "route53resolver-query-log-config-removal",
    "route53resolver: DisassociateResolverQueryLogConfig and DeleteResolverQueryLogConfig are not implemented "
    "(HTTP 500), so a query logging configuration and its VPC association can never be removed; AWS removes "
    "them and answers with what it removed, Status DELETING.",
)
def _route53resolver_removes_query_log_configs() -> None:
    from moto.route53resolver.exceptions import ResourceNotFoundException
    from moto.route53resolver.responses import Route53ResolverResponse

    def deleting(kind: str, removed: Any) -> str:
        return json.dumps({kind: {**removed.description(), "Status": "DELETING"}})

    def disassociate_resolver_query_log_config(self: Any) -> str:
        config, vpc = self._get_param("ResolverQueryLogConfigId"), self._get_param("ResourceId")
        associations = self.route53resolver_backend.resolver_query_log_config_associations
        for identifier, association in list(associations.items()):
            if (association.resolver_query_log_config_id, association.resource_id) == (config, vpc):
                return deleting("ResolverQueryLogConfigAssociation", associations.pop(identifier))
        raise ResourceNotFoundException(f"Resolver query log config '{config}' is not associated with VPC '{vpc}'")

    def delete_resolver_query_log_config(self: Any) -> str:
        config = self._get_param("ResolverQueryLogConfigId")
        configs = self.route53resolver_backend.resolver_query_log_configs
        if config not in configs:
            raise ResourceNotFoundException(f"Resolver query log config with ID '{config}' does not exist")
        return deleting("ResolverQueryLogConfig", configs.pop(config))

    Route53ResolverResponse.disassociate_resolver_query_log_config = disassociate_resolver_query_log_config
    Route53ResolverResponse.delete_resolver_query_log_config = delete_resolver_query_log_config


@fix(
    "route53resolver-dns-firewall",
    "route53resolver: the DNS Firewall API is not implemented (HTTP 500 for CreateFirewallDomainList, "
    "UpdateFirewallDomains, CreateFirewallRuleGroup, CreateFirewallRule, AssociateFirewallRuleGroup, "
    "GetFirewallConfig and the rest of their Get/List/Update/Delete calls), and _matched_arn refuses tags on "
    "their ARNs. AWS keeps domain lists (names fully qualified, DomainCount), rule groups (RuleCount), one rule "
    "per domain list in a group, associations with VPCs and each VPC's fail-open setting; it refuses to delete "
    "a rule group with rules or associations, or a domain list a rule uses (ConflictException), and a retried "
    "CreatorRequestId answers what it created.",
)
def _route53resolver_dns_firewall() -> None:
    from moto.route53resolver.models import Route53ResolverBackend
    from moto.route53resolver.responses import Route53ResolverResponse

    from tap.live.moto_fixes.dns_firewall import OPERATIONS
    from tap.live.moto_fixes.dns_firewall_state import firewall_of

    matched = Route53ResolverBackend._matched_arn

    def _matched_arn(self: Any, resource_arn: str) -> None:
        if resource_arn not in firewall_of(self).arns():
            matched(self, resource_arn)

    Route53ResolverBackend._matched_arn = _matched_arn
    for name, operation in OPERATIONS.items():
        setattr(Route53ResolverResponse, name, operation)
