"""Completes the CloudWatch agent's configuration on an instance, at boot: the deployment suffix of its
log group names, read from the instance's own profile.

User data is the same for every deployment of an environment (so the audit and the secret scan read it
as it is, with no value left for Terraform to fill in); the log groups' names end in the deployment
suffix (stack/naming.py), which the instance profile's name ends in too. Run by the user data as
`python3 agent_setup.py PROFILE_PREFIX TEMPLATE CONFIG`: it reads the profile's name from the instance
metadata service (IMDSv2), refuses one that does not start with PROFILE_PREFIX, and writes TEMPLATE with
each SUFFIX_MARK replaced by the rest of the name into CONFIG. Standard library only, Python 3.9.
"""

import json
import re
import sys
import urllib.request

SUFFIX_MARK = "@DEPLOYMENT_SUFFIX@"
METADATA = "http://169.254.169.254/latest"
SUFFIX = re.compile(r"[0-9a-f]+")


def profile_name(metadata=METADATA):
    """The instance profile's name, from its ARN in the instance metadata (IMDSv2: a token first)."""
    token_request = urllib.request.Request(
        metadata + "/api/token", method="PUT", headers={"X-aws-ec2-metadata-token-ttl-seconds": "60"}
    )
    with urllib.request.urlopen(token_request, timeout=5) as answer:
        token = answer.read().decode()
    info_request = urllib.request.Request(metadata + "/meta-data/iam/info", headers={"X-aws-ec2-metadata-token": token})
    with urllib.request.urlopen(info_request, timeout=5) as answer:
        return json.load(answer)["InstanceProfileArn"].rsplit("/", 1)[1]


def configured(template, profile, prefix):
    """The template with the deployment suffix filled in; ValueError when the profile is not the stack's."""
    suffix = profile[len(prefix) :] if profile.startswith(prefix) else ""
    if not SUFFIX.fullmatch(suffix):
        raise ValueError(f"instance profile {profile!r} is not {prefix}<deployment suffix>")
    return template.replace(SUFFIX_MARK, suffix)


def main(argv, metadata=METADATA):
    prefix, template, config = argv[1:4]
    with open(template) as source:
        text = configured(source.read(), profile_name(metadata), prefix)
    with open(config, "w") as target:
        target.write(text)


if __name__ == "__main__":
    main(sys.argv)
