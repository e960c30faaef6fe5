"""Tooling around the payment stack: synth, plan model and matchers, CLI."""
