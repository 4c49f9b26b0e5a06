"""A clearly marked sample alert, so a team can check bot, channel and layout."""

from __future__ import annotations

from tracker.models import Alert, Fact, MilestoneChange


def sample_alert(channel: str) -> Alert:
    return Alert(
        alert_id=f"test:{channel}",
        accession="0000000000-00-000000",
        cik=0,
        company="Tracker test alert",
        ticker="TEST",
        form="8-K",
        filed="2004-02-19",
        categories=("fda", "financing", "workforce"),
        evidence={
            "fda": (
                "This is a test alert from the tracker. A real alert quotes the "
                "sentence from the filing that decided each category.",
            ),
            "workforce": ("Sample: the company is reducing its workforce by 35 percent.",),
        },
        facts=(
            Fact("workforce_reduction_percent", 35, "35 percent"),
            Fact("financing_needed", 8500000, "$8.5 million"),
        ),
        index_url="https://www.sec.gov/cgi-bin/browse-edgar?action=getcurrent",
        document_url="",
        channel=channel,
        changes=(
            MilestoneChange(
                "delayed",
                "sample milestone",
                "sample milestone, was June 2004, now may not be by June 30, 2004 (test only)",
                "June 2004",
                "by June 30, 2004",
            ),
        ),
        test=True,
    )
