"""Seed the default referral pack templates: each agency's usual headings, and what fills them.

Administrators change them in the Django admin afterwards; this migration never overwrites an
existing template. The data is frozen here, as first seeded (it imports nothing from the app,
whose vocabulary may move on): later changes are new migrations.

Every template places every part of a concern under some heading, so a decision to share in
full fills the whole pack. Templates with an empty nation serve every nation without one of
their own; Wales has its own where the Wales Safeguarding Procedures name the agency or the
timescale differently (the designated officer for safeguarding, 24 hours).
"""

from django.db import migrations

# The parts of a concern and the decision's own facts, as stored in PackHeading.contents.
STORY = ["purpose", "summary", "circumstances", "account", "observations", "questions"]
ALLEGED = ["alleged_identity", "alleged_role"]
VIEW = ["opinion", "triage"]
DONE = ["actions", "addenda"]
DISCLOSER = ["discloser", "client"]
REFERRER = ["referrer", "reporter"]

# (title, guidance, contents)
LADO_HEADINGS = [
    (
        "The allegation or concern",
        "What is alleged, when and where, in the words used. Keep facts apart from opinion.",
        STORY,
    ),
    (
        "The alleged person: role and employer or approving body",
        "Their role with children (for example foster carer), who employs or approves them, where they work, "
        "and any current contact with children.",
        ALLEGED,
    ),
    (
        "The children involved",
        "Children who may be at risk now, even when their names are not known.",
        ["persons_at_risk"],
    ),
    (
        "Earlier reports and what is new",
        "Who was told before, when, their reference, and what has changed.",
        ["prior_reports"],
    ),
    ("Action taken so far", "Emergency action, support offered, who was consulted, later information.", DONE),
    ("Our assessment", "The risk as we see it, and why; say that it is opinion.", VIEW),
    (
        "The person who disclosed",
        "Their wishes about the police and about their identity being shared.",
        DISCLOSER,
    ),
    ("Consent and information sharing", "The consent position and the lawful basis for sharing.", ["consent"]),
    ("The referrer's details", "Who to contact about this referral.", REFERRER),
]

CHILDRENS_HEADINGS = [
    (
        "The child or children",
        "Every child who may be at risk, including unborn babies and children whose names are not known; "
        "where they are now and whether they are safe.",
        ["persons_at_risk"],
    ),
    ("The concern", "What happened or was said, when and where, in the words used.", STORY),
    (
        "What is known of the family and household",
        "Who lives with or cares for the child; the alleged person's relationship to them and their role.",
        ALLEGED,
    ),
    ("Risk and protective factors", "What increases the risk, and what keeps the child safe.", VIEW),
    (
        "Earlier reports and what is new",
        "Who was told before, when, their reference, and what has changed.",
        ["prior_reports"],
    ),
    ("Action taken so far", "Emergency action, support offered, who was consulted, later information.", DONE),
    ("The person who disclosed", "Their wishes about the police and about their identity being shared.", DISCLOSER),
    ("Consent", "Whether the family or the client consented, and the lawful basis for sharing.", ["consent"]),
    ("The referrer's details", "Who to contact about this referral.", REFERRER),
]

ADULT_HEADINGS = [
    (
        "The adult at risk",
        "Their care and support needs, whether they can protect themselves, and their views, wishes and "
        "desired outcomes (Making Safeguarding Personal).",
        ["persons_at_risk"],
    ),
    ("The concern", "What happened or was said, when and where, in the words used.", STORY),
    ("The person alleged to have caused harm", "Who they are, their role, and their contact with the adult.", ALLEGED),
    ("Risk and protective factors", "What increases the risk, and what keeps the adult safe.", VIEW),
    (
        "Earlier reports and what is new",
        "Who was told before, when, their reference, and what has changed.",
        ["prior_reports"],
    ),
    ("Action taken so far", "Emergency action, support offered, who was consulted, later information.", DONE),
    ("The person who disclosed", "Their wishes about the police and about their identity being shared.", DISCLOSER),
    (
        "Consent and the adult's awareness",
        "Whether the adult consented and knows of this report; if not, why.",
        ["consent"],
    ),
    ("The referrer's details", "Who to contact about this report.", REFERRER),
]

