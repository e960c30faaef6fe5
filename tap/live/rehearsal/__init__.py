"""`tap rehearse`: provision a synthesized plan into an AWS emulator (a moto server).

`engine` walks the plan and resolves references; each other module translates the
Terraform types of one AWS concern (mirroring `stack/`) into boto3 calls, registered with
`@handles("<type>")`. Importing this package registers every translator.
"""

from tap.live.rehearsal import account, compute, database, edge, keys_logs_alarms, network, storage  # noqa: F401
from tap.live.rehearsal.engine import EMULATOR_CREDENTIALS, HANDLERS, Rehearsal, check_loopback, rehearse

__all__ = ["EMULATOR_CREDENTIALS", "HANDLERS", "Rehearsal", "check_loopback", "rehearse"]
