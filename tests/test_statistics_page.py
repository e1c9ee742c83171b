"""The statistics page [SPEC 2.8, NA I.B]: who may open it, every table of its public version
attacked with the linear program of tests/test_disclosure.py, the classified version only for
the national coordination office, breakdowns by one and two dimensions with charts drawn from
the protected values, and a query count that does not grow with the data."""

import re

import pytest
from django.utils import timezone

from reports.statistics import publish
from reports.statistics.disclosure import PRIMARY, PUBLISHED

from . import factories
from .test_disclosure import attack

URL = "/reports/statistics/"
K = 5
YEAR = {"date_from": f"{timezone.localdate().year}-01-01", "date_to": timezone.localdate().isoformat()}


def more_victims(n):
    """`n` victims recorded today in a fresh Portuguese district, in a spread of sexes, ages
    and forms: some categories large, some small."""
    police = factories.agency("police")
    investigator = factories.user(police, "investigator")
    forms = [["ForcedLabour"], ["SexualExploitation"], ["ForcedLabour", "ForcedBegging"]]
    for number in range(n):
        factories.victim(investigator, sex="Feminine" if number % 3 else "Masculine",
                         age_group="adult" if number % 4 else "child", exploitation_forms=forms[number % 3])


@pytest.mark.parametrize("username,status", [
    ("focalpoint", 200), ("supervisor", 200), ("investigator", 403), ("frontline", 403), ("prosecutor", 403),
    ("clerk", 403), ("judge", 403), ("caseworker", 403), ("auditor", 403), ("admin", 403),
    ("investigator.br", 403), ("caseworker.br", 403)])
def test_only_those_who_count_for_a_jurisdiction_open_statistics(login, username, status):
    assert login(username).get(URL).status_code == status


def test_every_public_table_resists_the_attack_and_shows_no_small_count(demo):
    more_victims(23)
    focal = demo.user("focalpoint")
    today = timezone.localdate()
    for by in [(), ("sex",), ("sex", "age_group"), ("exploitation_form",), ("age_group", "exploitation_form"),
               ("kind",)]:
        sections = publish.sections_for(focal, date_from=today.replace(month=1, day=1), date_to=today, by=by,
                                        version=publish.PUBLIC, k=K)
        assert len(sections) == 20
        for section in sections:
            for figure in section.figures:
                table = figure.rendering
                shown = [cell for row in table.cells for cell in row] + list(table.row_totals) + \
                    list(table.column_totals) + [table.total]
                assert not [cell for cell in shown if cell.value is not None and 0 < cell.value < K], figure.title
                if table.publishable:
                    for cell, (low, high) in attack(table, K).items():
                        assert high - low >= K, (figure.title, by, cell, low, high)
            for fact in section.facts:  # a count of persons measured is a count like any other
                if "measured" in fact.label:
                    assert fact.shown.value is None or not 0 < fact.shown.value < K, fact


def test_the_public_page_reads_small_counts_as_marks_and_draws_no_bar_for_them(demo, login):
    more_victims(23)
    page = login("focalpoint").get(URL, {**YEAR, "by": "nationality", "version": "public"}).content.decode()
    assert 'id="marking"' in page and "Public version." in page and "<code>&lt;5</code>" in page
    recorded = page[page.index('id="victims_recorded"'):page.index('id="victims_identified"')]
    # 23 without a nationality and the demo's few of each: the small ones read "<5", with no number
    cells = re.findall(r'<td data-status="(\w+)">([^<]+)</td>', recorded)
    assert cells and all(status == PUBLISHED or text in ("&lt;5", "x") for status, text in cells)
    assert any(status == PRIMARY for status, _text in cells)
    assert "<svg" in recorded and 'role="img"' in recorded
    assert "CLASSIFIED" not in page


def test_the_classified_version_is_the_coordination_offices_alone(demo, login):
    more_victims(7)
    focal = login("focalpoint").get(URL, {**YEAR, "by": "sex", "version": "classified"})
    text = focal.content.decode()
    assert focal.status_code == 200 and "CLASSIFIED – true counts, do not publish." in text
    # true counts, each small one with the mark the public version gives it beside it
    cells = re.findall(r'<td data-status="(\w+)">([^<]+)', text)
    assert cells and all(number.strip().isdigit() for _status, number in cells)
    assert re.search(r'<td data-status="primary">\d+ <small>\(&lt;5\)</small>', text)
    supervisor = login("supervisor").get(URL, {**YEAR, "version": "classified"})
    assert supervisor.status_code == 400 and "CLASSIFIED" not in supervisor.content.decode()


def test_two_breakdowns_give_cross_tabulations_with_their_totals(demo, login):
    more_victims(23)
    page = login("focalpoint").get(URL, {**YEAR, "by": "sex", "and_by": "age_group"}).content.decode()
    recorded = page[page.index('id="victims_recorded"'):page.index('id="victims_identified"')]
    assert "Child (under 18)" in recorded and "Female" in recorded and 'class="total"' in recorded


@pytest.mark.parametrize("changes,field,message", [
    ({"date_to": "2000-01-01"}, "date_to", "The period cannot end before it starts."),
    ({"by": "sex", "and_by": "sex"}, "and_by", "Choose a second breakdown different from the first."),
    ({"by": "shoe_size"}, "by", "Select a valid choice."),
    ({"jurisdiction": "999999"}, "jurisdiction", "That is not a jurisdiction you may compile statistics for."),
])
def test_bad_choices_are_refused_at_their_field(demo, login, changes, field, message):
    response = login("supervisor").get(URL, {**YEAR, **changes})
    assert response.status_code == 400 and message in response.content.decode()


def test_the_page_runs_the_same_queries_whatever_the_data(demo, login, count_queries):
    client = login("focalpoint")
    query = {**YEAR, "by": "sex", "and_by": "exploitation_form"}
    few, _response = count_queries(client, URL, query)
    more_victims(30)
    with count_queries.capture(exactly=few):
        assert client.get(URL, query).status_code == 200


def test_a_chart_draws_only_the_published_values():
    from reports.statistics import disclosure

    table = disclosure.CountTable.one_way("Victims by sex", ["Female", "Male", "Unknown"], [40, 2, 9])
    svg = publish.bar_chart(disclosure.public(table, K))
    assert svg.count("<rect") == 1 and ">&lt;5<" in svg and ">x<" in svg and ">40<" in svg
    assert publish.bar_chart(disclosure.classified(table, K)).count("<rect") == 3
    # nothing to draw: no chart
    hidden = disclosure.CountTable.one_way("Victims by sex", ["Female", "Male"], [3, 2])
    assert publish.bar_chart(disclosure.public(hidden, K)) == ""
