"""The leads page's read model: the pipeline by stage, and the conversion of each source."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from domain.people.leads import STAGES, LeadRow, pipeline


@dataclass(frozen=True)
class SourceConversion:
    """How far the leads of one source (an ad, a link code, typed in, organic) have come."""

    source: str
    detail: str | None  # the ad's headline or the link code; None for typed and organic leads
    label: str | None  # the link code's label
    leads: int
    booked: int
    attended: int
    members: int

    def percent(self, count: int) -> int:
        return round(100 * count / self.leads) if self.leads else 0


@dataclass(frozen=True)
class LeadPipeline:
    stages: dict[str, list[LeadRow]]  # every stage, in order, with its leads (newest first)
    conversion: list[SourceConversion]  # the sources with most leads first
    total: SourceConversion


def _conversion(source: str, detail: str | None, label: str | None, rows: list[LeadRow]) -> SourceConversion:
    return SourceConversion(source, detail, label, len(rows), sum(1 for r in rows if r.trial_booked_at),
                            sum(1 for r in rows if r.trial_attended_at), sum(1 for r in rows if r.member_at))


async def lead_pipeline(session: AsyncSession, business_id: int) -> LeadPipeline:
    rows = await pipeline(session, business_id)
    stages: dict[str, list[LeadRow]] = {stage: [] for stage in STAGES}
    by_source: dict[tuple[str, str | None], list[LeadRow]] = {}
    for row in rows:
        stages[row.stage].append(row)
        detail = row.source_detail if row.source in ("ad", "link") else None
        by_source.setdefault((row.source, detail), []).append(row)
    conversion = [_conversion(source, detail, group[0].code_label, group) for (source, detail), group in by_source.items()]
    conversion.sort(key=lambda c: (-c.leads, c.source, c.detail or ""))
    return LeadPipeline(stages, conversion, _conversion("all", None, None, rows))
