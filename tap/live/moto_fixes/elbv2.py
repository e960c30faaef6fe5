"""Fixes to moto 5.2.5's Elastic Load Balancing v2: `elbv2-scheme-default`."""

from __future__ import annotations

from typing import Any

from tap.live.moto_fixes import fix


@fix(
    "elbv2-scheme-default",
    "elbv2: CreateLoadBalancer without Scheme stores None (the response passes params.get('Scheme') over the "
    "backend's default), so DescribeLoadBalancers returns no Scheme; AWS defaults it to internet-facing. "
    "Terraform's AWS provider sends no Scheme for an internet-facing load balancer.",
)
def _elbv2_scheme_defaults_to_internet_facing() -> None:
    from moto.elbv2.models import ELBv2Backend

    create = ELBv2Backend.create_load_balancer

    def create_load_balancer(self: Any, *args: Any, scheme: str | None = None, **kwargs: Any) -> Any:
        return create(self, *args, scheme=scheme or "internet-facing", **kwargs)

    ELBv2Backend.create_load_balancer = create_load_balancer
