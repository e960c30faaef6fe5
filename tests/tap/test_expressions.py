"""Terraform expressions in a plan: which the audit reads (references, constants) and which it cannot."""

from __future__ import annotations

import json

import pytest

from tap.expressions import (
    borrowed,
    fold,
    fold_json,
    inputs,
    interpolations,
    is_reference,
    unresolved,
    whole_expression,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${aws_kms_key.data.arn}", ["aws_kms_key.data.arn"]),
        ("arn:aws:iam::${data.aws_caller_identity.a.account_id}:root", ["data.aws_caller_identity.a.account_id"]),
        ("$${not.an.interpolation}", []),  # `$${` is the literal text `${`
        ('${merge(var.tags, {a = "}"})}', ['merge(var.tags, {a = "}"})']),  # braces in strings and objects
        ("${a.b}-${c.d}", ["a.b", "c.d"]),
        ("${unterminated", ["unterminated"]),
    ],
)
def test_interpolations_are_found_whole(text, expected):
    assert interpolations(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("${true}", "true"), ("${a.b}-${c.d}", None), ("x${a.b}", None), ("plain", None), (True, None)],
)
def test_whole_expression_is_one_interpolation_only(text, expected):
    assert whole_expression(text) == expected


@pytest.mark.parametrize(
    ("expression", "reference"),
    [
        ("aws_kms_key.data.arn", True),
        ("data.aws_caller_identity.account.account_id", True),
        ("aws_instance.web[0].id", True),
        ("var.size", False),
        ("local.tags", False),
        ("module.vpc.id", False),
        ("data.terraform_remote_state.network.outputs.vpc_id", False),  # another state: an input, not this plan
        ("upper(aws_s3_bucket.b.id)", False),
    ],
)
def test_a_reference_names_a_block_of_this_plan(expression, reference):
    assert is_reference(expression) is reference


@pytest.mark.parametrize(
    ("value", "folded"),
    [
        ("${true}", True),
        ("${ false }", False),
        ("${null}", None),
        ("${42}", 42),
        ("${-1.5}", -1.5),
        ('${"text"}', "text"),
        ("${1 == 1}", "${1 == 1}"),  # Terraform evaluates it; the audit does not guess
        ('${"a-${var.x}"}', '${"a-${var.x}"}'),  # a template inside is no constant
        ("${var.x}", "${var.x}"),
        ({"nested": ["${true}", {"deeper": "${0}"}]}, {"nested": [True, {"deeper": 0}]}),
        ('${"tr"}ue', "true"),  # a template of text and constants renders to a known string
        ('0.0.0.${"0"}/${0}', "0.0.0.0/0"),
        ("${1e400}", "${1e400}"),  # no finite number: Terraform keeps it exact, JSON cannot hold it
        ("%{ if true }x%{ endif }", "%{ if true }x%{ endif }"),  # a directive is evaluated by Terraform only
        ("$${not.an.interpolation}", "$${not.an.interpolation}"),  # escapes stay as written
        ("a-${null}", "a-${null}"),  # null in a template is an error, not text
    ],
)
def test_only_constant_expressions_fold(value, folded):
    assert fold(value) == folded


@pytest.mark.parametrize(
    ("value", "unread"),
    [
        ("${aws_kms_key.k.arn}", []),
        ("${true}", []),
        ("arn:${data.aws_partition.p.partition}:s3:::b", []),
        ("${var.public}", ["${var.public}"]),
        ("${1 == 1}", ["${1 == 1}"]),
        ("prefix-${upper(local.x)}", ["${upper(local.x)}"]),
        ("plain text", []),
        (12, []),
        ("%{ if true }0.0.0.0/0%{ endif }", ["%{ if true }", "%{ endif }"]),
        ('${"tr"}ue', []),
        ("$${var.literal}", []),
    ],
)
def test_unresolved_names_what_only_terraform_can_evaluate(value, unread):
    assert unresolved(value) == unread


def test_inputs_name_variables_locals_and_remote_states():
    assert inputs("${merge(var.tags, local.extra)}") == ["local.extra", "var.tags"]
    assert inputs("${-var.days}") == inputs("${ - var.days}") == ["var.days"]  # unary minus
    assert inputs("${local . world}") == ["local.world"]  # HCL allows spaces around the dot
    assert inputs("%{ if var.public }true%{ endif }") == ["var.public"]  # directives too
    assert inputs("${my-var.x}") == []  # a dash inside a name is no operator
    assert inputs("${data.terraform_remote_state.net.outputs.id}") == ["data.terraform_remote_state.net"]
    assert inputs('${upper("var.not_an_input")}') == []
    assert inputs("${aws_vpc.main.id}") == []


def test_fold_json_keeps_every_line_and_leaves_keys_alone():
    document = {"resource": {"aws_db_instance": {"db": {"publicly_accessible": "${true}", "${true}": "${1}"}}}}
    text = json.dumps(document, indent=2)
    folded = fold_json(text)
    assert folded.count("\n") == text.count("\n")
    assert json.loads(folded)["resource"]["aws_db_instance"]["db"] == {"publicly_accessible": True, "${true}": 1}
    assert fold_json('{"a": "${var.x}"}') == '{"a": "${var.x}"}'


def test_a_reference_is_evidence_only_of_which_block_not_of_a_value_computed_there():
    assert borrowed("${aws_kms_key.data.arn}") == borrowed("${aws_subnet.app[0].id}") == []
    assert borrowed("arn:aws:iam::${data.aws_caller_identity.account.account_id}:root") == []
    assert borrowed("${terraform_data.peer.output}") == ["${terraform_data.peer.output}"]
    assert borrowed("${aws_vpc.main.cidr_block}/0") == ["${aws_vpc.main.cidr_block}"]
