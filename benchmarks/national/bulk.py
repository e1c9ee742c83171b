"""Bulk writing: every row goes in through Model.objects.bulk_create, and through
simple_history's bulk_create_with_history for the models that keep a history (their history
rows included), a few thousand rows a statement. Nothing here calls a per-row service."""

import contextlib
import sys
import time

from django.db import connection
from simple_history.utils import bulk_create_with_history

BATCH = 2000
CHANGE_REASON = "National benchmark data (manage.py generate_national)"


def has_history(model):
    return hasattr(model, "history") and hasattr(model._meta, "simple_history_manager_attribute")


def insert(model, objs, *, batch=BATCH, when=None):
    """Insert `objs` (any iterable) in chunks; returns the saved objects, primary keys set.
    `when(obj)` gives a history row's date (default: now)."""
    saved = []
    chunk = []
    for obj in objs:
        chunk.append(obj)
        if len(chunk) >= batch * 5:
            saved.extend(_insert_chunk(model, chunk, batch, when))
            chunk = []
    if chunk:
        saved.extend(_insert_chunk(model, chunk, batch, when))
    return saved


def _insert_chunk(model, chunk, batch, when):
    if not has_history(model):
        return model.objects.bulk_create(chunk, batch_size=batch)
    if when is not None:
        for obj in chunk:
            obj._history_date = when(obj)
    return bulk_create_with_history(chunk, model, batch_size=batch, default_change_reason=CHANGE_REASON)


def insert_m2m_history(model, field_name, through_rows):
    """History rows of a many-to-many field that simple_history keeps (m2m_fields=[...]): a
    copy of each through row (saved, with its id), attached to the object's historical record."""
    from django.apps import apps

    meta = model._meta
    m2m_history = apps.get_model(meta.app_label, f"Historical{model.__name__}_{field_name}")
    own = f"{meta.model_name}_id"
    related = f"{meta.get_field(field_name).related_model._meta.model_name}_id"
    history = dict(model.history.model.objects.filter(id__in={getattr(row, own) for row in through_rows})
                   .values_list("id", "history_id"))
    return m2m_history.objects.bulk_create(
        [m2m_history(**{"id": row.pk, "history_id": history[getattr(row, own)], own: getattr(row, own),
                        related: getattr(row, related)}) for row in through_rows], batch_size=BATCH)


def reserve_ids(model, count):
    """`count` primary keys drawn from the table's sequence, for rows that point at each other
    (an adjourned hearing and the hearing it was adjourned to)."""
    if count == 0:
        return []
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                       [table, column, count])
        return [row[0] for row in cursor.fetchall()]


@contextlib.contextmanager
def explicit_timestamps(model, *names):
    """Let bulk inserts keep the created/updated times given (a case opened four years ago was
    created then), instead of auto_now/auto_now_add stamping them all with now."""
    fields = [model._meta.get_field(name) for name in names]
    saved = [(field.auto_now, field.auto_now_add) for field in fields]
    for field in fields:
        field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, (auto_now, auto_now_add) in zip(fields, saved):
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


class Steps:
    """Progress per step: what it wrote and how long it took."""

    def __init__(self, out=None, prefix=""):
        self.out = out or sys.stdout
        self.prefix = prefix
        self.timings = []  # (name, seconds, counts)
        self.total = 0.0  # wall clock of the steps, parallel ones counted once

    @contextlib.contextmanager
    def step(self, name):
        counts = {}
        self._write(f"{name} ...")
        started = time.monotonic()
        yield counts
        self.record(name, time.monotonic() - started, counts)

    def record(self, name, seconds, counts, counted=True):
        self.timings.append((name, seconds, dict(counts)))
        if counted:
            self.total += seconds
        written = ", ".join(f"{key} {value:,}" for key, value in counts.items())
        self._write(f"{name}: {written}{' ' if written else ''}({seconds:.1f} s)")

    def _write(self, line):
        self.out.write(f"{self.prefix}{line}\n")
        self.out.flush()
