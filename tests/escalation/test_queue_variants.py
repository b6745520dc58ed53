"""The queue's filters, orders and search, and its counts, through the page a lead sees.

Every variant is checked against two concerns the lead must never learn of: one about the
lead themselves (an alleged person who is the lead, AllegedPerson.staff_member) and one of a
team the lead does not cover. Both match every search and filter the visible ones match.
"""

import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from alerts.models import ObligationKind
from concerns.models import Concern
from escalation.selectors import COUNT_CAP, QUEUE_PAGE_SIZE, QueueFilters, queue_counts, queue_for_lead
from tests.factories.queue import SUSPECT, World, queue_world
from tests.factories.workflow import clone_open_concerns

pytestmark = pytest.mark.django_db
QUEUE = reverse("escalation:queue")
QUEUE_TOTAL = reverse("escalation:queue_total")


@pytest.fixture
def world(cast) -> World:
    return queue_world(cast)


def _page(client, user, query=""):
    client.force_login(user)
    response = client.get(QUEUE + query)
    assert response.status_code == 200
    return response.content.decode()


def _references(body: str) -> list[str]:
    """The references of the rows, in order."""
    return re.findall(r'<th scope="row"[^>]*><a href="[^"]+">([^<]+)</a>', body)


def _total(client, query="") -> str:
    """The words the queue's caption loads beside the page: how many concerns ``query`` selects."""
    response = client.get(QUEUE_TOTAL + query, headers={"HX-Request": "true", "X-Background-Request": "true"})
    assert response.status_code == 200
    return re.sub(r"\s+", " ", re.sub(r"<!--.*?-->", "", response.content.decode())).strip()


def _how_many(count: int) -> str:
    return f"{count} concern" if count == 1 else f"{count} concerns"


def _filter_cases(w: World, cast):
    today = timezone.localdate()
    return {
        "": [w.immediate, w.welsh, w.rated],
        "?status=submitted": [w.immediate],
        "?status=referred": [w.rated],
        "?status=closed": [w.closed],
        f"?status=closed&closed_from={today - timedelta(days=6)}&closed_to={today - timedelta(days=4)}": [w.closed],
        f"?status=closed&closed_from={today - timedelta(days=3)}": [],
        f"?status=closed&closed_to={today - timedelta(days=6)}": [],
        "?urgency=immediate": [w.immediate],
        "?urgency=routine": [w.welsh],
        "?nation=wales": [w.welsh],
        "?nation=england": [w.immediate],
        f"?team={cast.team.pk}": [w.immediate, w.welsh, w.rated],
        "?category=child-physical": [w.immediate],
        "?category=wales-physical": [w.welsh],
        "?risk=high": [w.rated],
        "?risk=none": [w.immediate, w.welsh],
        "?owner=mine": [w.welsh],
        "?owner=none": [w.immediate],
        f"?owner={cast.deputy.pk}": [w.rated],
        f"?due_kind={ObligationKind.ACKNOWLEDGE_CONCERN}": [w.immediate],
        f"?due_kind={ObligationKind.DECIDE_CONCERN}": [w.welsh],
        "?chase=on": [w.rated],
    }


def test_each_filter_shows_exactly_its_concerns_and_never_a_hidden_one(cast, client, world):
    for query, expected in _filter_cases(world, cast).items():
        body = _page(client, cast.lead, query)
        assert sorted(_references(body)) == sorted(c.reference for c in expected), query
        # How many match is counted apart from the rows (for the chase filter, planned
        # differently), in a request of its own: it counts the same concerns.
        assert _total(client, query) == _how_many(len(expected)), query
        for hidden in world.hidden:
            assert hidden.reference not in body, query
    # The filter's value stays in the form, so the view can be bookmarked and refreshed.
    body = _page(client, cast.lead, "?risk=high&owner=none&chase=on")
    assert '<option value="high" selected>' in body and '<option value="none" selected>' in body
    assert 'hx-get="/queue/?risk=high&amp;owner=none&amp;chase=on&amp;page=1"' in body


