"""Telling people: message building (pure), sinks (console, Slack), the outbox loop."""
