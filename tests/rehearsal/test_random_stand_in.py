"""The stand-in for hashicorp/random's `random_id` behaves as random 3.x does, under Terraform itself."""

from __future__ import annotations

import base64
import json

from tap.live.terraform.random_stand_in import id_attributes
from tap.live.terraform.workspace import PLAN_NAME, workspace


def test_random_id_values_are_random_3s_encodings_of_the_same_bytes():
    values = id_attributes(2, "p-", draw=lambda length: b"\xfb\xff"[:length])
    assert values == {"id": "-_8", "b64_url": "p--_8", "b64_std": "p-+/8=", "hex": "p-fbff", "dec": "p-64511"}


def _plan(keepers: dict[str, str], byte_length: int = 4) -> str:
    resource = {"byte_length": byte_length, "keepers": keepers, "prefix": "pay-"}
    return json.dumps(
        {
            "//": {"metadata": {"stackName": "RandomStandIn"}},
            "terraform": {"required_providers": {"random": {"source": "hashicorp/random", "version": "3.7.2"}}},
            "resource": {"random_id": {"deployment": resource}},
            "output": {"id": {"value": "${random_id.deployment}"}},
        }
    )


def _drawn(terraform) -> dict:
    return json.loads(terraform.run("output", "-json").stdout)["id"]["value"]


def test_random_id_is_drawn_once_and_replaced_when_a_keeper_or_its_length_changes(tmp_path):
    plan = tmp_path / PLAN_NAME
    plan.write_text(_plan({"environment": "a"}))
    with workspace(plan) as terraform:
        terraform.run("init")
        terraform.run("apply", "-auto-approve")
        first = _drawn(terraform)
        assert first["hex"].startswith("pay-") and len(first["hex"]) == len("pay-") + 8
        assert base64.urlsafe_b64decode(first["id"] + "==").hex() == first["hex"].removeprefix("pay-")
        assert terraform.terraform("plan", "-detailed-exitcode").returncode == 0  # read back unchanged

        for changed in (_plan({"environment": "b"}), _plan({"environment": "b"}, byte_length=8)):
            (terraform.folder / "plan" / PLAN_NAME).write_text(changed)  # the test's own configuration
            planned = terraform.terraform("plan", "-detailed-exitcode")
            assert planned.returncode == 2 and "must be replaced" in planned.stdout
            terraform.run("apply", "-auto-approve")
            second = _drawn(terraform)
            assert second["hex"] != first["hex"]
            first = second
        assert len(first["hex"]) == len("pay-") + 16
