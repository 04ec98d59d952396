"""The registry of long jobs: each app declares its jobs in `<app>/jobs.py`.

    from chuangjian.jobs.registry import JobOutput, Progress, job

    @job("evidence.ledger", title=_("创建台账"))
    def build_ledger(params: dict, progress: Progress) -> JobOutput:
        progress(10, _("正在汇总指标"))
        ...
        return JobOutput("台账.pdf", pdf_bytes, "application/pdf")

A job function receives the JSON params given to `start_job` and a `progress`
callback (percent 0–100, a Chinese message). It raises `JobError` with a Chinese
message for a failure the user should read; any other exception is logged and
shown as a generic failure.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from django.utils.functional import Promise


class JobError(Exception):
    """A failure whose (Chinese) message is shown to the user as it is."""


class Progress(Protocol):
    def __call__(self, percent: int, message: str | Promise = "") -> None: ...


@dataclass(frozen=True)
class JobOutput:
    filename: str
    content: bytes
    content_type: str


JobFunction = Callable[[Mapping[str, Any], Progress], JobOutput]


@dataclass(frozen=True)
class JobKind:
    code: str
    title: str | Promise
    run: JobFunction


_REGISTRY: dict[str, JobKind] = {}


def job(code: str, *, title: str | Promise) -> Callable[[JobFunction], JobFunction]:
    def register(fn: JobFunction) -> JobFunction:
        existing = _REGISTRY.get(code)
        if existing is not None and existing.run is not fn:
            raise RuntimeError(f"job {code!r} is registered twice")
        _REGISTRY[code] = JobKind(code, title, fn)
        return fn

    return register


def kind(code: str) -> JobKind:
    try:
        return _REGISTRY[code]
    except KeyError:
        raise LookupError(f"no job registered as {code!r}") from None


def kinds() -> list[JobKind]:
    return sorted(_REGISTRY.values(), key=lambda k: k.code)
