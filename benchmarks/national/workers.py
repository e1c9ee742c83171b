"""Slices of the case load written at the same time by forked worker processes, one database
connection and transaction each (Python is the bottleneck of bulk inserts: one process per
core). Each worker builds its slice, checks every deferred constraint, reports ready and waits;
only when every worker is ready are they all told to commit, otherwise all roll back."""

import multiprocessing
import time
import traceback

from django.core.management.base import CommandError
from django.db import connection, connections, transaction

from .bulk import Steps


class _RolledBack(Exception):
    pass


def run_slices(base, count, steps):
    connections.close_all()  # the workers open their own; a forked connection is unusable
    context = multiprocessing.get_context("fork")
    started = time.monotonic()
    pipes, processes = [], []
    for index in range(count):
        ours, theirs = context.Pipe()
        process = context.Process(target=_work, args=(base, index, count, theirs, steps.out))
        process.start()
        theirs.close()
        pipes.append(ours)
        processes.append(process)
    try:
        ready = [_receive(pipe) for pipe in pipes]
        go = all(kind == "ready" for kind, _info in ready)
        for pipe, (kind, _info) in zip(pipes, ready):
            if kind == "ready":
                pipe.send("commit" if go else "rollback")
        done = [_receive(pipe) if kind == "ready" else (kind, info) for pipe, (kind, info) in zip(pipes, ready)]
    finally:
        for process in processes:
            process.join(timeout=60)
            if process.is_alive():
                process.terminate()
    errors = [info for kind, info in done if kind == "error"]
    if errors or not go:
        raise CommandError("A slice of the national data failed; nothing of the case load was kept.\n"
                           + "\n".join(errors))
    # One line per step: the slowest worker's time, every worker's rows.
    merged = {}
    for _kind, timings in ready:
        for name, seconds, counts in timings:
            slowest, total = merged.setdefault(name, [0.0, {}])
            merged[name][0] = max(slowest, seconds)
            for key, value in counts.items():
                total[key] = total.get(key, 0) + value
    for name, (seconds, counts) in merged.items():
        steps.record(f"{name} (slowest of {count} workers)", seconds, counts, counted=False)
    steps.record(f"case load in {count} parallel slices (wall clock)", time.monotonic() - started, {})


def _receive(pipe):
    try:
        return pipe.recv()
    except EOFError:
        return "error", "A worker process ended without reporting (killed, or out of memory)."


def _work(base, index, count, pipe, out):
    from .run import build_slice

    steps = Steps(out, prefix=f"[slice {index + 1}/{count}] ")
    try:
        with transaction.atomic():
            build_slice(base.slice(index, count), steps)
            with steps.step("deferred constraints checked"), connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # what commit would check, now
            pipe.send(("ready", steps.timings))
            if pipe.recv() != "commit":
                raise _RolledBack
        pipe.send(("committed", None))
    except _RolledBack:
        pipe.send(("rolled back", None))
    except BaseException:
        pipe.send(("error", f"[slice {index + 1}/{count}] {traceback.format_exc()}"))
    finally:
        connections.close_all()
        pipe.close()
