"""`__in_array` (gdportal/lookups.py): the sweep's statements send their ids as one array on PostgreSQL; the
rows they select must be exactly those `__in` selects, on a plain column and on a foreign key, with an empty
list too (CI runs this on PostgreSQL, the local suite on SQLite's `IN`)."""

import pytest
from django.db import connection

from gdportal.lookups import array_or_in
from gdportal.registry.models import Customer, Installation
from tests import factories

pytestmark = pytest.mark.django_db


def test_in_array_selects_what_in_selects():
    first, second, third = (factories.CustomerFactory() for _ in range(3))
    factories.InstallationFactory(customer=first)
    factories.InstallationFactory(customer=third)
    ids = [first.pk, third.pk]
    assert set(Customer.objects.filter(pk__in_array=ids)) == set(Customer.objects.filter(pk__in=ids))
    assert set(Customer.objects.exclude(id__in_array={second.pk})) == {first, third}
    assert Customer.objects.filter(pk__in_array=[]).count() == 0
    assert Customer.objects.exclude(pk__in_array=set()).count() == 3
    by_owner = Installation.objects.filter(customer_id__in_array=[second.pk, third.pk])
    assert [i.customer_id for i in by_owner] == [third.pk]
    # An UPDATE through it touches only the rows named.
    assert Customer.objects.filter(pk__in_array=[second.pk]).update(name="Renomeado") == 1
    assert Customer.objects.get(pk=second.pk).name == "Renomeado"


def test_hand_written_sql_gets_the_same_rows():
    customers = [factories.CustomerFactory() for _ in range(3)]
    where, params = array_or_in("id", [customers[0].pk, customers[2].pk], connection)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {Customer._meta.db_table} WHERE {where} ORDER BY id", params)  # noqa: S608
        assert [row[0] for row in cursor.fetchall()] == [customers[0].pk, customers[2].pk]


def test_ids_of_any_kind_select_the_same_rows():
    """Integer ids take the fast path (one text literal on PostgreSQL); ids as strings, with a None, in a
    tuple or a set, and values of a text column take the general one — all select what `__in` selects."""
    first, second, third = (factories.CustomerFactory() for _ in range(3))
    wanted = {first, third}
    for ids in (
        {first.pk, third.pk},
        (first.pk, third.pk),
        [str(first.pk), str(third.pk)],
        [first.pk, None, third.pk],
    ):
        assert set(Customer.objects.filter(pk__in_array=ids)) == wanted, ids
    numbers = [first.number, third.number]
    assert set(Customer.objects.filter(number__in_array=numbers)) == wanted
    as_bool = Customer.objects.filter(pk__in_array=[True]).count()
    assert as_bool == Customer.objects.filter(pk__in=[True]).count()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the array is PostgreSQL's")
def test_a_batch_of_ids_is_one_parameter_on_postgresql():
    ids = set(range(1, 2001))
    sql, params = Customer.objects.filter(pk__in_array=ids).query.sql_with_params()
    assert "= ANY(%s::bigint[])" in sql
    assert len(params) == 1 and params[0].startswith("{") and params[0].count(",") == 1999
