"""The nightly's live command for the rehearsal tests: it lives in tap/live/suite.py, shared with `tap mutate`."""

from tap.live.suite import LiveRun, live_run, run_live_suite

__all__ = ["LiveRun", "live_run", "run_live_suite"]
