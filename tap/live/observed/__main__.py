"""`python -m tap.live.observed` prints the live table's size per type."""

from tap.live.observed import main

main()
