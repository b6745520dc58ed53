"""The finalised pack as a print-ready HTML document: rendered once, stored, then served as stored.

The print view and the download answer with the stored document itself (UTF-8), so what a lead
prints, what an agency receives and what the hash in the audit trail covers are the same bytes.
The document stands alone (opened from a file, it needs nothing from the portal): its styles are
in one <style> element, which the portal's Content Security Policy admits by its hash when it
serves the document, and it has no script.
"""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import datetime

from django.conf import settings
from django.template.loader import render_to_string

DOCUMENT_TEMPLATE = "escalation/packs/document.html"
_STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)


def sha256_hex(document: str) -> str:
    return hashlib.sha256(document.encode("utf-8")).hexdigest()


def style_source_hash(document: str) -> str | None:
    """The CSP source for the document's own <style> element ('sha256-...'), if it has one."""
    match = _STYLE.search(document)
    if match is None:
        return None
    digest = hashlib.sha256(match.group(1).encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def render_document(
    *,
    title: str,
    introduction: str,
    reference: str,
    agency: str,
    area: str,
    their_reference: str,
    phoned_at: datetime | None,
    phoned_to: str,
    sections: list[dict],
    finalised_at: datetime,
    finalised_by: str,
) -> str:
    return render_to_string(
        DOCUMENT_TEMPLATE,
        {
            "organisation": settings.ORGANISATION_NAME,
            "marking": settings.REFERRAL_PACK_MARKING,
            "title": title,
            "introduction": introduction,
            "reference": reference,
            "agency": agency,
            "area": area,
            "their_reference": their_reference,
            "phoned_at": phoned_at,
            "phoned_to": phoned_to,
            "sections": sections,
            "finalised_at": finalised_at,
            "finalised_by": finalised_by,
        },
    )
