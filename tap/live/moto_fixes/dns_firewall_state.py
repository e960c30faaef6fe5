"""The DNS Firewall the `route53resolver-dns-firewall` fix adds to moto 5.2.5: its state and what every operation
shares (dns_firewall.py holds the operations): domain lists and their domains, rule groups and their rules, rule
group associations with VPCs, and each VPC's firewall configuration.

Installed on moto's Route53ResolverResponse by the fix (tap/live/moto_fixes/route53resolver.py);
the state lives on moto's Route53ResolverBackend (one per account and region), so the mutation campaign's forks
copy it. What AWS does asynchronously is done by the time anyone reads: a call answers the status AWS answers
(UPDATING, DELETING), a read after it the status Terraform's waiters wait for (COMPLETE, or gone). Shapes and
errors are those of botocore's route53resolver service model.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from moto.core.exceptions import JsonRESTError
from moto.moto_api._internal import mock_random
from moto.route53resolver.exceptions import ResourceNotFoundException
from moto.utilities.utils import get_partition

Item = dict[str, Any]
# What a list call answers unless asked for fewer (AWS's default for every DNS Firewall list).
PAGE = 100
DOMAIN_OPERATIONS = ("ADD", "REMOVE", "REPLACE")
ACTIONS = ("ALLOW", "BLOCK", "ALERT")
# A rule answers these optional settings only when it was given them; the redirection action has AWS's default.
RULE_SETTINGS = ("BlockResponse", "BlockOverrideDomain", "BlockOverrideDnsType", "BlockOverrideTtl", "Qtype")
REDIRECTION_DEFAULT = "INSPECT_REDIRECTION_DOMAIN"
# The priorities AWS accepts for a rule group's association with a VPC (botocore: "between 100 and 9900").
ASSOCIATION_PRIORITIES = (100, 9900)
# What each list answers of a domain list or a rule group: its metadata, not its counts or status.
DOMAIN_LIST_METADATA = ("Id", "Arn", "Name", "CreatorRequestId")
RULE_GROUP_METADATA = ("Id", "Arn", "Name", "OwnerId", "CreatorRequestId", "ShareStatus")


class ConflictException(JsonRESTError):
    code = 400

    def __init__(self, message: str):
        super().__init__("ConflictException", message)


class ValidationException(JsonRESTError):
    code = 400

    def __init__(self, message: str):
        super().__init__("ValidationException", message)


@dataclass
class Firewall:
    """One account and region's DNS firewall, each resource as AWS describes it, by id."""

    domain_lists: dict[str, Item] = field(default_factory=dict)
    domains: dict[str, list[str]] = field(default_factory=dict)  # domain list id -> its names, fully qualified
    rule_groups: dict[str, Item] = field(default_factory=dict)
    rules: dict[tuple[str, str], Item] = field(default_factory=dict)  # (rule group id, domain list id) -> rule
    associations: dict[str, Item] = field(default_factory=dict)
    configs: dict[str, Item] = field(default_factory=dict)  # VPC id -> its firewall configuration

    def arns(self) -> set[str]:
        """What TagResource, UntagResource and ListTagsForResource accept besides moto's own resources."""
        kept = (self.domain_lists, self.rule_groups, self.associations)
        return {item["Arn"] for items in kept for item in items.values()}


def firewall_of(backend: Any) -> Firewall:
    """The firewall kept on moto's Route53ResolverBackend, made on first use."""
    if not hasattr(backend, "dns_firewall"):
        backend.dns_firewall = Firewall()
    return backend.dns_firewall


def firewall(response: Any) -> Firewall:
    return firewall_of(response.route53resolver_backend)


def timestamp() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def existing(items: dict, key: Any, what: str) -> Item:
    if key not in items:
        raise ResourceNotFoundException(f"{what} '{key}' does not exist")
    return items[key]


def qualified(domain: str) -> str:
    """AWS keeps every name fully qualified: ListFirewallDomains answers `example.com.` for `example.com`."""
    return domain if domain.endswith(".") else f"{domain}."


def paged(response: Any, key: str, items: list) -> str:
    token = response._get_param("NextToken") or "0"
    if not token.isdigit():
        raise ValidationException(f"NextToken '{token}' was not given by this list")
    start = int(token)
    end = start + (response._get_int_param("MaxResults") or PAGE)
    return json.dumps({key: items[start:end], **({"NextToken": str(end)} if end < len(items) else {})})


def answered(key: str, item: Item, **status: str) -> str:
    return json.dumps({key: {**item, **status}})


def created(response: Any, items: dict[str, Item], kind: str, prefix: str, **attributes: Any) -> Item:
    """A new resource, tagged as asked; the one a CreatorRequestId already made, if retried (AWS's idempotency)."""
    request = response._get_param("CreatorRequestId")
    retried = next((item for item in items.values() if item["CreatorRequestId"] == request), None)
    if retried:
        return retried
    backend = response.route53resolver_backend
    identifier = f"rslvr-{prefix}-{mock_random.get_random_hex(17)}"
    region = backend.region_name
    arn = f"arn:{get_partition(region)}:route53resolver:{region}:{backend.account_id}:{kind}/{identifier}"
    now = timestamp()
    items[identifier] = item = {
        "Id": identifier,
        "Arn": arn,
        **attributes,
        "CreatorRequestId": request,
        "CreationTime": now,
        "ModificationTime": now,
    }
    backend.tagger.tag_resource(arn, response._get_param("Tags") or [])
    return item


def removed(response: Any, items: dict[str, Item], identifier: str) -> Item:
    removed = items.pop(identifier)
    response.route53resolver_backend.tagger.delete_all_tags_for_resource(removed["Arn"])
    return removed


def modified(item: Item, changes: dict[str, Any]) -> Item:
    item.update({key: value for key, value in changes.items() if value is not None}, ModificationTime=timestamp())
    return item
