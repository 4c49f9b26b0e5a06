"""The milestone calendar: what each company said is due, what is overdue, the weekly digest.

The ledger (tracker.milestones) records what companies said; this package reads it
against a date. It owns:

- clock: the one date the tracker believes it is (the system date, TRACKER_TODAY or
  --today), passed down to everything that needs "today";
- schedule: the open milestones of a ledger (latest statement per milestone, renames
  followed, how often the target moved), and the `upcoming` window;
- overdue: the alerts for deadlines that passed with no news, queued in the outbox
  once (the poll cycle calls it);
- digest: the weekly summary per channel;
- svg: the slip chart of `tracker timeline X --svg FILE`.

The pipeline and the CLI call into this package; it never calls back into them.
"""
