"""The README's partner sync script, run as written against a live server."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"


def _script() -> str:
    blocks = re.findall(r"```python\n(# crp_sync\.py.*?)```", README.read_text(), re.S)
    assert len(blocks) == 1, "the README must show exactly one crp_sync.py"
    return blocks[0]


def _run(script: Path, base: str, out: Path) -> str:
    done = subprocess.run(
        [sys.executable, str(script), base, str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "CRP_PAGE_SIZE": "2"},  # many pages: follows `next`
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.django_db(transaction=True)
def test_readme_sync_script_mirrors_everything_and_follows_changes(live_server, tmp_path):
    from demo import loader
    from funding import services
    from funding.models import Contribution
    from plans.models import Plan
    from plans.tests.factories import PlanFactory

    for plan in loader.demo_load():
        services.plan_rollup_recompute(plan_id=plan.pk)
    for n in range(3):
        PlanFactory(slug=f"extra-{n}")
    script = tmp_path / "crp_sync.py"
    script.write_text(_script())
    out = tmp_path / "mirror"

    first = _run(script, live_server.url, out)
    plans = json.loads((out / "plans.json").read_text())
    assert set(plans) == {
        "tajikistan-crp-2020",
        "pakistan-crp-2020-2021",
        "extra-0",
        "extra-1",
        "extra-2",
    }
    assert plans["tajikistan-crp-2020"]["funding_required"] == "1075000.00"
    contributions = json.loads((out / "contributions.json").read_text())
    assert len(contributions) == Contribution.objects.count()
    assert "plans=5" in first

    # Changes: a renamed plan, a deleted contribution, a withdrawn plan, a new draft (invisible).
    tjk = Plan.objects.get(slug="tajikistan-crp-2020")
    tjk.title = "Renamed plan"
    tjk.save()
    gone = Contribution.objects.filter(plan=tjk).first()
    gone_id = gone.pk
    gone.delete()
    withdrawn = Plan.objects.get(slug="pakistan-crp-2020-2021")
    withdrawn.status = Plan.Status.WITHDRAWN
    withdrawn.save()
    PlanFactory(slug="a-draft", status=Plan.Status.DRAFT)

    _run(script, live_server.url, out)
    plans = json.loads((out / "plans.json").read_text())
    assert plans["tajikistan-crp-2020"]["title"] == "Renamed plan"
    assert "pakistan-crp-2020-2021" not in plans and "a-draft" not in plans
    contributions = json.loads((out / "contributions.json").read_text())
    assert str(gone_id) not in contributions
    assert all(c["plan"] != "pakistan-crp-2020-2021" for c in contributions.values())
    objectives = json.loads((out / "objectives.json").read_text())
    assert all(o["plan"] != "pakistan-crp-2020-2021" for o in objectives.values())
