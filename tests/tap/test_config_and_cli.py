"""Bad input ends in one sentence naming the field and exit code 2, never a traceback."""

from __future__ import annotations

import pytest

from stack.config import PLACEHOLDER_ALARM_EMAIL, Config, ConfigError, environments
from tap.cli import main
from tap.live.emulator import REHEARSAL_CERTIFICATE


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
        # Internet destinations: IPv4 networks of /20 or narrower, public, each once.
        ({"internet_egress_cidrs": ("0.0.0.0/0",)}, "INTERNET_EGRESS_CIDRS"),
        ({"internet_egress_cidrs": ("198.51.0.0/16",)}, "INTERNET_EGRESS_CIDRS"),
        ({"internet_egress_cidrs": ("198.51.100.7/24",)}, "INTERNET_EGRESS_CIDRS"),
        ({"internet_egress_cidrs": ("2001:db8::/64",)}, "INTERNET_EGRESS_CIDRS"),
        ({"internet_egress_cidrs": ("payments.example",)}, "INTERNET_EGRESS_CIDRS"),
        ({"internet_egress_cidrs": ("10.0.5.0/24",)}, "INTERNET_EGRESS_CIDRS"),
        ({"internet_egress_cidrs": ("169.254.169.254/32",)}, "INTERNET_EGRESS_CIDRS"),
        ({"internet_egress_cidrs": ("203.0.113.0/24", "203.0.113.0/24")}, "INTERNET_EGRESS_CIDRS"),
        ({"alarm_emails": ("ops@payments.example", "not-an-address")}, "ALARM_EMAILS"),
        ({"key_administrator_role": "role/with/slashes"}, "KEY_ADMINISTRATOR_ROLE"),
        # Whole values only: a final newline, another script's digits or letters, a control character.
        ({"key_administrator_role": "payment-key-administrator\n"}, "KEY_ADMINISTRATOR_ROLE"),
        ({"key_administrator_role": "payment-kéy-administrator"}, "KEY_ADMINISTRATOR_ROLE"),
        ({"alarm_emails": ("ops@payments.example\n",)}, "ALARM_EMAILS"),
        ({"alarm_emails": ("ops\x1b[8m@payments.example",)}, "ALARM_EMAILS"),
        ({"region": "ap-southeast-\u0661"}, "AWS_REGION"),
        ({"region": "ap-southeast-1\n"}, "AWS_REGION"),
        ({"environment_suffix": "dev\n"}, "ENVIRONMENT_SUFFIX"),
        ({"certificate_arn": f"{Config().certificate_arn}\n"}, "ALB_CERTIFICATE_ARN"),
        ({"internet_egress_cidrs": ("203.0.113.0/24\n",)}, "INTERNET_EGRESS_CIDRS"),
        # The application's image: an AMI id or the SSM parameter holding one, whole.
        ({"app_image": "ami-12345"}, "APP_IMAGE"),
        ({"app_image": "ami-0123456789ABCDEF0"}, "APP_IMAGE"),
        ({"app_image": "ami-0123456789abcdef0\n"}, "APP_IMAGE"),
        ({"app_image": "al2023-ami-kernel-default-x86_64"}, "APP_IMAGE"),
        ({"app_image": "/payments/images//app"}, "APP_IMAGE"),
        ({"app_image": "/payments/images/app name"}, "APP_IMAGE"),
        ({"app_image": "/" + "p" * 1011}, "APP_IMAGE"),
        ({"app_image": ""}, "APP_IMAGE"),
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


@pytest.mark.parametrize("destinations", [(), ("203.0.113.0/24",), ("198.51.100.0/22", "203.0.113.10/32")])
def test_config_round_trips_through_environment(destinations):
    config = Config(
        environment_suffix="pr6460",
        profile="prod",
        region="eu-west-1",
        internet_egress_cidrs=destinations,
        alarm_emails=("oncall@payments.example", "security@payments.example"),
        key_administrator_role="payment-deployer",
        app_image="/payments/images/app/current",
    )
    assert Config.from_env(config.to_env()) == config


def test_declared_destinations_are_read_from_a_comma_separated_variable():
    config = Config.from_env({"INTERNET_EGRESS_CIDRS": " 203.0.113.0/24, 198.51.100.0/22 ,"})
    assert config.internet_egress_cidrs == ("203.0.113.0/24", "198.51.100.0/22")
    assert Config(internet_egress_cidrs="203.0.113.0/24").internet_egress_cidrs == ("203.0.113.0/24",)


@pytest.mark.parametrize(
    ("destinations", "nat_gateways"), [((), {"dev": 0, "prod": 0}), (("203.0.113.0/24",), {"dev": 1, "prod": 3})]
)
def test_nat_gateways_exist_only_for_declared_destinations(destinations, nat_gateways):
    counts = {p: Config(profile=p, internet_egress_cidrs=destinations).nat_gateway_count for p in ("dev", "prod")}
    assert counts == nat_gateways


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


@pytest.mark.parametrize(("environment", "profile"), [("dev", "dev"), ("prod", "prod"), ("nightly", "dev")])
def test_declared_environment_takes_its_profile_from_the_repository(environment, profile):
    assert Config.from_env({"ENVIRONMENT_SUFFIX": environment}).profile == profile


@pytest.mark.parametrize(
    ("environ", "overrides", "expected"),
    [
        ({"ENVIRONMENT_SUFFIX": "prod", "STACK_PROFILE": "dev"}, {}, "contradicts environments.toml"),
        ({}, {"environment_suffix": "prod", "profile": "dev"}, "contradicts environments.toml"),
        ({"ENVIRONMENT_SUFFIX": "pr7"}, {}, "is not declared in environments.toml"),
    ],
)
def test_profile_is_never_guessed_nor_contradicted(environ, overrides, expected):
    with pytest.raises(ConfigError, match=expected):
        Config.from_env(environ, **overrides)


def test_undeclared_environment_takes_the_profile_it_names():
    assert Config.from_env({"ENVIRONMENT_SUFFIX": "pr7", "STACK_PROFILE": "prod"}).profile == "prod"


@pytest.mark.parametrize(
    "content", ['[dev]\nprofile = "staging"\n', '[dev]\nprofile = "dev"\nregion = 1\n', "dev = 'dev'\n", "[dev\n"]
)
def test_malformed_environments_file_is_one_sentence(content, tmp_path):
    path = tmp_path / "environments.toml"
    path.write_text(content)
    with pytest.raises(ConfigError) as refused:
        environments(path)
    assert str(refused.value).startswith("environments.toml ") and "\n" not in str(refused.value)


@pytest.mark.parametrize(
    "overrides",
    [
        {"environment_suffix": "dev\n"},
        {"region": "ap-southeast-1\n"},
        {"certificate_arn": REHEARSAL_CERTIFICATE + "\n"},
    ],
)
def test_trailing_newline_is_refused(overrides):
    # `$` matches before a final newline: 'ap-southeast-1\n' once made AZs named 'ap-southeast-1\na'.
    with pytest.raises(ConfigError):
        Config(**overrides)