def test_overdue_only_follows_the_deadline_due_next(cast, client, world):
    # The referral's response was due two days ago: that deadline is the one due next.
    assert _references(_page(client, cast.lead, "?overdue=on")) == [world.rated.reference]
    with time_machine.travel(timezone.now() + timedelta(days=30)):
        body = _page(client, cast.lead, "?overdue=on")
    # Her queue is her teams' concerns: this team's, never the other team's.
    assert world.immediate.reference in _references(body) and world.other_team.reference not in body
    assert world.about_lead.reference not in body


def test_the_category_list_names_each_code_once_grouped_by_nation(cast, client, world):
    body = _page(client, cast.lead)
    select = body[body.index('name="category"') : body.index("</select>", body.index('name="category"'))]
    codes = re.findall(r'<option value="([^"]+)"', select)
    assert len(codes) == len(set(codes))
    groups = re.findall(r'<optgroup label="([^"]+)">', select)
    assert {"Every nation", "England", "Wales", "Scotland", "Northern Ireland"} <= set(groups)
    assert "Physical abuse (children)" in select and "Physical abuse (adults)" in select


def test_the_category_list_is_kept_and_an_administrator_s_change_shows_at_once(
    cast, client, world, django_assert_num_queries
):
    from django.core.cache import cache

    from concerns.models import ConcernCategory
    from concerns.selectors import ACTIVE_CATEGORIES_KEY, active_categories

    first = active_categories()
    with django_assert_num_queries(0):
        assert active_categories() == first
    # An administrator retires a code (a save through the model, as the admin site does).
    retired = ConcernCategory.objects.get(code="child-online")
    retired.active = False
    try:
        retired.save()
        assert "child-online" not in [code for code, *_ in active_categories()]
        body = _page(client, cast.lead)
        assert 'value="child-online"' not in body and 'value="child-physical"' in body
    finally:
        # The test's transaction is rolled back; the list it cached must not outlive it.
        cache.delete(ACTIVE_CATEGORIES_KEY)


def _due(c):
    return (c.next_due_at is None, c.next_due_at, c.submitted_at, c.pk)


# Each column's order in Python; ties fall back to the default order (earliest deadline).
SORT_KEYS = {
    "reference": lambda c: c.reference,
    "received": lambda c: (c.submitted_at, c.pk),
    "urgency": lambda c: (["immediate", "same_day", "routine"].index(c.urgency), *_due(c)),
    "team": lambda c: (c.team.name, *_due(c)),
    "reporter": lambda c: (c.reporter.full_name, *_due(c)),
    "status": lambda c: (
        ["submitted", "reopened", "acknowledged", "triaged", "referred", "monitoring"].index(c.status),
        *_due(c),
    ),
    "risk": lambda c: (["severe", "high", "medium", "low", ""].index(c.risk_rating), *_due(c)),
    "owner": lambda c: (c.owner is None, c.owner.full_name if c.owner else "", *_due(c)),
    "due": _due,
}


def test_each_column_sorts_both_ways_with_aria_sort(cast, client, world):
    visible = list(
        Concern.objects.filter(pk__in=[world.immediate.pk, world.welsh.pk, world.rated.pk]).select_related(
            "team", "reporter", "owner"
        )
    )
    for key, sort_key in SORT_KEYS.items():
        expected = [c.reference for c in sorted(visible, key=sort_key)]
        body = _page(client, cast.lead, f"?sort={key}")
        got = _references(body)
        # Ties keep the default order; the keys above separate these three concerns.
        assert got == expected, key
        assert body.count('aria-sort="ascending"') == 1 and 'aria-sort="descending"' not in body, key
        # The heading links to the other direction, keeping the other parameters.
        assert f'href="?sort={key}&amp;dir=desc"' in body, key
        body = _page(client, cast.lead, f"?sort={key}&dir=desc")
        assert _references(body) == list(reversed(expected)), key
        assert body.count('aria-sort="descending"') == 1, key
        assert world.about_lead.reference not in body


def test_default_order_is_earliest_deadline_and_marked(cast, client, world):
    body = _page(client, cast.lead)
    assert body.count('aria-sort="ascending"') == 1
    assert re.search(r'<th scope="col" aria-sort="ascending"><a href="\?sort=due&amp;dir=desc"', body)


