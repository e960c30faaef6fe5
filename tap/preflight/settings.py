"""Preflight's checks of the deployment's own settings: the listener certificate, the profile the state
holds, the alarm recipients and the keys' administrator; the synth's stand-ins are blockers."""

from __future__ import annotations

from collections.abc import Iterator

from botocore.exceptions import ClientError

from stack.config import server_certificate_name
from tap.live.guard import Account
from tap.placeholders import ALARM_ADDRESS, CERTIFICATE, KEY_ADMINISTRATOR
from tap.preflight.deployment import BLOCKER, PASS, Deployment, Result


def certificate(account: Account, deployment: Deployment) -> Iterator[Result]:
    listeners = [
        listener for listener in deployment.plan.resources("aws_lb_listener") if listener.get("certificate_arn")
    ]
    for listener in listeners:
        arn = listener["certificate_arn"]
        if CERTIFICATE.matches(arn):
            yield Result(
                "listener certificate",
                BLOCKER,
                f"{CERTIFICATE.setting} is the synth placeholder: {CERTIFICATE.what}",
                f"set {CERTIFICATE.setting} to an ACM certificate in this region",
            )
            continue
        try:
            if server_certificate_name(arn):
                account("iam").get_server_certificate(ServerCertificateName=server_certificate_name(arn))
                status = "ISSUED"
            else:
                status = account("acm").describe_certificate(CertificateArn=arn)["Certificate"]["Status"]
        except ClientError as error:
            yield Result(
                "listener certificate",
                BLOCKER,
                f"{arn} cannot be read ({error.response['Error']['Code']})",
                "create or import the certificate in this account and region",
            )
            continue
        if status == "ISSUED":
            yield Result("listener certificate", PASS, f"{arn} is issued")
        else:
            yield Result("listener certificate", BLOCKER, f"{arn} is {status}", "use an issued certificate")


def profile(account: Account, deployment: Deployment) -> Iterator[Result]:
    planned = deployment.plan.default_tags.get("Profile", "unknown")
    deployed = deployment.deployed_profiles
    if not deployed:
        yield Result("profile", PASS, f"the state holds no deployed profile yet; the plan is {planned}")
    elif deployed != {planned}:
        yield Result(
            "profile",
            BLOCKER,
            f"the state shows profile {', '.join(sorted(deployed))} deployed, and this plan is {planned}: "
            "the deploy would rebuild the environment as another profile",
            "synthesize with the environment's declared profile (environments.toml), or destroy it first",
        )
    else:
        yield Result("profile", PASS, f"the plan keeps the deployed profile {planned}")


def alarm_recipients(account: Account, deployment: Deployment) -> Iterator[Result]:
    """Alarms that reach nobody are no alarms: the topic's addresses must be real ones."""
    emails = sorted(s["endpoint"] for s in deployment.plan.resources("aws_sns_topic_subscription"))
    if not emails or any(ALARM_ADDRESS.matches(email) for email in emails):
        yield Result(
            "alarm recipients",
            BLOCKER,
            f"{ALARM_ADDRESS.setting} is the synth placeholder: alarms would reach nobody",
            f"set {ALARM_ADDRESS.setting} to the addresses of the people on call (comma-separated)",
        )
    else:
        yield Result(
            "alarm recipients",
            PASS,
            f"alarms go to {', '.join(emails)}",
            "each address must confirm the subscription email AWS sends after the deploy",
        )


def key_administrator(account: Account, deployment: Deployment) -> Iterator[Result]:
    """KMS refuses a key policy its creator could not change: the keys must name the role that deploys."""
    holders = KEY_ADMINISTRATOR.holders(deployment.plan)
    if holders:
        yield Result(
            "key administrator",
            BLOCKER,
            f"{KEY_ADMINISTRATOR.setting} is the synth placeholder: {KEY_ADMINISTRATOR.what} ({holders[0]})",
            f"set {KEY_ADMINISTRATOR.setting} to the role that deploys and destroys the stack",
        )
    else:
        yield Result("key administrator", PASS, "the keys name the deployment's own administrator role")
