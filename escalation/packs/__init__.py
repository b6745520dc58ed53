"""Referral packs: from a decision to share to exactly what the agency receives.

- ``models``: agency templates (headings per agency and nation, edited in the admin), the pack
  (a draft with an append-only history of revisions) and the finalised pack (the exact
  document, its SHA-256, linked to the sharing decision and the referral; append-only).
- ``builder``: which part of a concern each field belongs to, and the draft's sections.
- ``identities``: the replacement of protected identities by neutral words.
- ``document``: the print-ready HTML document that is stored, printed and downloaded.
- ``services`` (writes), ``selectors`` (reads and access), ``forms``, ``views``.
"""