@pytest.mark.parametrize(
    "term",
    # "(smithers": a regular expression's special character is searched for as itself, never run.
    [
        "{reference}",
        "{reference_start}",
        "C-4471",
        "Client C-4471",
        "client c-4471",
        "Jonathon Smithers",
        "smithers",
        "(smithers",
    ],
)
def test_search_finds_by_reference_client_or_similar_alleged_name(cast, client, world, term):
    term = term.format(reference=world.immediate.reference, reference_start=world.immediate.reference[:-1])
    body = _page(client, cast.lead, "?q=" + term.replace(" ", "+"))
    assert world.immediate.reference in _references(body)
    for hidden in world.hidden:
        assert hidden.reference not in body


def test_search_by_reporter_and_with_filters(cast, client, world):
    assert sorted(_references(_page(client, cast.lead, "?q=Cliff+Colleague"))) == [world.welsh.reference]
    assert _references(_page(client, cast.lead, "?q=cara%40example.test&risk=high")) == [world.rated.reference]
    assert _references(_page(client, cast.lead, "?q=Nobody+Matches+This")) == []


def test_counts_per_status_and_overdue_kind_leave_hidden_concerns_out(cast, world):
    counts = queue_counts(cast.lead)
    by_status = {c.key: c.count for c in counts.by_status}
    # The concern about the lead is "submitted" too, and of the lead's team: not counted.
    assert by_status["submitted"] == 1
    assert by_status["acknowledged"] == 1 and by_status["referred"] == 1
    assert counts.chase.count == 1
    overdue = {c.key: c.count for c in counts.overdue_by_kind}
    assert overdue.pop(ObligationKind.REFERRAL_RESPONSE) == 1
    assert set(overdue.values()) == {0}
    later = timezone.now() + timedelta(days=30)
    overdue = {c.key: c.count for c in queue_counts(cast.lead, now=later).overdue_by_kind}
    assert overdue[ObligationKind.ACKNOWLEDGE_CONCERN] == 1
    assert overdue[ObligationKind.DECIDE_CONCERN] == 1
    # The other team's lead sees their own concern, and nothing of this team's.
    other = {c.key: c.count for c in queue_counts(cast.lead_other_team).by_status}
    assert other["submitted"] == 1 and sum(other.values()) == 1


QUEUE_COUNTS = reverse("escalation:queue_counts")


def _count_of(body: str, label: str) -> str:
    found = re.search(rf">{re.escape(label)}</a>: <strong>([^<]+)</strong>", body)
    assert found, f"no count for {label!r}"
    return found.group(1)


def test_the_queue_loads_its_counts_beside_it_and_they_leave_hidden_concerns_out(cast, client, world):
    page = _page(client, cast.lead)
    # The page holds no count of its own: it asks for them (load, then every 30 s), and links to
    # them for a browser without JavaScript.
    assert re.search(rf'hx-get="{QUEUE_COUNTS}" hx-trigger="load, every 30s"', page)
    assert f'<a href="{QUEUE_COUNTS}">' in page
    assert "awaiting acknowledgement</a>: <strong>" not in page
    fragment = client.get(QUEUE_COUNTS, headers={"HX-Request": "true", "X-Background-Request": "true"})
    assert fragment.status_code == 200
    body = fragment.content.decode()
    assert "<html" not in body
    # The concern about the lead is "submitted" too, and of the lead's team: not counted; the
    # other team's concern neither.
    assert _count_of(body, "Submitted, awaiting acknowledgement") == "1"
    assert _count_of(body, "Acknowledged") == "1" and _count_of(body, "Referred externally") == "1"
    assert _count_of(body, "Agency response overdue") == "1"
    assert _count_of(body, "Response overdue") == "1"
    assert f'href="{QUEUE}?status=submitted"' in body and f'href="{QUEUE}?chase=on"' in body
    # Without JavaScript: the same counts as a page of their own, with the way back.
    full = client.get(QUEUE_COUNTS).content.decode()
    assert "<html" in full and "<h1>Queue counts</h1>" in full
    assert _count_of(full, "Submitted, awaiting acknowledgement") == "1"
    assert f'href="{QUEUE}"' in full
    for hidden in world.hidden:
        assert hidden.reference not in body + full


