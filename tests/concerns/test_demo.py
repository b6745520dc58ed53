import uuid
from io import StringIO

from django.core.management import call_command

from concerns.demo import DEMO_CONCERNS, DEMO_NAMESPACE
from concerns.models import Addendum, Concern


def test_seed_demo_submits_the_demo_concerns_once(db, settings):
    settings.DEMO_PASSWORD = ""
    call_command("seed_demo", "--force", stdout=StringIO())
    call_command("seed_demo", "--force", stdout=StringIO())
    keys = [uuid.uuid5(DEMO_NAMESPACE, name) for name, _email, _content in DEMO_CONCERNS]
    assert Concern.objects.filter(submission_key__in=keys).count() == 3
    trigger = Concern.objects.get(alleged_persons__role="foster_carer")
    assert trigger.client.reference == "CF-1001"
    assert Addendum.objects.filter(concern=trigger).count() == 1
