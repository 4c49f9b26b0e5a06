"""Which channels hear about a filing, and with which mentions (pure functions)."""

from __future__ import annotations

from tracker.config import Config
from tracker.models import Alert, Classification, Company, Document, Filing, MilestoneChange


def channels_for(config: Config, company: Company, categories: tuple[str, ...]) -> list[str]:
    """Company channel, else each category's channel, else the default channel."""
    if company.channel:
        return [company.channel]
    routed = [
        config.slack.category_channels[c] for c in categories if c in config.slack.category_channels
    ]
    return list(dict.fromkeys(routed)) or [config.slack.default_channel]


def wanted_categories(company: Company, categories: tuple[str, ...]) -> tuple[str, ...]:
    if company.categories is None:
        return categories
    return tuple(c for c in categories if c in company.categories)


def category_skip_reason(company: Company, categories: tuple[str, ...]) -> str | None:
    """Why the company's `categories` filter drops a filing; None when it passes."""
    if company.categories is None or wanted_categories(company, categories):
        return None
    return f"categories {', '.join(categories) or 'none'} not in [{', '.join(company.categories)}]"


def press_release(documents: list[Document]) -> Document | None:
    releases = [d for d in documents if d.doc_type.upper().startswith("EX-99")]
    return releases[0] if releases else (documents[0] if documents else None)


def build_alerts(
    config: Config,
    company: Company,
    filing: Filing,
    result: Classification,
    documents: list[Document],
    index_url: str,
    changes: tuple[MilestoneChange, ...] = (),
    thread_of: str | None = None,
) -> list[Alert]:
    """One alert per channel, or none when the company filters out every category."""
    if category_skip_reason(company, result.categories):
        return []
    categories = wanted_categories(company, result.categories)
    doc = press_release(documents)
    mentions = tuple(dict.fromkeys(m for c in categories for m in config.slack.mentions.get(c, ())))
    evidence = {c: result.evidence.get(c, ()) for c in categories}
    return [
        Alert(
            alert_id=f"{filing.accession}:{channel}",
            accession=filing.accession,
            cik=filing.cik,
            company=company.name or filing.company_name or company.label,
            ticker=company.ticker,
            form=filing.form,
            filed=filing.filed.isoformat() if filing.filed else "",
            categories=categories,
            evidence=evidence,
            facts=result.facts,
            index_url=index_url,
            document_url=doc.url if doc else "",
            channel=channel,
            mentions=mentions,
            changes=changes,
            thread_of=thread_of,
            items=result.items or filing.items,
        )
        for channel in channels_for(config, company, categories)
    ]