def test_the_counts_are_for_leads_only_and_count_in_one_statement_whatever_the_rows(cast, client, world):
    client.force_login(cast.clinician)
    assert client.get(QUEUE_COUNTS, headers={"HX-Request": "true"}).status_code == 403
    client.force_login(cast.lead)
    client.get(QUEUE_COUNTS)  # warm the session
    few = _queries_of(client, QUEUE_COUNTS, headers={"HX-Request": "true"})
    clone_open_concerns(world.immediate, 600)
    many_body = client.get(QUEUE_COUNTS, headers={"HX-Request": "true"}).content.decode()
    assert _queries_of(client, QUEUE_COUNTS, headers={"HX-Request": "true"}) == few == 1
    assert _count_of(many_body, "Submitted, awaiting acknowledgement") == "601"


def test_counts_are_capped(cast, world):
    clone_open_concerns(world.immediate, COUNT_CAP + 5)
    counts = {c.key: c for c in queue_counts(cast.lead).by_status}
    assert counts["submitted"].count == COUNT_CAP + 1 and counts["submitted"].capped


def _concern_counts_of(client, url, **kwargs) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, **kwargs).status_code == 200
    return [
        q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper() and "concerns_concern" in q["sql"]
    ]


def test_the_queue_loads_how_many_match_beside_it_with_its_filters(cast, client, world):
    page = _page(client, cast.lead, "?urgency=immediate&sort=team")
    # The rows do not wait for a count: the page counts nothing, and asks for how many match
    # (on load, then every 30 s, with the same filters), linking to it without JavaScript.
    assert _concern_counts_of(client, QUEUE + "?urgency=immediate&sort=team") == []
    total_url = f"{QUEUE_TOTAL}?urgency=immediate&amp;sort=team"
    assert re.search(rf'<span id="queue-total" hx-get="{re.escape(total_url)}" hx-trigger="load, every 30s"', page)
    assert f'<a href="{total_url}">how many match</a>' in page
    assert _total(client, "?urgency=immediate&sort=team") == "1 concern"
    assert _total(client) == "3 concerns"
    # Without JavaScript: a page of its own, with the way back to the same view.
    full = client.get(QUEUE_TOTAL + "?urgency=immediate&page=2").content.decode()
    assert "<html" in full and "<h1>How many concerns match</h1>" in full and "1 concern" in full
    assert f'href="{QUEUE}?urgency=immediate"' in full
    for hidden in world.hidden:
        assert hidden.reference not in page + full


def test_how_many_match_is_for_leads_only_capped_and_counted_in_one_statement(cast, client, world):
    client.force_login(cast.clinician)
    assert client.get(QUEUE_TOTAL, headers={"HX-Request": "true"}).status_code == 403
    client.force_login(cast.lead)
    client.get(QUEUE_TOTAL)  # warm the session
    few = _queries_of(client, QUEUE_TOTAL + "?urgency=immediate", headers={"HX-Request": "true"})
    assert len(_concern_counts_of(client, QUEUE_TOTAL + "?urgency=immediate", headers={"HX-Request": "true"})) == 1
    clone_open_concerns(world.immediate, COUNT_CAP + 5)
    assert _queries_of(client, QUEUE_TOTAL + "?urgency=immediate", headers={"HX-Request": "true"}) == few
    assert _total(client, "?urgency=immediate") == f"more than {COUNT_CAP}"
    assert _total(client, "?urgency=routine") == "1 concern"


def test_pages_follow_each_other_without_a_count(cast, client, world):

    clone_open_concerns(world.immediate, 2 * QUEUE_PAGE_SIZE + 17)  # with the world's 3: 120 rows
    first = _page(client, cast.lead)
    assert len(_references(first)) == QUEUE_PAGE_SIZE
    assert "Page 1<" in first and ">Next</a>" in first and ">Previous</a>" not in first
    last = _page(client, cast.lead, "?page=3")
    assert len(_references(last)) == 20
    assert ">Previous</a>" in last and ">Next</a>" not in last
    # The three pages hold every row once, in the queue's order.
    second = _page(client, cast.lead, "?page=2")
    seen = _references(first) + _references(second) + _references(last)
    assert len(set(seen)) == 2 * QUEUE_PAGE_SIZE + 20
    # Past the last page: no rows, and the way back; a page that is not a number is the first.
    past = _page(client, cast.lead, "?page=9")
    assert _references(past) == [] and "No open concerns match." in past and ">Previous</a>" in past
    assert _references(_page(client, cast.lead, "?page=nonsense")) == _references(first)


