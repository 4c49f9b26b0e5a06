"""Everything that talks to EDGAR or reads what it returns."""
