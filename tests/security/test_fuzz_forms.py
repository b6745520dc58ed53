"""Fuzzing the intake and information-sharing forms with hypothesis.

Unicode from every plane, very long input and control characters: the answer is never a
500; what is accepted is stored exactly (as Django's form fields clean it: surrounding
whitespace trimmed), and what is refused comes back with a message and the typed text kept.
Bounded for CI: 30 examples per test, no deadline, derandomized (the same examples each run).
"""

import html

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from concerns.models import Concern
from consent.models import LawfulBasisOption, SharingDecision
from tests.conftest import SecondFactorClient
from tests.factories.concerns import intake_form_data, submit_test_concern

FUZZ = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

any_unicode = st.text(st.characters(exclude_categories=("Cs",)), max_size=300)  # no lone surrogates: not UTF-8
control_characters = st.text(st.characters(min_codepoint=0, max_codepoint=0x1F), min_size=1, max_size=40)
very_long = st.builds(lambda chunk, times: chunk * times, st.text(min_size=1, max_size=8), st.integers(300, 3000))
mixed = st.builds(lambda a, b, c: a + b + c, any_unicode, control_characters, any_unicode)
fuzz_text = st.one_of(any_unicode, control_characters, very_long, mixed)


def intake_post(**fields) -> dict:
    return intake_form_data(**fields)


INTAKE_TEXT_FIELDS = ("summary", "own_words", "observations", "opinion", "occurred_on_text")
SHARING_TEXT_FIELDS = ("recipients", "purpose", "information_shared", "necessity_proportionality")


def _cleaned(value: str) -> str:
    """What a Django CharField keeps: surrounding whitespace trimmed; \\r\\n and \\r become \\n."""
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def _same(stored: str, posted: str) -> bool:
    return stored == _cleaned(posted) or stored == posted.strip()


def _refusal_is_explained(response, posted: dict, fields) -> None:
    body = response.content.decode()
    assert "is-invalid" in body or "errorlist" in body or "invalid-feedback" in body, "refused without a message"
    for name in fields:
        value = posted[name].strip()
        printable = value and value.isprintable() and len(value) < 2000
        if printable:  # what was typed comes back (escaped) so nothing is lost
            assert html.escape(value, quote=False) in body or html.escape(value) in body, f"{name} was lost"


@pytest.fixture
def clinician(client, cast):
    client.force_login(cast.clinician)
    return client


@FUZZ
@given(values=st.fixed_dictionaries({name: fuzz_text for name in INTAKE_TEXT_FIELDS}))
def test_intake_form_never_fails_and_stores_exactly_or_explains(clinician, values):
    posted = intake_post(**values)
    with transaction.atomic():
        response = clinician.post(reverse("concerns:new"), posted)
        assert response.status_code in (200, 302), response.status_code
        if response.status_code == 302:
            concern = Concern.objects.get(submission_key=posted["submission_key"])
            for name in INTAKE_TEXT_FIELDS:
                assert _same(getattr(concern, name), posted[name]), name
        else:
            assert not Concern.objects.filter(submission_key=posted["submission_key"]).exists()
            _refusal_is_explained(response, posted, INTAKE_TEXT_FIELDS)
        transaction.set_rollback(True)


@pytest.fixture
def sharing(cast):
    concern = submit_test_concern(reporter=cast.clinician)
    lead = SecondFactorClient()
    lead.force_login(cast.lead)
    basis = {o.kind: o.pk for o in LawfulBasisOption.objects.filter(safeguarding_default=True)}
    return lead, reverse("concerns:sharing_new", args=[concern.pk]), basis


@FUZZ
@given(values=st.fixed_dictionaries({name: fuzz_text for name in SHARING_TEXT_FIELDS}))
def test_sharing_form_never_fails_and_stores_exactly_or_explains(sharing, values):
    client, url, basis = sharing
    posted = {
        "decision": "share",
        "consent": "not_sought",
        "not_sought_reason": "risk_to_person",
        "without_consent_justification": "Children may be at risk now; asking could alert the carer.",
        "article6_basis": basis["article6"],
        "article9_condition": basis["article9"],
        "common_law_basis": basis["common_law"],
        **values,
    }
    with transaction.atomic():
        before = SharingDecision.objects.count()
        response = client.post(url, posted)
        assert response.status_code in (200, 302), response.status_code
        if response.status_code == 302:
            decision = SharingDecision.objects.latest("id")
            for name in SHARING_TEXT_FIELDS:
                assert _same(getattr(decision, name), posted[name]), name
        else:
            assert SharingDecision.objects.count() == before
            _refusal_is_explained(response, posted, SHARING_TEXT_FIELDS)
        transaction.set_rollback(True)


def test_unicode_from_every_script_is_stored_exactly_and_a_null_character_is_refused(clinician):
    """The two outcomes the fuzzing allows, each seen at least once."""
    words = "Zoë said “stop it” 🙁 — 子供 — ребёнок — طفل\n\tThen she cried."
    posted = intake_post(own_words=words, observations="Ω≈ç√∫ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢")
    assert clinician.post(reverse("concerns:new"), posted).status_code == 302
    concern = Concern.objects.get(submission_key=posted["submission_key"])
    assert concern.own_words == words
    assert concern.observations == "Ω≈ç√∫ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢"

    refused = intake_post(own_words="before\x00after")
    response = clinician.post(reverse("concerns:new"), refused)
    assert response.status_code == 200
    assert not Concern.objects.filter(submission_key=refused["submission_key"]).exists()
    assert "is-invalid" in response.content.decode()