def test_the_pages_end_where_the_count_stops(cast, client, world):
    """As far as "more than 1000" goes: beyond it, a filter or the search narrows the queue."""
    from escalation.views import LAST_QUEUE_PAGE

    assert LAST_QUEUE_PAGE * QUEUE_PAGE_SIZE > COUNT_CAP
    clone_open_concerns(world.immediate, LAST_QUEUE_PAGE * QUEUE_PAGE_SIZE + 10)
    last = _page(client, cast.lead, f"?page={LAST_QUEUE_PAGE}")
    assert len(_references(last)) == QUEUE_PAGE_SIZE
    assert f"Page {LAST_QUEUE_PAGE}<" in last and ">Next</a>" not in last and ">Previous</a>" in last
    further = _page(client, cast.lead, f"?page={LAST_QUEUE_PAGE + 40}")
    assert _references(further) == _references(last)
    assert _total(client) == f"more than {COUNT_CAP}"


def test_time_left_names_its_deadline(cast, client, world):
    body = _page(client, cast.lead)
    assert re.search(r'data-deadline="Acknowledge">Acknowledge: \d+ (h|min)', body)
    assert re.search(r'data-deadline="Decision">Decision: ', body)
    with time_machine.travel(timezone.now() + timedelta(days=30)):
        body = _page(client, cast.lead)
    assert re.search(r"Acknowledge overdue by \d+ d", body)
    # The risk rating column.
    assert "High" in body and "Not rated yet" in body


def test_the_kind_due_next_follows_the_deadlines(cast, world):
    rated = Concern.objects.get(pk=world.rated.pk)
    # Acknowledged, triaged with no decision, and referred: the earliest open deadline counts.
    kinds = set(rated.deadlines.filter(state="open").order_by("due_at", "id").values_list("kind", flat=True)[:1])
    assert {rated.next_due_kind} == kinds
    assert rated.risk_rating == "high"
    assert Concern.objects.get(pk=world.closed.pk).next_due_kind == ""


# --- The query count does not grow with the rows, for every variant -----------------------------


def _variants(w: World, cast) -> list[str]:
    queries = list(_filter_cases(w, cast))
    queries += [f"?sort={key}" for key in SORT_KEYS] + [f"?sort={key}&dir=desc" for key in SORT_KEYS]
    queries += ["?q=Jonathon+Smithers", f"?q={w.immediate.reference}", "?q=Client+C-4471&sort=risk", "?overdue=on"]
    return queries


def _queries_of(client, url, **kwargs) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **kwargs)
    assert response.status_code == 200
    # Sessions, the second factor, banners and the bell do not depend on the queue's rows.
    return len(
        [
            q
            for q in captured.captured_queries
            if ("concerns_" in q["sql"] or "escalation_" in q["sql"] or "alerts_deadline" in q["sql"])
            and "escalation_notification" not in q["sql"]
            and "alerts_notification" not in q["sql"]
        ]
    )


def test_every_variant_issues_the_same_queries_for_10_and_500_rows(cast, client, world):
    client.force_login(cast.lead)
    client.get(QUEUE)  # warm the session
    variants = _variants(world, cast)
    clone_open_concerns(world.immediate, 7)
    with_10 = {q: _queries_of(client, QUEUE + q) for q in variants}
    refresh_10 = {q: _queries_of(client, QUEUE + q, headers={"HX-Request": "true"}) for q in variants}
    template = Concern.objects.get(pk=world.rated.pk)
    clone_open_concerns(world.immediate, 245, owner=cast.lead)
    clone_open_concerns(template, 245, owner=cast.deputy)
    with_500 = {q: _queries_of(client, QUEUE + q) for q in variants}
    refresh_500 = {q: _queries_of(client, QUEUE + q, headers={"HX-Request": "true"}) for q in variants}
    assert with_500 == with_10
    assert refresh_500 == refresh_10
    assert max(with_10.values()) <= 12
    # And the selector alone: the rows with everything they show.
    filters = QueueFilters(search=SUSPECT, sort="owner")
    with CaptureQueriesContext(connection) as small:
        list(queue_for_lead(cast.lead, filters)[:50])
    assert len(small) <= 6


