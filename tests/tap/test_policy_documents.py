"""The live suite's canonical policy documents: equal in meaning compares equal, any widening does not."""

from __future__ import annotations

import json

from tap.live.documents import canonical

TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}},
        },
        {"Sid": "Logs", "Effect": "Allow", "Action": ["logs:PutLogEvents", "logs:CreateLogStream"], "Resource": "*"},
    ],
}


def _rewritten(*dropped: str, **changes) -> dict:
    """TRUST with its first statement changed."""
    document = json.loads(json.dumps(TRUST))
    for key in dropped:
        del document["Statement"][0][key]
    document["Statement"][0].update(changes)
    return document


def test_order_and_lone_values_do_not_matter():
    reordered = {"Version": "2012-10-17", "Statement": list(reversed(TRUST["Statement"]))}
    reordered["Statement"][0]["Action"] = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:CreateLogStream"]
    listed = _rewritten(
        Principal={"Service": ["ec2.amazonaws.com"]},
        Action=["sts:AssumeRole"],
        Condition={"StringEquals": {"aws:SourceAccount": ["123456789012"]}},
    )
    assert canonical(reordered) == canonical(listed) == canonical(json.dumps(TRUST)) == canonical(TRUST)


def test_a_lone_statement_is_a_list_of_one():
    (statement, _) = TRUST["Statement"]
    assert canonical({"Statement": statement}) == canonical({"Statement": [statement]})


def test_every_widening_stays_visible():
    widened = [
        _rewritten(Principal={"AWS": "*"}),
        _rewritten(Principal="*"),
        _rewritten(Principal={"Service": "ec2.amazonaws.com", "AWS": "arn:aws:iam::111122223333:root"}),
        _rewritten("Condition"),
        _rewritten(Effect="Deny"),
    ]
    forms = [json.dumps(canonical(document), sort_keys=True) for document in [TRUST, *widened]]
    assert len(set(forms)) == len(forms)
