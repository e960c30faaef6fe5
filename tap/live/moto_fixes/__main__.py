"""moto's server with the fixes applied: `python -m tap.live.moto_fixes --host 127.0.0.1 --port N`."""

import sys

from tap.live.moto_fixes import main

main(sys.argv[1:])
