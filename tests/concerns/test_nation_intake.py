"""The intake form by nation: categories grouped by nation and checked on the server, the adult at
risk's criteria (never blocking), and the case file and referral text that show them."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from concerns import nations
from concerns.models import AdultAtRiskDetails, Concern, PersonAtRisk
from tests.factories.concerns import intake_form_data, submit_test_concern

NEW = reverse("concerns:new")


@pytest.fixture
def clinician_client(client, cast):
    client.force_login(cast.clinician)
    return client


def _groups(html: str) -> dict[str, list[str]]:
    """data-nations of each category group -> the codes in it."""
    groups = {}
    for match in re.finditer(r'class="category-group[^"]*" data-nations="([^"]*)"(.*?)</fieldset>', html, re.S):
        groups[match.group(1)] = re.findall(r'name="categories" value="([^"]+)"', match.group(2))
    return groups


def wales_adult_post(**overrides):
    return intake_form_data(
        **{
            "jurisdiction": "wales",
            "categories": ["wales-financial", "unclear"],
            "persons-0-kind": "adult_at_risk",
            "persons-0-description": "Client's mother, 82, lives alone",
            "adult-care_and_support_needs": "yes",
            "adult-abuse_or_neglect": "yes",
            "adult-unable_to_protect_self": "unknown",
            "adult-views_and_wishes": "She wants her son to stop taking her pension, but no police.",
            "adult-knows_of_concern": "no",
            "adult-not_told_reason": "Her son reads her post and answers her phone.",
            "adult-capacity_doubt": "yes",
            "adult-capacity_notes": "Recent diagnosis of dementia; forgets conversations.",
            "adult-communication_needs": "Hearing aid; speaks Welsh at home.",
            "adult-advocacy": "needs_advocate",
            **overrides,
        },
    )


def test_the_form_groups_the_categories_by_nation_with_every_nations_list_first(clinician_client):
    html = clinician_client.get(NEW).content.decode()
    groups = _groups(html)
    assert list(groups)[0] == ""  # every nation's: children's codes and "unclear"
    assert {"unclear", "child-sexual"} <= set(groups[""])
    assert set(groups["wales"]) == set(
        nations.categories_for_nation("wales").exclude(nations=[]).values_list("code", flat=True)
    )
    assert all(code.startswith("scotland-") for code in groups["scotland"])
    assert all(code.startswith("ni-") for code in groups["northern_ireland"])
    assert all(code.startswith("adult-") for code in groups["england"])
    assert "js/nation_lists.js" in html and "<script>" not in html and ' style="' not in html


def test_the_form_refuses_another_nations_code_beside_the_field_and_keeps_what_was_typed(clinician_client):
    response = clinician_client.post(NEW, wales_adult_post(categories=["adult-financial"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "is not on the list for Wales" in html
    assert "Her son reads her post" in html  # nothing typed is lost
    assert not Concern.objects.exists()


def test_a_wales_adult_at_risk_concern_keeps_the_criteria_views_and_capacity(clinician_client, cast):
    response = clinician_client.post(NEW, wales_adult_post())
    assert response.status_code == 302, response.content.decode()[:3000]
    concern = Concern.objects.get()
    details = concern.adult_at_risk
    assert (details.care_and_support_needs, details.abuse_or_neglect, details.unable_to_protect_self) == (
        "yes",
        "yes",
        "unknown",
    )
    assert (details.knows_of_concern, details.capacity_doubt, details.advocacy) == ("no", "yes", "needs_advocate")
    assert details.unable_to_safeguard == ""  # Scotland's test was not asked

    client = clinician_client
    page = client.get(concern.get_absolute_url()).content.decode()
    assert "Adult at risk" in page
    assert "Social Services and Well-being (Wales) Act 2014, section 126" in page
    assert "Does the adult have needs for care and support" in page
    assert "Her son reads her post and answers her phone." in page
    assert "Recent diagnosis of dementia" in page
    assert "May need an independent advocate" in page
    assert "three-point test" not in page  # only the nation's own criteria


def test_the_adult_questions_never_block_a_submission(clinician_client):
    data = wales_adult_post()
    for key in [k for k in data if k.startswith("adult-")]:
        del data[key]
    response = clinician_client.post(NEW, data)
    assert response.status_code == 302
    assert not AdultAtRiskDetails.objects.exists()
    # The lead sees that they were not answered.
    page = clinician_client.get(Concern.objects.get().get_absolute_url()).content.decode()
    assert "the capacity question were not answered at intake" in page


def test_answers_to_another_nations_criteria_are_refused_on_the_question(clinician_client):
    response = clinician_client.post(NEW, wales_adult_post(**{"adult-at_risk_of_harm": "yes"}))
    assert response.status_code == 200
    assert "This question is for another nation" in response.content.decode()
    assert not Concern.objects.exists()


def test_the_service_refuses_another_nations_criteria_too(cast):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        submit_test_concern(
            reporter=cast.clinician, jurisdiction="scotland", adult_at_risk={"care_and_support_needs": "yes"}
        )
    concern = submit_test_concern(
        reporter=cast.clinician, jurisdiction="scotland", adult_at_risk={"more_vulnerable": "unknown"}
    )
    assert concern.adult_at_risk.more_vulnerable == "unknown"


def _adult_section_open(html: str) -> bool:
    tag = re.search(r'<details[^>]*id="adult-at-risk"[^>]*>', html).group(0)
    return " open" in tag


def test_the_adult_section_opens_by_itself_for_an_adult_at_risk_in_wales(clinician_client):
    assert not _adult_section_open(clinician_client.get(NEW).content.decode())
    # The no-JavaScript "add another" re-renders the form with what was chosen so far.
    wales_adult = intake_form_data(jurisdiction="wales", add="prior", **{"persons-0-kind": "adult_at_risk"})
    assert _adult_section_open(clinician_client.post(NEW, wales_adult).content.decode())
    england_child = intake_form_data(jurisdiction="england", add="prior")
    assert not _adult_section_open(clinician_client.post(NEW, england_child).content.decode())


@pytest.mark.parametrize(
    ("jurisdiction", "criteria"),
    [
        ("england", "Care Act 2014, section 42"),
        ("scotland", "three-point test"),
        ("northern_ireland", "Adult in need of protection"),
    ],
)
def test_each_nation_shows_its_own_criteria_on_the_case_file(clinician_client, cast, jurisdiction, criteria):
    own = nations.criteria_for(jurisdiction)
    concern = submit_test_concern(
        reporter=cast.clinician,
        jurisdiction=jurisdiction,
        persons_at_risk=[dict(kind="adult_at_risk", identity="known")],
        adult_at_risk={own.criteria[0].field: "yes", "capacity_doubt": "unknown"},
    )
    page = clinician_client.get(concern.get_absolute_url()).content.decode()
    assert criteria in page
    for criterion in own.criteria:
        assert str(criterion.question).replace("'", "&#x27;") in page


# --- Children: age, unborn, and 16-17 -------------------------------------------------------------


SIXTEEN_AND_A_MONTH_AGO = dt.date.today().replace(day=1) - dt.timedelta(days=16 * 365 + 40)


@pytest.mark.parametrize(
    ("jurisdiction", "person", "expected"),
    [
        ("england", dict(kind="child", approximate_age="17"), "Mental Capacity Act 2005 applies from 16"),
        ("scotland", dict(kind="child", approximate_age="16 years"), "Adult Support and Protection (Scotland) Act"),
        ("wales", dict(kind="child", date_of_birth=SIXTEEN_AND_A_MONTH_AGO), "Wales Safeguarding Procedures"),
        ("england", dict(kind="child", approximate_age="15"), None),
        ("england", dict(kind="unborn"), None),
    ],
)
def test_a_16_or_17_year_old_carries_the_transition_note_on_the_case_file(
    clinician_client, cast, jurisdiction, person, expected
):
    concern = submit_test_concern(
        reporter=cast.clinician, jurisdiction=jurisdiction, persons_at_risk=[dict(identity="known", **person)]
    )
    page = clinician_client.get(concern.get_absolute_url()).content.decode()
    assert "not answered at intake" not in page  # no adult at risk here
    if expected:
        assert "Aged 16 or 17" in page and expected in page
    else:
        assert "transition-note" not in page
    if person["kind"] == "unborn":
        assert PersonAtRisk.objects.get(concern=concern).get_kind_display() in page


def test_age_comes_from_the_date_of_birth_or_a_leading_number(db):
    on = dt.date(2026, 11, 30)
    person = PersonAtRisk(kind="child", date_of_birth=dt.date(2009, 12, 1))
    assert nations.age_in_years(person, on=on) == 16
    assert nations.age_in_years(PersonAtRisk(kind="child", approximate_age="aged 17"), on=on) == 17
    assert nations.age_in_years(PersonAtRisk(kind="child", approximate_age="teenager"), on=on) is None
