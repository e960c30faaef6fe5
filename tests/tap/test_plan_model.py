"""The plan model's matchers: they pass what they should and explain what they reject."""

from __future__ import annotations

import pytest

from tap.plan import Capture, Match, Plan

DOCUMENT = {
    "//": {"metadata": {"stackName": "TapStacktest"}},
    "resource": {
        "aws_s3_bucket": {
            "data": {"//": {"metadata": {"path": "TapStacktest/storage/data/bucket"}}, "bucket": "b-data"},
            "logs": {"//": {"metadata": {"path": "TapStacktest/storage/logs/bucket"}}, "bucket": "b-logs"},
        },
        "aws_launch_template": {
            "lt": {
                "metadata_options": {"http_tokens": "optional", "http_put_response_hop_limit": 1},
                "tag_specifications": [{"resource_type": "instance"}, {"resource_type": "volume"}],
            }
        },
        "aws_nat_gateway": {"nat": {"depends_on": ["aws_s3_bucket.data"], "subnet_id": "${aws_subnet.a.id}"}},
    },
    "output": {"x": {"value": "1"}},
}


@pytest.fixture
def plan():
    return Plan(DOCUMENT)


def test_assert_all_names_resource_and_key_that_differ(plan):
    with pytest.raises(AssertionError) as failure:
        plan.resources("aws_launch_template").assert_all({"metadata_options": {"http_tokens": "required"}})
    message = str(failure.value)
    assert "aws_launch_template.lt" in message
    assert "metadata_options.http_tokens: expected exactly 'required', got 'optional'" in message


def test_assert_all_refuses_an_empty_selection(plan):
    with pytest.raises(AssertionError, match="no aws_db_instance in the plan"):
        plan.resources("aws_db_instance").assert_all({"storage_encrypted": True})


def test_assert_some_passes_when_one_matches_and_returns_it(plan):
    found = plan.resources("aws_s3_bucket").assert_some({"bucket": "b-logs"})
    assert [r.address for r in found] == ["aws_s3_bucket.logs"]
    with pytest.raises(AssertionError, match="no aws_s3_bucket matches"):
        plan.resources("aws_s3_bucket").assert_some({"bucket": "b-other"})


def test_assert_count_counts_matches(plan):
    plan.resources("aws_s3_bucket").assert_count(2)
    plan.resources("aws_s3_bucket").assert_count(1, {"bucket": "b-data"})
    with pytest.raises(AssertionError, match="expected 3 aws_s3_bucket, found 2"):
        plan.resources("aws_s3_bucket").assert_count(3)


def test_assert_none_reports_offenders_with_path(plan):
    plan.resources("aws_s3_bucket").assert_none({"acl": Match.any_value()})
    with pytest.raises(AssertionError, match=r"aws_s3_bucket.data \(storage/data/bucket\)"):
        plan.resources("aws_s3_bucket").assert_none({"bucket": "b-data"})


def test_absent_and_array_with(plan):
    template = plan.resources("aws_launch_template").only()
    assert template.matches({"user_data": Match.absent()})
    assert not template.matches({"metadata_options": Match.absent()})
    assert template.matches({"tag_specifications": [{"resource_type": "volume"}]})
    assert template.mismatches({"tag_specifications": [{"resource_type": "network-interface"}]}) == [
        "tag_specifications: no element matches {'resource_type': 'network-interface'}"
    ]


def test_exact_differs_from_object_like(plan):
    template = plan.resources("aws_launch_template").only()
    assert template.matches({"metadata_options": {"http_tokens": "optional"}})
    assert not template.matches({"metadata_options": Match.exact({"http_tokens": "optional"})})


def test_capture_keeps_matched_values(plan):
    captured = Capture()
    plan.resources("aws_s3_bucket").assert_all({"bucket": captured})
    assert sorted(captured.values) == ["b-data", "b-logs"]
    with pytest.raises(AssertionError, match="captured 2 values"):
        _ = captured.value


def test_selection_by_construct_path(plan):
    assert plan.resources("aws_s3_bucket").at_path("storage/logs/bucket").name == "logs"
    assert [r.name for r in plan.resources(under="storage/data")] == ["data"]


def test_dependencies_and_references(plan):
    nat = plan.resources("aws_nat_gateway").only()
    assert [r.address for r in plan.dependencies(nat)] == ["aws_s3_bucket.data"]
    assert nat.matches({"subnet_id": Match.reference_to("aws_subnet.a", "id")})
    assert not nat.matches({"subnet_id": Match.reference_to("aws_subnet.b")})
    assert plan.stack_name == "TapStacktest" and plan.outputs == {"x": "1"}
