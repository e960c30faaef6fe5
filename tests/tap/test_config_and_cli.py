"""Bad input ends in one sentence naming the field and exit code 2, never a traceback."""

from __future__ import annotations

import pytest

from stack.config import PLACEHOLDER_ALARM_EMAIL, Config, ConfigError
from tap.cli import main


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"environment_suffix": "Bad_Suffix!"}, "ENVIRONMENT_SUFFIX"),
        ({"environment_suffix": ""}, "ENVIRONMENT_SUFFIX"),
        ({"environment_suffix": "pr--1"}, "ENVIRONMENT_SUFFIX"),
        ({"environment_suffix": "feature-very-long-branch"}, "ENVIRONMENT_SUFFIX"),
        ({"profile": "staging"}, "profile"),
        ({"region": "Mars-1"}, "AWS_REGION"),
        ({"vpc_cidr": "10.0.0.0/8"}, "vpc_cidr"),
        ({"certificate_arn": "not-an-arn"}, "ALB_CERTIFICATE_ARN"),
        ({"alarm_emails": ("ops@payments.example", "not-an-address")}, "ALARM_EMAILS"),
        ({"key_administrator_role": "role/with/slashes"}, "KEY_ADMINISTRATOR_ROLE"),
    ],
)
def test_bad_config_is_refused_naming_the_field(overrides, field):
    with pytest.raises(ConfigError) as refused:
        Config(**overrides)
    assert refused.value.field == field
    message = str(refused.value)
    assert message.startswith(field) and message.endswith(".") and "\n" not in message


def test_config_is_frozen():
    with pytest.raises(AttributeError):
        Config().profile = "prod"  # type: ignore[misc]


def test_config_round_trips_through_environment():
    config = Config(
        environment_suffix="pr6460",
        profile="prod",
        region="eu-west-1",
        alarm_emails=("oncall@payments.example", "security@payments.example"),
        key_administrator_role="payment-deployer",
    )
    assert Config.from_env(config.to_env()) == config


def test_alarm_emails_default_to_an_undeliverable_placeholder():
    assert Config().alarm_emails == (PLACEHOLDER_ALARM_EMAIL,)
    assert PLACEHOLDER_ALARM_EMAIL.endswith(".invalid")


def test_too_long_suffix_names_the_name_that_cannot_fit():
    with pytest.raises(ConfigError, match=r"payment-alb-feature-very-long-branch-ffffffff' is 45 characters"):
        Config(environment_suffix="feature-very-long-branch")


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["synth", "--env", "Bad_Suffix!"], "tap: ENVIRONMENT_SUFFIX may hold only lowercase letters"),
        (["synth", "--profile", "staging"], "tap: argument --profile: invalid choice"),
        (["deploy"], "tap: argument command: invalid choice"),
    ],
)
def test_cli_bad_input_exits_2_with_one_line(argv, expected, capsys):
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(expected)
    assert captured.err.count("\n") == 1
