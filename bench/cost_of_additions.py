"""What the review's additions cost a month, per profile: counted from each profile's real plan, priced at
the region's list prices.

    python -m bench.cost_of_additions [--instances-from desired|max]

Fixed costs come from the plan (interface endpoints per zone, domains in the DNS firewall);
usage costs from the volumes below, which are assumptions stated here, not measurements: replace them
with a month of the account's own figures (CloudWatch IncomingBytes per group, Resolver query counts).
The rates are AWS's published on-demand prices for the region. The AWS Price List API is not reachable
from the machines this suite runs on; each rate names the page it is published on and the day it was
read, and is to be checked there before a budget rests on it.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from tap.plan import Plan
from tap.synth.cache import cached_plan
from tap.synth.deployments import PROFILE_CONFIGS

READ_ON = "2026-12-06"
HOURS_A_MONTH = 730


@dataclass(frozen=True)
class Rate:
    usd: float
    unit: str
    page: str


# ap-southeast-1 (the stack's default region), on-demand list prices.
RATES = {
    "endpoint_hour": Rate(
        0.013, "interface endpoint, per zone, per hour", "https://aws.amazon.com/privatelink/pricing/"
    ),
    "endpoint_gb": Rate(0.01, "GB processed by interface endpoints", "https://aws.amazon.com/privatelink/pricing/"),
    "logs_ingest_gb": Rate(
        0.70, "GB ingested into CloudWatch Logs (standard)", "https://aws.amazon.com/cloudwatch/pricing/"
    ),
    "logs_store_gb_month": Rate(
        0.033, "GB-month stored in CloudWatch Logs", "https://aws.amazon.com/cloudwatch/pricing/"
    ),
    "data_protection_gb": Rate(
        0.12, "GB scanned by a data protection policy", "https://aws.amazon.com/cloudwatch/pricing/"
    ),
    "dns_firewall_million_queries": Rate(
        0.60, "million queries through DNS Firewall", "https://aws.amazon.com/route53/pricing/"
    ),
    "dns_firewall_domain_month": Rate(
        0.0015, "domain in a DNS Firewall list, per month", "https://aws.amazon.com/route53/pricing/"
    ),
    "kms_key_month": Rate(1.00, "customer managed key, per month", "https://aws.amazon.com/kms/pricing/"),
    "alarm_month": Rate(
        0.10, "standard-resolution alarm metric, per month", "https://aws.amazon.com/cloudwatch/pricing/"
    ),
}

# The interface endpoints the review added: the agent's logs and its key (the others were there before).
ADDED_ENDPOINT_SERVICES = ("logs", "kms")

# Usage assumptions, per instance and month (a small payment service; replace with the account's figures).
ASSUMED = {
    "dns_queries_per_instance": 3_000_000,  # about one lookup a second: agents, SSM, the application
    "bytes_per_logged_query": 350,  # one JSON record of Resolver query logging
    "agent_gb_per_instance": 2.0,  # journal, auth log and the application log
    "card_data_share_of_agent_logs": 0.5,  # the part of it in groups that may hold card data (scanned)
    "database_audit_gb": 5.0,  # pgaudit statements, per database (scanned)
    "waf_log_gb": 3.0,  # WAF request logs (scanned)
    "endpoint_gb_per_instance": 1.0,  # logs and SSM traffic through the interface endpoints
}


def additions(plan: Plan, instances: int) -> list[tuple[str, float, str]]:
    """(item, USD a month, how it was counted) for each addition the review asked for."""
    endpoints = [r for r in plan.resources("aws_vpc_endpoint") if r.get("vpc_endpoint_type") == "Interface"]
    added = [r for r in endpoints if str(r.get("service_name", "")).rsplit(".", 1)[-1] in ADDED_ENDPOINT_SERVICES]
    zones = sum(len(r.get("subnet_ids") or []) for r in added)
    domains = sum(len(r.get("domains") or []) for r in plan.resources("aws_route53_resolver_firewall_domain_list"))
    queries = instances * ASSUMED["dns_queries_per_instance"]
    query_log_gb = queries * ASSUMED["bytes_per_logged_query"] / 1e9
    agent_gb = instances * ASSUMED["agent_gb_per_instance"]
    scanned_gb = (
        agent_gb * ASSUMED["card_data_share_of_agent_logs"] + ASSUMED["database_audit_gb"] + ASSUMED["waf_log_gb"]
    )
    protected = len(list(plan.resources("aws_cloudwatch_log_data_protection_policy")))
    return [
        (
            "logs and kms endpoints",
            zones * HOURS_A_MONTH * _usd("endpoint_hour")
            + instances * ASSUMED["endpoint_gb_per_instance"] * _usd("endpoint_gb"),
            f"{len(added)} endpoints, {zones} endpoint-zones x {HOURS_A_MONTH} h, "
            f"{instances * ASSUMED['endpoint_gb_per_instance']:.0f} GB processed",
        ),
        (
            "DNS Firewall",
            queries / 1e6 * _usd("dns_firewall_million_queries") + domains * _usd("dns_firewall_domain_month"),
            f"{queries / 1e6:.0f} M queries, {domains} domains listed",
        ),
        (
            "DNS query logging",
            query_log_gb * (_usd("logs_ingest_gb") + _usd("logs_store_gb_month")),
            f"{query_log_gb:.1f} GB ingested and kept a month",
        ),
        (
            "CloudWatch agent ingestion",
            agent_gb * (_usd("logs_ingest_gb") + _usd("logs_store_gb_month")),
            f"{instances} instances x {ASSUMED['agent_gb_per_instance']} GB",
        ),
        (
            "data protection scanning",
            scanned_gb * _usd("data_protection_gb"),
            f"{scanned_gb:.1f} GB scanned in {protected} protected groups",
        ),
    ]


def _usd(rate: str) -> float:
    return RATES[rate].usd


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances-from", choices=("desired", "max"), default="desired")
    args = parser.parse_args(argv)
    print(f"Monthly cost of the additions, ap-southeast-1 list prices read {READ_ON} (to check: see the docstring)")
    for profile, config in PROFILE_CONFIGS.items():
        plan = Plan.load(cached_plan(config))
        (group,) = plan.resources("aws_autoscaling_group")
        instances = int(group.get("desired_capacity" if args.instances_from == "desired" else "max_size"))
        items = additions(plan, instances)
        print(f"\n{profile} ({instances} instances): USD {sum(cost for _, cost, _ in items):.2f} a month")
        for item, cost, counted in items:
            print(f"  {item:<28} {cost:>8.2f}  {counted}")
    print("\nRates:")
    for rate in RATES.values():
        print(f"  USD {rate.usd:<7} per {rate.unit}  ({rate.page})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
