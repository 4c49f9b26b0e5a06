"""tracker: watches SEC EDGAR for chosen companies and posts classified alerts to Slack."""

__version__ = "0.1.0"
