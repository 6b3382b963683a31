"""Pages saved from OCHA FTS's public flow API (`/v1/public/fts/flow`: JSON with `data.flows[]`)
read into flows for funding.services.fts_imports.

Field meanings follow FTS's API documentation: `amountUSD` (as FTS published it),
`originalAmount` and `originalCurrency` (absent for USD flows), `exchangeRate` (units of the
original currency per USD), `status` (pledge, commitment, paid), `boundary` (incoming,
outgoing, internal), `parentFlowId` / `childFlowIds` (a flow split per usage year), and the
typed `sourceObjects` / `destinationObjects` (Organization, Location, UsageYear, GlobalCluster,
Plan, Cluster, Emergency…).
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

STATUSES = {"pledge": "pledged", "commitment": "committed", "paid": "paid"}
# FTS organisation types → Donor.Kind; anything else is "other".
ORGANIZATION_KINDS = {
    "government": "government",
    "un agency": "multilateral",
    "multilateral organization": "multilateral",
    "inter-governmental organization": "multilateral",
    "pooled funds": "pooled_fund",
    "pooled fund": "pooled_fund",
    "private organization/foundation": "private",
    "private sector": "private",
    "ngo": "other",
    "red cross/red crescent": "other",
}


@dataclass(frozen=True)
class FtsObject:
    type: str
    id: str
    name: str
    organization_types: tuple[str, ...] = ()


@dataclass
class FtsFlow:
    """One flow as FTS published it, with what the import reads from it."""

    id: int
    version_id: int
    amount_usd: Decimal
    original_amount: Decimal | None
    original_currency: str | None
    exchange_rate: Decimal | None
    status: str  # FTS's word: pledge, commitment, paid
    boundary: str
    date: datetime.date | None
    parent_id: int | None
    child_ids: tuple[int, ...]
    ref_code: str
    sources: list[FtsObject] = field(default_factory=list)
    destinations: list[FtsObject] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)

    def objects(self, side: str, kind: str) -> list[FtsObject]:
        return [
            o for o in (self.sources if side == "source" else self.destinations) if o.type == kind
        ]

    @property
    def usage_years(self) -> list[int]:
        years = {int(o.name) for o in self.objects("destination", "UsageYear") if o.name.isdigit()}
        return sorted(
            years or {int(o.name) for o in self.objects("source", "UsageYear") if o.name.isdigit()}
        )


def _decimal(value, *, name: str, flow_id) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        raise ValidationError(
            _("Flow %(id)s: %(name)s is not a number.") % {"id": flow_id, "name": name}
        )
    return number


def _date(value) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _objects(items) -> list[FtsObject]:
    found = []
    for item in items or []:
        if not isinstance(item, dict) or "type" not in item:
            continue
        found.append(
            FtsObject(
                type=str(item["type"]),
                id=str(item.get("id", "")),
                name=str(item.get("name", "")),
                organization_types=tuple(str(t) for t in item.get("organizationTypes") or ()),
            )
        )
    return found


def fts_flow_parse(item: dict) -> FtsFlow:
    """One flow of FTS's JSON; a ValidationError names what is wrong with it."""
    flow_id = item.get("id")
    try:
        number = int(flow_id)
        version = int(item.get("versionId") or 1)
    except (TypeError, ValueError) as error:
        raise ValidationError(
            _("A flow without a numeric id or versionId: %(id)r.") % {"id": flow_id}
        ) from error
    status = str(item.get("status", "")).lower()
    if status not in STATUSES:
        raise ValidationError(
            _("Flow %(id)s: status %(status)r is not pledge, commitment or paid.")
            % {"id": number, "status": item.get("status")}
        )
    amount_usd = _decimal(item.get("amountUSD"), name="amountUSD", flow_id=number)
    if amount_usd is None or amount_usd < 0:
        raise ValidationError(_("Flow %(id)s: amountUSD is missing or negative.") % {"id": number})
    return FtsFlow(
        id=number,
        version_id=version,
        amount_usd=amount_usd,
        original_amount=_decimal(item.get("originalAmount"), name="originalAmount", flow_id=number),
        original_currency=(item.get("originalCurrency") or None),
        exchange_rate=_decimal(item.get("exchangeRate"), name="exchangeRate", flow_id=number),
        status=status,
        boundary=str(item.get("boundary", "")),
        date=_date(item.get("date")) or _date(item.get("decisionDate")),
        parent_id=int(item["parentFlowId"]) if item.get("parentFlowId") else None,
        child_ids=tuple(int(c) for c in item.get("childFlowIds") or ()),
        ref_code=str(item.get("refCode") or ""),
        sources=_objects(item.get("sourceObjects")),
        destinations=_objects(item.get("destinationObjects")),
        raw=item,
    )


def fts_pages_read(pages: list[tuple[str, bytes]]) -> list[FtsFlow]:
    """The flows of saved FTS pages (name, content); a page that is not FTS's flow JSON is a
    ValidationError naming it. A flow on several pages is read once, in its latest version."""
    flows: dict[int, FtsFlow] = {}
    for name, content in pages:
        try:
            body = json.loads(content)
            items = body["data"]["flows"]
        except (ValueError, KeyError, TypeError) as error:
            raise ValidationError(
                _("%(name)s is not a page of FTS's flow API (JSON with data.flows).")
                % {"name": name}
            ) from error
        for item in items:
            flow = fts_flow_parse(item)
            kept = flows.get(flow.id)
            if kept is None or kept.version_id < flow.version_id:
                flows[flow.id] = flow
    return sorted(flows.values(), key=lambda f: f.id)
