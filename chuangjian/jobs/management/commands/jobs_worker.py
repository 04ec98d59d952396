"""``chuangjian jobs_worker``: the queue worker — django-tasks-db's ``db_worker`` (the same
options and the same way of running a job), looking for work without holding up the
writers.

The library's worker takes the database's write lock every time it looks for a job, ready
or not (an exclusive transaction on SQLite), and on SQLite waits for it in the busy
handler, which sleeps longer after each try (up to 100 ms). Under a stream of reports the
lock is taken most of the time: the first refresh job of a 16:00 rush was claimed
0.02–2.9 s after its time (docs/benchmarks.md, 2026-12-05), and every idle look stopped
the submissions for a moment. This worker first asks whether a job is ready with a plain
read (no lock: the database is in WAL mode), and claims one only then, asking SQLite for
the lock every millisecond (``lib.writelock.atomic_promptly``). On PostgreSQL the claim is
the library's: the row locked, locked rows skipped.
"""

from __future__ import annotations

import os
import random
import time
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.db import OperationalError, close_old_connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django.utils.module_loading import import_string
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult, DBTaskResultQuerySet
from django_tasks_db.utils import is_locked_database_exception

from chuangjian.lib.writelock import atomic_promptly

logger = db_worker.logger


IDLE_BACKOFF = 60.0  # seconds an idle errand that failed is left alone


class Worker(db_worker.Worker):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._idle_failed: dict[str, float] = {}  # errand → when it last failed

    def run(self) -> None:
        """The library's loop (``db_worker.Worker.run``) with ``claim`` for its claim."""
        logger.info("Starting worker worker_id=%s queues=%s", self.worker_id,
                    ",".join(self.queue_names))
        if self.startup_delay and self.interval:
            time.sleep(random.random())  # noqa: S311 - spreads workers started together
        while self.running:
            close_old_connections()
            task_result, looked = self.claim()
            if task_result is not None:
                self.run_task(task_result)
            if self.batch and looked and task_result is None:
                logger.info("No more tasks to run for worker_id=%s - exiting gracefully.",
                            self.worker_id)
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                logger.info("Run maximum tasks (%d) on worker=%s - exiting gracefully.",
                            self.max_tasks, self.worker_id)
                return
            close_old_connections()
            if self.running and not task_result:
                self.idle()
                time.sleep(self.interval)

    def idle(self) -> None:
        """The errands of ``JOBS_WORKER_IDLE``, while no job is ready. One that fails is
        logged and not tried again for ``IDLE_BACKOFF`` seconds; the worker goes on."""
        now = time.monotonic()
        for path in settings.JOBS_WORKER_IDLE:
            if self._idle_failed.get(path, -IDLE_BACKOFF) + IDLE_BACKOFF > now:
                continue
            try:
                import_string(path)(queues=self.served())
            except Exception:
                logger.exception("idle errand %s failed", path)
                self._idle_failed[path] = now
            finally:
                close_old_connections()

    def served(self) -> list[str]:
        """The queues this worker takes jobs from ("*": every queue but those excluded)."""
        if self.process_all_queues:
            return ["*"] if not self.excluded_queue_names else [
                q for q in settings.TASKS[self.backend_name].get("QUEUES", ["default"])
                if q not in self.excluded_queue_names]
        return list(self.queue_names)

    def ready(self) -> DBTaskResultQuerySet:
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        return tasks

    def claim(self) -> tuple[DBTaskResult | None, bool]:
        """The job claimed for this worker, if one is ready; and whether the queue could
        be looked at (False when the database stayed locked past its timeout)."""
        tasks = self.ready()
        if not tasks.exists():  # a read: no lock taken while nothing is ready
            return None, True
        try:
            with atomic_promptly(using=tasks.db):
                task_result = tasks.get_locked()
                if task_result is not None:
                    task_result.claim(self.worker_id)
        except OperationalError as error:
            if is_locked_database_exception(error):
                return None, False  # it unlocks eventually; look again after the interval
            raise
        return task_result, True


class Command(db_worker.Command):
    help = "运行后台任务队列（查找任务时不占用数据库写锁）"

    def handle(self, *, verbosity: int, queue_name: str, interval: float, batch: bool,
               backend_name: str, startup_delay: bool, reload: bool, max_tasks: int | None,
               worker_id: str, exclude_queues: str, **options: Any) -> None:
        """``db_worker``'s, with this module's ``Worker``."""
        self.configure_logging(verbosity)
        if reload and batch:
            logger.warning("Warning: --reload and --batch cannot be specified together. "
                           "Disabling autoreload.")
            reload = False
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = Worker(queue_names=queue_names, interval=interval, batch=batch,
                        backend_name=backend_name, startup_delay=startup_delay,
                        max_tasks=max_tasks, worker_id=worker_id,
                        excluded_queue_names=excluded)
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()  # only the child process
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
