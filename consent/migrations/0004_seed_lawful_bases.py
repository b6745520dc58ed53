"""Seed the lawful-basis code lists, with the usual safeguarding defaults marked.

These are starting values, not legal advice: administrators maintain them in the Django admin as
the law and the organisation's own analysis change (e.g. Article 6(1)(ea) from the Data (Use and
Access) Act 2025 once commenced). Frozen here, so this migration always does what it first did;
existing rows are never overwritten.
"""

from django.db import migrations

# (code, label, Schedule 1 paragraph, safeguarding default, guidance)
ARTICLE_6 = [
    (
        "public_task",
        "Article 6(1)(e): public task",
        "",
        True,
        "Usual basis for NHS bodies and local authorities carrying out safeguarding functions.",
    ),
    (
        "legal_obligation",
        "Article 6(1)(c): legal obligation",
        "",
        False,
        "Where a statute or court order requires the disclosure.",
    ),
    ("vital_interests", "Article 6(1)(d): vital interests", "", False, "To protect someone's life in an emergency."),
    (
        "legitimate_interests",
        "Article 6(1)(f): legitimate interests",
        "",
        False,
        "Often the basis for private practitioners; needs a balancing test.",
    ),
    (
        "recognised_legitimate_interest",
        "Article 6(1)(ea): recognised legitimate interest (safeguarding a vulnerable individual)",
        "",
        False,
        "Data (Use and Access) Act 2025 s.70 and Annex 1 para 6. Check commencement before relying on it.",
    ),
    (
        "consent",
        "Article 6(1)(a): consent",
        "",
        False,
        "A poor basis where sharing would happen anyway; use only where consent is real and can be withdrawn.",
    ),
]
ARTICLE_9 = [
    (
        "safeguarding",
        "Article 9(2)(g): substantial public interest, safeguarding of children and of individuals at risk",
        "Schedule 1 paragraph 18",
        True,
        "Protecting a child or an adult at risk from neglect or physical, mental or emotional harm, without consent "
        "because it cannot be given, cannot reasonably be obtained, or asking would prejudice the protection.",
    ),
    (
        "preventing_crime",
        "Article 9(2)(g): substantial public interest, preventing or detecting unlawful acts",
        "Schedule 1 paragraph 10",
        False,
        "",
    ),
    (
        "counselling",
        "Article 9(2)(g): substantial public interest, counselling",
        "Schedule 1 paragraph 17",
        False,
        "Confidential counselling, advice or support services.",
    ),
    ("health_social_care", "Article 9(2)(h): health or social care", "Schedule 1 paragraph 2", False, ""),
    ("vital_interests", "Article 9(2)(c): vital interests (the person cannot consent)", "", False, ""),
    ("legal_claims", "Article 9(2)(f): legal claims or courts acting in their judicial capacity", "", False, ""),
    ("explicit_consent", "Article 9(2)(a): explicit consent", "", False, ""),
]
COMMON_LAW = [
    (
        "public_interest",
        "Overriding public interest: the risk of serious harm outweighs the duty of confidence",
        "",
        True,
        "Weigh the harm of disclosure against the harm of not disclosing; record the balance.",
    ),
    ("legal_requirement", "Required by law or by a court order", "", False, ""),
    ("consent", "The client's consent", "", False, ""),
]


def seed(apps, schema_editor):
    option = apps.get_model("consent", "LawfulBasisOption")
    for kind, rows in (("article6", ARTICLE_6), ("article9", ARTICLE_9), ("common_law", COMMON_LAW)):
        for position, (code, label, paragraph, default, guidance) in enumerate(rows):
            option.objects.get_or_create(
                kind=kind,
                code=code,
                defaults=dict(
                    label=label,
                    schedule1_paragraph=paragraph,
                    safeguarding_default=default,
                    guidance=guidance,
                    position=position,
                ),
            )


class Migration(migrations.Migration):
    dependencies = [("consent", "0003_append_only_triggers")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
