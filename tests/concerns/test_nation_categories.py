"""Category lists follow the concern's nation: the submit service and the database refuse another
nation's code, and an administrator's change to the lists applies to the next concern."""

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from concerns import nations
from concerns.models import Concern, ConcernCategory
from tests.factories.concerns import submit_test_concern


def _codes(jurisdiction: str) -> set[str]:
    return set(nations.categories_for_nation(jurisdiction).values_list("code", flat=True))


def test_each_nation_is_offered_its_own_list_the_childrens_codes_and_unclear(db):
    every_nation = {"unclear", "child-sexual", "child-neglect"}
    wales, england = _codes("wales"), _codes("england")
    scotland, ni = _codes("scotland"), _codes("northern_ireland")
    for codes in (wales, england, scotland, ni):
        assert every_nation <= codes
    assert {"wales-physical", "wales-neglect"} <= wales and not any(
        c.startswith(("adult-", "ni-", "scotland-")) for c in wales
    )
    assert len([c for c in england if c.startswith("adult-")]) == 10 and not any(
        c.startswith("wales-") for c in england
    )
    assert "scotland-self-harm" in scotland and not any(c.startswith(("adult-", "wales-", "ni-")) for c in scotland)
    assert "ni-institutional" in ni and not any(c.startswith(("adult-", "wales-", "scotland-")) for c in ni)
    assert len(ConcernCategory.objects.all()) > len(wales)  # a team is no longer offered all of them


@pytest.mark.parametrize(
    ("jurisdiction", "foreign"),
    [
        ("wales", "adult-physical"),
        ("wales", "scotland-physical-harm"),
        ("england", "wales-neglect"),
        ("scotland", "ni-exploitation"),
    ],
)
def test_the_service_refuses_a_code_of_another_nation_and_writes_nothing(cast, jurisdiction, foreign):
    with pytest.raises(ValidationError) as refused:
        submit_test_concern(reporter=cast.clinician, jurisdiction=jurisdiction, categories=("unclear", foreign))
    assert "categories" in refused.value.message_dict
    assert "is not on the list for" in str(refused.value.message_dict["categories"])
    assert not Concern.objects.exists()


def test_the_service_accepts_the_nations_own_codes_and_unclear(cast):
    concern = submit_test_concern(
        reporter=cast.clinician, jurisdiction="wales", categories=("wales-physical", "child-sexual", "unclear")
    )
    assert set(concern.categories.values_list("code", flat=True)) == {"wales-physical", "child-sexual", "unclear"}


def test_the_database_refuses_linking_another_nations_code_whatever_writes_it(cast):
    concern = submit_test_concern(reporter=cast.clinician, jurisdiction="wales", categories=("wales-physical",))
    scottish = ConcernCategory.objects.get(code="scotland-physical-harm")
    through = Concern.categories.through
    with pytest.raises(IntegrityError, match="scotland-physical-harm is not on the list for wales"):
        with transaction.atomic():
            through.objects.create(concern_id=concern.pk, concerncategory_id=scottish.pk)
    # Every nation's codes ("unclear") are linked freely.
    unclear = ConcernCategory.objects.get(code="unclear")
    through.objects.create(concern_id=concern.pk, concerncategory_id=unclear.pk)


def test_an_administrators_change_to_the_lists_applies_to_the_next_concern_without_a_deploy(client, cast):
    cast.administrator.is_superuser = True  # as the demo administrator is
    cast.administrator.save(update_fields=["is_superuser"])
    client.force_login(cast.administrator)
    physical = ConcernCategory.objects.get(code="adult-physical")
    with pytest.raises(ValidationError):
        submit_test_concern(reporter=cast.clinician, jurisdiction="wales", categories=("adult-physical",))

    # The administrator adds Wales to the English code in the admin.
    change = reverse("admin:concerns_concerncategory_change", args=[physical.pk])
    page = client.get(change)
    assert page.status_code == 200
    response = client.post(
        change,
        {
            "code": physical.code,
            "label": physical.label,
            "population": physical.population,
            "nations": "england,wales",
            "source": physical.source,
            "active": "on",
            "order": physical.order,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert "adult-physical" in _codes("wales")
    concern = submit_test_concern(reporter=cast.clinician, jurisdiction="wales", categories=("adult-physical",))
    assert list(concern.categories.values_list("code", flat=True)) == ["adult-physical"]

    # ...and takes a Welsh code off its list: refused from the next submission on, by both guards.
    ConcernCategory.objects.filter(code="wales-neglect").update(nations=["england"])
    with pytest.raises(ValidationError):
        submit_test_concern(reporter=cast.clinician, jurisdiction="wales", categories=("wales-neglect",))
    with pytest.raises(IntegrityError), transaction.atomic():
        Concern.categories.through.objects.create(
            concern_id=concern.pk, concerncategory_id=ConcernCategory.objects.get(code="wales-neglect").pk
        )


def test_an_inactive_code_is_refused_by_the_service(cast):
    ConcernCategory.objects.filter(code="child-online").update(active=False)
    assert "child-online" not in _codes("england")
    with pytest.raises(ValidationError):
        submit_test_concern(reporter=cast.clinician, categories=("child-online",), submission_key=uuid.uuid4())
