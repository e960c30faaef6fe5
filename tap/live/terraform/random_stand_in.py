"""A stand-in for hashicorp/random's `random_id`: the same schema, the same replacement, the same values.

The machine's filesystem mirror holds no hashicorp/random, and an override file cannot take a
provider out of a plan (rewriting `random_id` into another type would change the plan under test).
So Terraform is given this small provider under hashicorp/random's name (a mirror of its own,
`tap/live/terraform/workspace.py`), built on the `tf` package (the plugin protocol in Python).

What it keeps of random 3.x's `random_id`: `byte_length` (required), `keepers` and `prefix`
(optional); a change of any of the three replaces the resource, so new bytes are drawn; the bytes
are drawn once, at create, and read back unchanged after. `id` is the bytes in unpadded URL-safe
base64; `b64_url`, `b64_std` (padded), `hex` and `dec` (big-endian) carry the prefix. Not kept:
import, and the provider's other resources (the stack uses none).
"""

from __future__ import annotations

import base64
import os

from tf import schema, types
from tf.iface import CreateContext, DeleteContext, ReadContext, Resource, State, UpdateContext
from tf.provider import Provider
from tf.runner import run_provider
from tf.utils import Diagnostics

PROVIDER_ADDRESS = "registry.terraform.io/hashicorp/random"
# The release whose `random_id` this reproduces; the rehearsal's override pins hashicorp/random to it.
VERSION = "3.7.2"
COMPUTED = ("id", "b64_url", "b64_std", "hex", "dec")


def id_attributes(byte_length: int, prefix: str | None, draw=os.urandom) -> dict[str, str]:
    """What random 3.x computes from `byte_length` fresh bytes: `id` without the prefix, the rest with it."""
    drawn = draw(byte_length)
    prefix = prefix or ""
    unpadded = base64.urlsafe_b64encode(drawn).decode().rstrip("=")
    values = (
        unpadded,
        prefix + unpadded,
        prefix + base64.standard_b64encode(drawn).decode(),
        prefix + drawn.hex(),
        prefix + str(int.from_bytes(drawn, "big")),
    )
    return dict(zip(COMPUTED, values, strict=True))


class RandomId(Resource):
    @classmethod
    def get_name(cls) -> str:
        return "id"

    @classmethod
    def get_schema(cls) -> schema.Schema:
        computed = [schema.Attribute(name, types.String(), computed=True) for name in COMPUTED]
        return schema.Schema(
            version=0,
            attributes=[
                schema.Attribute("byte_length", types.Number(), required=True, requires_replace=True),
                schema.Attribute("keepers", types.Map(types.String()), optional=True, requires_replace=True),
                schema.Attribute("prefix", types.String(), optional=True, requires_replace=True),
                *computed,
            ],
        )

    def __init__(self, provider: RandomStandIn):
        self.provider = provider

    def create(self, ctx: CreateContext, planned: State) -> State:
        byte_length = int(planned["byte_length"])
        if byte_length < 1:
            ctx.diagnostics.add_error("byte_length must be at least 1", path=["byte_length"])
            return planned
        return {**planned, **id_attributes(byte_length, planned.get("prefix"))}

    def read(self, ctx: ReadContext, current: State) -> State:
        return current  # nothing outside the state: what was drawn stays drawn

    def update(self, ctx: UpdateContext, current: State, planned: State) -> State:
        return planned  # every argument replaces; an update only carries the state over

    def delete(self, ctx: DeleteContext, current: State) -> None:
        return None


class RandomStandIn(Provider):
    def get_model_prefix(self) -> str:
        return "random_"

    def full_name(self) -> str:
        return PROVIDER_ADDRESS

    def get_provider_schema(self, diags: Diagnostics) -> schema.Schema:
        return schema.Schema(attributes=[])

    def validate_config(self, diags: Diagnostics, config: dict) -> None:
        pass

    def configure_provider(self, diags: Diagnostics, config: dict) -> None:
        pass

    def get_data_sources(self) -> list:
        return []

    def get_resources(self) -> list:
        return [RandomId]


if __name__ == "__main__":
    run_provider(RandomStandIn())
