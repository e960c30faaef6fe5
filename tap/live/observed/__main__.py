"""`python -m tap.live.observed`: the live table's size per type (read from the account, not observable)."""

from tap.console import say
from tap.live.observed import KINDS, UNOBSERVED_TYPES, sizes

for type_, (observable, unobservable) in sizes().items():
    beyond = len(KINDS[type_].beyond_emulator)
    say(f"{type_:56} {observable:3} observable ({beyond} beyond the emulator) {unobservable:3} not observable")
say(f"{len(KINDS)} types; {len(UNOBSERVED_TYPES)} types no API shows: {', '.join(UNOBSERVED_TYPES)}")
