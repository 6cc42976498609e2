"""``bulk_create()`` with Django's contract, without its per-value cost, for the tables an import fills.

Django's ``bulk_create`` compiles every value of every row through the field's
``get_db_prep_save()`` and a placeholder of its own: for an import of 5,000 posts that was ~265,000
Python calls and a third of the writer's time (docs/benchmarks.md, issue 33). Here each field is
looked at once per call: a value of the plain type a field stores as it is (a ``str`` for a text
field, an ``int`` for an integer or a foreign key, a ``bool``, an aware ``datetime`` through the
backend's own adapter) goes straight into the row; any other value goes through the field's own
``get_db_prep_save()``, as Django would send it. The statement is Django's too: the backend's
insert statement, conflict clause, ``RETURNING`` and batch size. Rows without returned columns are
sent with ``executemany()``.

What this path does not cover goes to Django's own ``bulk_create`` unchanged: expressions as values,
fields with placeholders of their own, returned columns other than an auto primary key, an upsert of
rows without a primary key, multi-table inheritance.
"""
import datetime

from django.db import connections, models, transaction
from django.db.models.constants import OnConflict
from django.db.models.fields import Field
from django.utils.functional import partition

_PLAIN = {
    models.CharField: (str,), models.TextField: (str,), models.BooleanField: (bool,),
    models.IntegerField: (int,), models.BigIntegerField: (int,), models.SmallIntegerField: (int,),
    models.PositiveIntegerField: (int,), models.PositiveBigIntegerField: (int,),
    models.PositiveSmallIntegerField: (int,), models.AutoField: (int,), models.BigAutoField: (int,),
    models.SmallAutoField: (int,),
}
_PREPARING = ("to_python", "get_prep_value", "get_db_prep_value", "get_db_prep_save")


class _Unplanned(Exception):
    """A value or a field this path does not prepare: Django's own bulk_create does it all."""


def _plain_types(field):
    """The value types ``field`` stores unchanged, or ``()``: only where its class prepares values
    exactly as one of Django's plain fields does (a subclass that only declares, e.g., a collation)."""
    if isinstance(field, models.ForeignKey):
        return _plain_types(field.target_field) if type(field).get_db_prep_save is models.ForeignKey.get_db_prep_save \
            else ()
    for base, types in _PLAIN.items():
        if isinstance(field, base) and all(getattr(type(field), name) is getattr(base, name) for name in _PREPARING):
            return types
    return ()


def _adapter(field, connection):
    """For a date-time field: how an aware ``datetime`` reaches the database (what its
    ``get_db_prep_save`` ends in), else None."""
    plain = type(field) is models.DateTimeField or all(
        getattr(type(field), name) is getattr(models.DateTimeField, name) for name in _PREPARING)
    return connection.ops.adapt_datetimefield_value if isinstance(field, models.DateTimeField) and plain else None


def _plan(fields, connection):
    if any(getattr(field, "get_placeholder", None) for field in fields):
        raise _Unplanned
    return [(field, field.attname, type(field).pre_save is not Field.pre_save, _plain_types(field),
             _adapter(field, connection)) for field in fields]


def _rows(objs, plan, connection):
    rows = []
    for obj in objs:
        row = []
        for field, attname, pre_save, plain, adapt in plan:
            value = field.pre_save(obj, True) if pre_save else getattr(obj, attname)
            kind = type(value)
            if value is None or kind in plain:
                row.append(value)
            elif adapt is not None and kind is datetime.datetime and value.utcoffset() is not None:
                row.append(adapt(value))
            elif hasattr(value, "resolve_expression"):
                raise _Unplanned
            else:
                row.append(field.get_db_prep_save(value, connection=connection))
        rows.append(row)
    return rows


class BulkQuerySet(models.QuerySet):
    """A queryset whose ``bulk_create`` prepares rows once per field, not once per value."""

    def bulk_create(self, objs, batch_size=None, ignore_conflicts=False, update_conflicts=False,
                    update_fields=None, unique_fields=None):
        objs = list(objs)
        opts = self.model._meta
        connection = connections[self.db]
        fallback = (objs, batch_size, ignore_conflicts, update_conflicts, update_fields, unique_fields)
        if not objs or (batch_size is not None and batch_size <= 0) or any(
                parent._meta.concrete_model is not opts.concrete_model for parent in opts.all_parents) or any(
                field is not opts.pk for field in opts.db_returning_fields):
            return super().bulk_create(*fallback)
        unique = [opts.get_field(opts.pk.name if name == "pk" else name) for name in unique_fields or ()]
        updated = [opts.get_field(name) for name in update_fields or ()]
        on_conflict = self._check_bulk_create_options(ignore_conflicts, update_conflicts, updated, unique)
        self._for_write = True
        self._prepare_for_bulk_create(objs)
        without_pk, with_pk = partition(lambda obj: obj._is_pk_set(), objs)
        if without_pk and (on_conflict == OnConflict.UPDATE or not isinstance(opts.pk, models.AutoField)):
            return super().bulk_create(*fallback)
        fields = [field for field in opts.concrete_fields if not field.generated]
        auto = [field for field in fields if field is not opts.pk]
        if not auto:  # a row of nothing but its key: Django's own statement for it
            return super().bulk_create(*fallback)
        try:  # every row is prepared before anything is written
            groups = [(group, group_fields, _rows(group, _plan(group_fields, connection), connection))
                      for group, group_fields in ((with_pk, fields), (without_pk, auto)) if group]
        except _Unplanned:
            return super().bulk_create(*fallback)
        with transaction.atomic(using=self.db, savepoint=False):
            for group, group_fields, rows in groups:
                self._insert_rows(connection, group, group_fields, rows, on_conflict, updated, unique, batch_size,
                                  returning=group is without_pk and on_conflict is None)
        for obj in objs:
            obj._state.adding = False
            obj._state.db = self.db
        return objs

    bulk_create.alters_data = True

    def _insert_rows(self, connection, objs, fields, rows, on_conflict, updated, unique, batch_size, returning):
        ops, opts = connection.ops, self.model._meta
        head = f"{ops.insert_statement(on_conflict=on_conflict)} {ops.quote_name(opts.db_table)} " \
               f"({', '.join(ops.quote_name(field.column) for field in fields)}) VALUES "
        suffix = ops.on_conflict_suffix_sql(fields, on_conflict, [f.column for f in updated],
                                            [f.column for f in unique]) or ""
        marks = f"({', '.join(['%s'] * len(fields))})"
        with connection.cursor() as cursor:
            if not (returning and connection.features.can_return_rows_from_bulk_insert):
                cursor.executemany(f"{head}{marks} {suffix}", rows)
                return
            size = max(ops.bulk_batch_size(fields, objs), 1)
            size = min(batch_size, size) if batch_size else size
            returned, _ = ops.return_insert_columns([opts.pk])
            ids = []
            for start in range(0, len(rows), size):
                part = rows[start:start + size]
                cursor.execute(f"{head}{', '.join([marks] * len(part))} {suffix} {returned}",
                               [value for row in part for value in row])
                ids += [pk for (pk,) in ops.fetch_returned_insert_rows(cursor)]
        for obj, pk in zip(objs, ids, strict=True):  # only once every batch went in, as Django does
            obj.pk = pk
