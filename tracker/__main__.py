"""Allows `python -m tracker`, as the contract promises."""

from tracker.cli import main

raise SystemExit(main())
