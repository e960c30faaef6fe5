"""VPC endpoint mutants: endpoints deleted, opened, moved off subnets, remade, and extra ones added."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from tap.mutate.operators import Case, Scope, first_of_kind
from tap.mutate.operators.network import ec2_call, network_names

OPEN_POLICY = json.dumps({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]})


def endpoints(scope: Scope) -> Iterator[Case]:
    ec2 = scope.aws("ec2")
    found = ec2.describe_vpc_endpoints(Filters=scope.vpc_filter())["VpcEndpoints"]
    names = network_names(scope)
    for endpoint in sorted(found, key=scope.name_tag):
        label, endpoint_id = scope.name_tag(endpoint), endpoint["VpcEndpointId"]
        yield scope.case(
            label,
            "delete",
            "",
            "",
            "network reachability",
            _endpoint_deleted(endpoint_id),
            observes=("aws_vpc_endpoint", ""),
        )
        if endpoint["VpcEndpointType"] == "Gateway":
            yield scope.case(
                label,
                "widen",
                "policy",
                "allow everything",
                "network reachability",
                _endpoint_opened(endpoint_id),
                observes=("aws_vpc_endpoint", "policy"),
            )
        for subnet in sorted(endpoint.get("SubnetIds", [])):
            yield scope.case(
                label,
                "delete",
                "subnet_ids",
                names[subnet],
                "availability",
                _endpoint_subnet_removed(endpoint_id, subnet),
                observes=("aws_vpc_endpoint", "subnet_ids"),
            )
    interfaces = [endpoint for endpoint in found if endpoint["VpcEndpointType"] == "Interface"]
    for endpoint in first_of_kind(sorted(interfaces, key=scope.name_tag)):
        yield from _interface_edited(scope, endpoint)
    vpc = scope.name_tag(ec2.describe_vpcs(VpcIds=[scope.outputs["vpc_id"]])["Vpcs"][0])
    for kind, service in (("Interface", "kms"), ("Gateway", "dynamodb")):
        yield scope.case(
            vpc,
            "add",
            "vpc_endpoint",
            f"an extra {kind.lower()} endpoint ({service})",
            "network reachability",
            _endpoint_added(scope, kind, service),
        )


def _interface_edited(scope: Scope, endpoint: dict[str, Any]) -> Iterator[Case]:
    """An interface endpoint's groups swapped for the VPC's default one, and it made again without private DNS."""
    label, endpoint_id = scope.name_tag(endpoint), endpoint["VpcEndpointId"]
    groups = [group["GroupId"] for group in endpoint["Groups"]]
    yield scope.case(
        label,
        "swap",
        "security_group_ids",
        "the default group",
        "network reachability",
        ec2_call(
            "modify_vpc_endpoint",
            VpcEndpointId=endpoint_id,
            AddSecurityGroupIds=[scope.default_group()],
            RemoveSecurityGroupIds=groups,
        ),
        observes=("aws_vpc_endpoint", "security_group_ids"),
    )
    yield scope.case(
        label,
        "flip",
        "private_dns_enabled",
        f"{endpoint['PrivateDnsEnabled']} -> {not endpoint['PrivateDnsEnabled']}",
        "availability",
        endpoint_remade(endpoint, PrivateDnsEnabled=not endpoint["PrivateDnsEnabled"]),
        observes=("aws_vpc_endpoint", "private_dns_enabled"),
    )


def endpoint_remade(endpoint: dict[str, Any], **changes: Any):
    """The endpoint deleted and made again by hand, with `changes` (moto 5.2 ignores ModifyVpcEndpoint's
    PrivateDnsEnabled, so a remade endpoint is how its private DNS changes here)."""
    settings = {
        "VpcId": endpoint["VpcId"],
        "ServiceName": endpoint["ServiceName"],
        "VpcEndpointType": endpoint["VpcEndpointType"],
        "SubnetIds": endpoint["SubnetIds"],
        "SecurityGroupIds": [group["GroupId"] for group in endpoint["Groups"]],
        "PolicyDocument": endpoint["PolicyDocument"],
        "PrivateDnsEnabled": endpoint["PrivateDnsEnabled"],
        "TagSpecifications": [{"ResourceType": "vpc-endpoint", "Tags": endpoint.get("Tags", [])}],
        **changes,
    }

    def apply(aws) -> None:
        aws("ec2").delete_vpc_endpoints(VpcEndpointIds=[endpoint["VpcEndpointId"]])
        aws("ec2").create_vpc_endpoint(**settings)

    return apply


def _endpoint_deleted(endpoint_id: str):
    def apply(aws) -> None:
        aws("ec2").delete_vpc_endpoints(VpcEndpointIds=[endpoint_id])

    return apply


def _endpoint_opened(endpoint_id: str):
    def apply(aws) -> None:
        aws("ec2").modify_vpc_endpoint(VpcEndpointId=endpoint_id, PolicyDocument=OPEN_POLICY)

    return apply


def _endpoint_subnet_removed(endpoint_id: str, subnet_id: str):
    def apply(aws) -> None:
        aws("ec2").modify_vpc_endpoint(VpcEndpointId=endpoint_id, RemoveSubnetIds=[subnet_id])

    return apply


def _endpoint_added(scope: Scope, kind: str, service: str):
    vpc_id, region = scope.outputs["vpc_id"], scope.outputs["region"]
    placement = (
        {
            "SubnetIds": scope.outputs["app_subnet_ids"][:1],
            "SecurityGroupIds": [scope.outputs["endpoints_security_group_id"]],
        }
        if kind == "Interface"
        else {"RouteTableIds": scope.outputs["route_table_ids"]}
    )

    def apply(aws) -> None:
        aws("ec2").create_vpc_endpoint(
            VpcId=vpc_id, VpcEndpointType=kind, ServiceName=f"com.amazonaws.{region}.{service}", **placement
        )

    return apply


GENERATORS = (endpoints,)
