"""Tooling around the payment stack, one subpackage per command family.

synth/ (tap synth and its plan cache), audit/ (tap audit), live/ (the live suite's
machinery and tap rehearse), preflight/ (tap preflight). Shared at the top: the plan
model and matchers (plan.py), errors, the CLI, and the pytest plugins.
"""
