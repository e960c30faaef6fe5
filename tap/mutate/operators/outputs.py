"""Outputs-file mutants (lesson 4, CDKTF's nested outputs misread): the account stays pristine, the file lies.

The live suite must never pass on a misread file: it refuses it (exit 2, one sentence)
or fails the tests the wrong identifiers break.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tap.mutate.operators import Case, Scope

LESSON = 4


def outputs_file(scope: Scope) -> Iterator[Case]:
    # One reader (tap/live/outputs.py) reads every profile's file: its mutants are made once per campaign,
    # from the first profile's file, not once per profile (they are a sixth of a profile's mutants).
    if not scope.first:
        return
    stack = scope.stack
    yield scope.case(stack, "flatten", "", "no stack level", "other", rewrite=lambda doc: doc[stack], lesson=LESSON)
    for other in sorted(scope.others):
        yield scope.case(stack, "rename", "", f"-> {other}", "other", rewrite=_renamed(stack, other), lesson=LESSON)
    for key in sorted(scope.outputs):
        yield scope.case(stack, "drop", key, "", "other", rewrite=_dropped(stack, key), lesson=LESSON)
    for other, values in sorted(scope.others.items()):
        for key in sorted(scope.outputs):
            if key in values and values[key] != scope.outputs[key]:
                yield scope.case(
                    stack,
                    "swap",
                    key,
                    f"-> {other}'s",
                    "other",
                    rewrite=_swapped(stack, key, values[key]),
                    lesson=LESSON,
                )


def _renamed(stack: str, other: str):
    return lambda doc: {other: doc[stack]}


def _dropped(stack: str, key: str):
    return lambda doc: {stack: {name: value for name, value in doc[stack].items() if name != key}}


def _swapped(stack: str, key: str, value: Any):
    return lambda doc: {stack: {**doc[stack], key: value}}


GENERATORS = (outputs_file,)
