"""The default code lists of categories of abuse (domain.md 1.6). Administrators may add or retire codes."""

ALL = []
ENGLAND, WALES, SCOTLAND, NI = "england", "wales", "scotland", "northern_ireland"
WT = "Working Together to Safeguard Children 2023"
CARE_ACT = "Care and support statutory guidance, chapter 14 (Care Act 2014)"
SSWBA = "Social Services and Well-being (Wales) Act 2014, s.197"
NI_ADULT = "Adult Safeguarding: Prevention and Protection in Partnership (NI, 2015)"
SCOT_ASP = "Adult Support and Protection (Scotland) Act 2007"

# (code, label, population, nations, source)
CATEGORIES = [
    ("child-physical", "Physical abuse", "child", ALL, WT),
    ("child-emotional", "Emotional abuse", "child", ALL, WT),
    ("child-sexual", "Sexual abuse", "child", ALL, WT),
    ("child-neglect", "Neglect", "child", ALL, WT),
    ("child-sexual-exploitation", "Child sexual exploitation", "child", ALL, WT),
    ("child-criminal-exploitation", "Child criminal exploitation", "child", ALL, WT),
    ("child-online", "Online abuse", "child", ALL, WT),
    ("child-domestic-abuse", "Domestic abuse (child as victim)", "child", ALL, WT),
    ("child-fgm", "Female genital mutilation", "child", ALL, WT),
    ("child-on-child", "Child-on-child abuse", "child", ALL, WT),
    ("child-extra-familial", "Extra-familial harm", "child", ALL, WT),
    ("adult-physical", "Physical abuse", "adult", [ENGLAND], CARE_ACT),
    ("adult-domestic-abuse", "Domestic abuse", "adult", [ENGLAND], CARE_ACT),
    ("adult-sexual", "Sexual abuse", "adult", [ENGLAND], CARE_ACT),
    ("adult-psychological", "Psychological or emotional abuse", "adult", [ENGLAND], CARE_ACT),
    ("adult-financial", "Financial or material abuse", "adult", [ENGLAND], CARE_ACT),
    ("adult-modern-slavery", "Modern slavery", "adult", [ENGLAND], CARE_ACT),
    ("adult-discriminatory", "Discriminatory abuse", "adult", [ENGLAND], CARE_ACT),
    ("adult-organisational", "Organisational abuse", "adult", [ENGLAND], CARE_ACT),
    ("adult-neglect", "Neglect and acts of omission", "adult", [ENGLAND], CARE_ACT),
    ("adult-self-neglect", "Self-neglect", "adult", [ENGLAND], CARE_ACT),
    ("wales-physical", "Physical abuse", "both", [WALES], SSWBA),
    ("wales-sexual", "Sexual abuse", "both", [WALES], SSWBA),
    ("wales-psychological", "Psychological abuse", "both", [WALES], SSWBA),
    ("wales-emotional", "Emotional abuse", "both", [WALES], SSWBA),
    ("wales-financial", "Financial abuse", "both", [WALES], SSWBA),
    ("wales-neglect", "Neglect", "both", [WALES], SSWBA),
    ("ni-physical", "Physical abuse", "adult", [NI], NI_ADULT),
    ("ni-sexual", "Sexual violence and abuse", "adult", [NI], NI_ADULT),
    ("ni-psychological", "Psychological or emotional abuse", "adult", [NI], NI_ADULT),
    ("ni-financial", "Financial abuse", "adult", [NI], NI_ADULT),
    ("ni-institutional", "Institutional abuse", "adult", [NI], NI_ADULT),
    ("ni-neglect", "Neglect", "adult", [NI], NI_ADULT),
    ("ni-exploitation", "Exploitation", "adult", [NI], NI_ADULT),
    ("scotland-physical-harm", "Physical harm", "adult", [SCOTLAND], SCOT_ASP),
    ("scotland-psychological-harm", "Psychological harm", "adult", [SCOTLAND], SCOT_ASP),
    ("scotland-financial-harm", "Financial harm (unlawful conduct affecting property or money)", "adult",
     [SCOTLAND], SCOT_ASP),
    ("scotland-self-harm", "Self-harm", "adult", [SCOTLAND], SCOT_ASP),
    ("unclear", "Unclear or not yet known", "both", ALL, ""),
]




def ensure_default_categories(model=None) -> None:
    """Create any missing default code (idempotent; never changes a code an administrator edited)."""
    if model is None:
        from concerns.models import ConcernCategory as model
    existing = set(model.objects.values_list("code", flat=True))
    model.objects.bulk_create(
        [
            model(code=code, label=label, population=population, nations=nations, source=source, order=order * 10)
            for order, (code, label, population, nations, source) in enumerate(CATEGORIES, start=1)
            if code not in existing
        ],
        ignore_conflicts=True,  # two tests or processes seeding at once
    )