POLICE_HEADINGS = [
    ("What happened", "What is alleged, when and where, in the words used.", STORY),
    (
        "The alleged person",
        "Who they are, where they are now, and their contact with children or adults at risk.",
        ALLEGED,
    ),
    ("People at risk", "Who may be at risk now, and where they are.", ["persons_at_risk"]),
    (
        "The person who disclosed and their wishes",
        "Whether they want a police investigation, and their wishes about their identity.",
        DISCLOSER,
    ),
    ("Earlier reports", "Who was told before, when, their reference, and what has changed.", ["prior_reports"]),
    ("Action taken so far", "Emergency action, support offered, who was consulted, later information.", DONE),
    ("Our assessment", "The risk as we see it, and why; say that it is opinion.", VIEW),
    ("Consent and information sharing", "The consent position and the lawful basis for sharing.", ["consent"]),
    ("The referrer's details", "Who to contact about this information.", REFERRER),
]

# (agency, jurisdiction, title, introduction, source, headings)
TEMPLATES = [
    (
        "lado",
        "",
        "Referral to the Local Authority Designated Officer (LADO)",
        "An allegation or concern about an adult who works, volunteers or cares for children in a position of "
        "trust. Please acknowledge receipt and tell us of the next steps.",
        "Working Together to Safeguard Children 2023; local allegations management procedures",
        LADO_HEADINGS,
    ),
    (
        "lado",
        "wales",
        "Report to the Designated Officer for Safeguarding",
        "An allegation or concern about a practitioner or carer who works with children or adults at risk "
        "(Wales Safeguarding Procedures: allegations and concerns about practitioners). The designated officer "
        "is to be told within 24 hours.",
        "Wales Safeguarding Procedures (safeguarding.wales), section 5",
        LADO_HEADINGS,
    ),
    (
        "childrens_social_care",
        "",
        "Referral to children's social care",
        "A safeguarding referral about a child who may be at risk of harm.",
        "Working Together to Safeguard Children 2023; local multi-agency referral procedures",
        CHILDRENS_HEADINGS,
    ),
    (
        "childrens_social_care",
        "wales",
        "Report of a child at risk to local authority social services",
        "A report of a child at risk under the Wales Safeguarding Procedures, to the local authority where "
        "the concern is thought to have occurred.",
        "Social Services and Well-being (Wales) Act 2014, Part 7; Wales Safeguarding Procedures",
        CHILDRENS_HEADINGS,
    ),
    (
        "adult_social_care",
        "",
        "Safeguarding adults concern to adult social care",
        "A safeguarding concern about an adult who may have care and support needs and be at risk of abuse or neglect.",
        "Care Act 2014, section 42; local safeguarding adults procedures",
        ADULT_HEADINGS,
    ),
    (
        "adult_social_care",
        "wales",
        "Report of an adult at risk to local authority social services",
        "A report of an adult at risk under the Wales Safeguarding Procedures.",
        "Social Services and Well-being (Wales) Act 2014, sections 126 and 128; Wales Safeguarding Procedures",
        ADULT_HEADINGS,
    ),
    (
        "police",
        "",
        "Information shared with the police",
        "Information shared with the police to protect people from harm.",
        "Information sharing advice for safeguarding practitioners (DfE 2024)",
        POLICE_HEADINGS,
    ),
]


def seed(apps, schema_editor):
    PackTemplate = apps.get_model("escalation", "PackTemplate")
    PackHeading = apps.get_model("escalation", "PackHeading")
    for agency, jurisdiction, title, introduction, source, headings in TEMPLATES:
        if PackTemplate.objects.filter(agency=agency, jurisdiction=jurisdiction).exists():
            continue
        template = PackTemplate.objects.create(
            agency=agency, jurisdiction=jurisdiction, title=title, introduction=introduction, source=source
        )
        PackHeading.objects.bulk_create(
            PackHeading(template=template, position=position, title=heading, guidance=guidance, contents=contents)
            for position, (heading, guidance, contents) in enumerate(headings)
        )


class Migration(migrations.Migration):
    dependencies = [("escalation", "0009_referral_packs")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