@pytest.mark.parametrize("extra", ["", "&chase=on", "&sort=owner"])
@pytest.mark.parametrize("url", [QUEUE, QUEUE_TOTAL])
def test_a_search_reads_its_matches_once_for_the_rows_and_once_for_the_total(cast, client, world, extra, url):
    client.force_login(cast.lead)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url + "?q=Jonathon+Smithers" + extra)
    assert response.status_code == 200
    searches = [
        q["sql"] for q in captured.captured_queries if "concerns_allegedperson" in q["sql"] and "%>" in q["sql"]
    ]
    assert len(searches) == 1, searches


def test_a_search_is_read_inside_the_rows_own_statement(cast, client, world):
    """No statement of its own for the matches: the page runs as many as without a search, and
    the one that reads the page's rows is the one that searches."""
    client.force_login(cast.lead)
    client.get(QUEUE)  # warm the session
    assert _queries_of(client, QUEUE + "?q=Jonathon+Smithers") == _queries_of(client, QUEUE)
    with CaptureQueriesContext(connection) as captured:
        body = client.get(QUEUE + "?q=Jonathon+Smithers").content.decode()
    searches = [q["sql"] for q in captured.captured_queries if "%>" in q["sql"]]
    assert len(searches) == 1 and f"LIMIT {QUEUE_PAGE_SIZE + 1}" in searches[0], searches
    assert "ARRAY(" in searches[0]
    assert world.immediate.reference in body and world.about_lead.reference not in body


def test_a_reversed_date_range_is_named_at_the_top_and_the_rest_still_applies(cast, client, world):
    start = timezone.localdate() - timedelta(days=20)
    end = start - timedelta(days=10)
    body = _page(client, cast.lead, f"?status=closed&closed_from={start}&closed_to={end}&sort=nonsense")
    assert "There is a problem" in body and 'href="#id_closed_to"' in body
    # What was typed is kept; the valid parts apply (closed, from the start date), the order is the default.
    assert f'value="{end}"' in body
    assert _references(body) == [world.closed.reference]
    assert 'type="search"' in body
    # Beside the field too, under the id its aria-describedby names.
    field = re.search(r'<input type="date" name="closed_to"[^>]*>', body).group(0)
    assert 'aria-invalid="true"' in field and 'aria-describedby="id_closed_to_error"' in field
    assert re.search(r'id="id_closed_to_error">The end of the range must be on or after its start\.<', body)


def test_the_filter_form_places_every_field_once():
    from escalation.forms import QueueFilterForm

    placed = ["q", *QueueFilterForm.LISTED_FIELDS, *QueueFilterForm.CHECKBOX_FIELDS, *QueueFilterForm.HIDDEN_FIELDS]
    assert sorted(placed) == sorted(QueueFilterForm.base_fields)
    assert len(set(placed)) == len(placed)


def test_a_queue_page_reads_the_categories_once(cast, client, monkeypatch):
    """The category filter lists them and the rows name them: one cache read serves both."""
    from django.core.cache import cache

    from concerns.selectors import ACTIVE_CATEGORIES_KEY
    from tests.support.cache import record_cache_reads

    client.force_login(cast.lead)
    client.get(QUEUE)  # the first visit fills the cache
    reads = record_cache_reads(monkeypatch)
    try:
        assert client.get(QUEUE).status_code == 200
        assert reads.count(ACTIVE_CATEGORIES_KEY) == 1, reads
    finally:
        cache.delete(ACTIVE_CATEGORIES_KEY)


def test_the_filter_lists_come_from_one_cache_round_trip(cast, client, monkeypatch):
    """The categories, the owners and (for an organisation-wide lead) every team's name: one
    get_many, and no statement about teams, once the lists are kept."""
    from django.core.cache import cache

    from accounts.selectors import TEAM_NAMES_KEY
    from concerns.selectors import ACTIVE_CATEGORIES_KEY
    from tests.factories.accounts import UserFactory

    organisation_wide = UserFactory(
        email="owen@example.test", full_name="Owen Orgwide", roles=[Role.LEAD], covers_all_teams=True
    )
    client.force_login(organisation_wide)
    client.get(QUEUE)  # the first visit keeps the lists
    asked = []
    real_get_many = cache.get_many

    def recording_get_many(keys, *args, **kwargs):
        asked.append(list(keys))
        return real_get_many(keys, *args, **kwargs)

    monkeypatch.setattr(cache, "get_many", recording_get_many)
    with CaptureQueriesContext(connection) as captured:
        body = client.get(QUEUE).content.decode()
    assert len(asked) == 1 and {ACTIVE_CATEGORIES_KEY, TEAM_NAMES_KEY} <= set(asked[0]), asked
    assert not [q["sql"] for q in captured.captured_queries if q["sql"].startswith('SELECT "accounts_team"')]
    assert f'<option value="{cast.other_team.pk}">Adult therapies</option>' in body


