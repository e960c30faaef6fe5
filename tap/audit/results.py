"""A finding's status, and each requirement's result: what the plan shows, or what a deployment shows.

A report without live results is a design-time report: its results say what the plan shows. Only a
deployment of the same plan, checked live, gives a Report on Compliance's results (in place or not).
"""

from __future__ import annotations

from dataclasses import dataclass

from tap.audit.judgement import FAILED, NOT_EVALUATED, PASSED
from tap.audit.judgement import NOT_APPLICABLE as INAPPLICABLE
from tap.audit.mapping import Requirement

WAIVED = "WAIVED"
STATUSES = (PASSED, FAILED, WAIVED, INAPPLICABLE, NOT_EVALUATED)

DESIGN, DEPLOYED = "design", "deployed"
CONFIGURED, CONFIGURED_PARTIAL, NOT_CONFIGURED = "configured", "configured_partial", "not_configured"
CONFIGURED_WITH_EXCEPTION = "configured_with_exception"
IN_PLACE, IN_PLACE_PARTIAL, NOT_IN_PLACE = "in_place", "in_place_partial", "not_in_place"
IN_PLACE_WITH_EXCEPTION = "in_place_with_exception"
NOT_APPLICABLE, NOT_TESTED, NOT_EVALUATED_RESULT = "not_applicable", "not_tested", "not_evaluated"
MANUAL_EVIDENCE = "manual_evidence_required"
# Each stage's results where the evidence passed, passed only in part, rests on a waiver, or failed.
STAGE_RESULTS = {
    DESIGN: (CONFIGURED, CONFIGURED_PARTIAL, CONFIGURED_WITH_EXCEPTION, NOT_CONFIGURED),
    DEPLOYED: (IN_PLACE, IN_PLACE_PARTIAL, IN_PLACE_WITH_EXCEPTION, NOT_IN_PLACE),
}
RESULT_LABELS = {
    CONFIGURED: "Configured",
    CONFIGURED_PARTIAL: "Configured (partial)",
    CONFIGURED_WITH_EXCEPTION: "Configured with exception",
    NOT_CONFIGURED: "Not Configured",
    IN_PLACE: "In Place",
    IN_PLACE_PARTIAL: "In Place (partial)",
    IN_PLACE_WITH_EXCEPTION: "In Place with exception",
    NOT_IN_PLACE: "Not in Place",
    NOT_EVALUATED_RESULT: "Not Evaluated",
    NOT_APPLICABLE: "Not Applicable",
    NOT_TESTED: "Not Tested",
    MANUAL_EVIDENCE: "Manual evidence required",
}


@dataclass(frozen=True)
class RequirementSummary:
    requirement: Requirement
    controls: tuple[str, ...]
    counts: dict[str, int]  # findings by status (not applicable ones aside)
    live: dict[str, int]  # live test outcomes
    exceptions: tuple[str, ...] = ()  # each waived failure it rests on: the waiver, and whether a worksheet backs it
    stage: str = DESIGN  # deployed when live results of a deployment of this plan are folded in
    # What the findings are: one check on 116 resources is one control, not 116 passes.
    checks: int = 0  # distinct checks with a finding that counts
    resources: int = 0  # distinct resources they judged
    supporting: tuple[str, ...] = ()  # controls shown beside it that do not evidence it

    @property
    def result(self) -> str:
        if self.requirement.declared_result:
            return self.requirement.declared_result
        passed, partial, excepted, failed = STAGE_RESULTS[self.stage]
        if self.counts[FAILED] or self.live.get("failed") or self.live.get("error"):
            return failed
        if self.counts[NOT_EVALUATED]:
            return NOT_EVALUATED_RESULT
        # Manual coverage: whatever passed, the suite alone cannot establish it; the artefact is still_needed.
        if self.requirement.coverage == "manual":
            return MANUAL_EVIDENCE
        if not (self.counts[PASSED] or self.counts[WAIVED] or any(self.live.values())):
            return NOT_TESTED
        # A waived failure is not evidence that the control works: it is an accepted exception.
        if self.counts[WAIVED]:
            return excepted
        return partial if self.requirement.coverage == "partial" else passed

    @property
    def label(self) -> str:
        """The result as a person reads it: partial evidence is never shown as a plain result."""
        label = RESULT_LABELS[self.result]
        excepted = self.result in (CONFIGURED_WITH_EXCEPTION, IN_PLACE_WITH_EXCEPTION)
        return f"{label} (partial)" if excepted and self.requirement.coverage == "partial" else label
