"""The lead's workflow: triage, referrals, LADO tasks, closure, links."""