def test_a_team_renamed_or_added_is_in_the_next_filter_list(cast, client):
    from tests.factories.accounts import TeamFactory, UserFactory

    organisation_wide = UserFactory(
        email="owen@example.test", full_name="Owen Orgwide", roles=[Role.LEAD], covers_all_teams=True
    )
    client.force_login(organisation_wide)
    assert ">Adult therapies</option>" in client.get(QUEUE).content.decode()
    cast.other_team.name = "Adult psychology"
    cast.other_team.save()
    added = TeamFactory(name="Perinatal", code="perinatal")
    body = client.get(QUEUE).content.decode()
    assert ">Adult therapies</option>" not in body
    assert f'<option value="{cast.other_team.pk}">Adult psychology</option>' in body
    assert f'<option value="{added.pk}">Perinatal</option>' in body
    added.delete()
    assert ">Perinatal</option>" not in client.get(QUEUE).content.decode()


def test_the_owner_list_is_kept_for_a_minute_per_lead(cast, django_assert_num_queries):
    from django.core.cache import cache

    from escalation.selectors import OWNER_CHOICES_SECONDS, queue_owner_choices
    from tests.factories.accounts import UserFactory

    first = queue_owner_choices(cast.lead)
    assert [name for _, name in first] == ["Dev Deputy", "Leah Lead"]
    with django_assert_num_queries(0):
        assert queue_owner_choices(cast.lead) == first
    # Another lead of the team appears once the minute is over (here: once the entry is gone).
    UserFactory(email="lou@example.test", full_name="Lou Later", roles=[Role.LEAD], covered_teams=[cast.team])
    assert queue_owner_choices(cast.lead) == first
    cache.delete(f"queue-owner-choices:v1:{cast.lead.pk}:{cast.lead.date_joined.timestamp()}")
    assert [name for _, name in queue_owner_choices(cast.lead)] == ["Dev Deputy", "Leah Lead", "Lou Later"]
    # Each lead has their own list: the other team's lead never sees this team's leads.
    assert [name for _, name in queue_owner_choices(cast.lead_other_team)] == ["Olga Otherlead"]
    assert OWNER_CHOICES_SECONDS <= 60


def _team_options(body: str) -> list[str]:
    select = re.search(r'<select name="team"[^>]*>(.*?)</select>', body, re.S).group(1)
    return re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', select)


def test_the_team_filter_lists_the_lead_s_teams_by_name_read_once_with_their_ids(cast, client, world):
    from accounts.models import Team
    from tests.factories.accounts import TeamFactory, UserFactory

    ward = TeamFactory(name="Aardvark ward")
    two_teams = UserFactory(email="tia@example.test", full_name="Tia Twoteams", roles=[Role.LEAD])
    two_teams.covered_teams.set([cast.team, ward])
    client.force_login(two_teams)
    client.get(QUEUE)  # warm the session
    with CaptureQueriesContext(connection) as captured:
        body = client.get(QUEUE).content.decode()
    assert _team_options(body) == ["Aardvark ward", cast.team.name]
    # The list and the rows' visibility share one read of the covered teams.
    assert len([q for q in captured.captured_queries if "accounts_user_covered_teams" in q["sql"]]) == 1
    # Her queue is her teams' concerns: this team's, never the other team's.
    assert world.immediate.reference in _references(body) and world.other_team.reference not in body
    everywhere = UserFactory(email="olive@example.test", full_name="Olive Orgwide", roles=[Role.LEAD])
    everywhere.covers_all_teams = True
    everywhere.save()
    every_team = list(Team.objects.order_by("name").values_list("name", flat=True))
    assert _team_options(_page(client, everywhere)) == every_team
