"""Inputs teams actually use and misuse for a deployment."""

from hypothesis import strategies as st

from stack.config import PROFILES
from stack.naming import SUFFIX_LENGTH

# The longest environment suffix the README promises to accept.
MAX_ENVIRONMENT_SUFFIX = 11

REALISTIC = [
    "dev",
    "prod",
    "pr6460",
    "staging",
    "qa-2",
    "feature/JIRA-123_add-3ds",
    "Prod",
    "pr_6460",
    "dév",
    "",
    "-dev",
    "dev-",
    "a--b",
    "x" * 64,
    "release-2026-11-29",
    "ü",
    "pr6460 ",
    "DEV",
]

valid_environment_suffixes = st.from_regex(r"[a-z0-9]+(-[a-z0-9]+)*", fullmatch=True).filter(
    lambda s: len(s) <= MAX_ENVIRONMENT_SUFFIX
)
any_environment_suffixes = st.one_of(st.sampled_from(REALISTIC), st.text(max_size=40), valid_environment_suffixes)
deployment_suffixes = st.text(alphabet="0123456789abcdef", min_size=SUFFIX_LENGTH, max_size=SUFFIX_LENGTH)
profiles = st.sampled_from(PROFILES)
regions = st.sampled_from(
    ["ap-southeast-1", "us-east-1", "eu-west-1", "eu-central-2", "ap-northeast-3", "us-gov-west-1"]
)
