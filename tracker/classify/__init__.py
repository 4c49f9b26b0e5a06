"""What a filing is about: categories, the sentences that decided them, and facts."""

from tracker.classify.engine import classify_documents, classify_text

__all__ = ["classify_documents", "classify_text"]
