"""A long-lived process's start: what it keeps for its whole life is set aside from the
garbage collector's full passes.

A web or queue process holds some 350,000 objects once Django, the apps and the views are
loaded, nearly all of them for good. CPython's full collection (generation 2) walks them
all, 67–100 ms each time, and starts on its own every few hundred thousand allocations:
every other full assessment at M paid one (0.41 s instead of 0.33 s), and so did some
request in the middle of the 16:00 rush. ``gc.freeze`` moves the objects alive at that
moment out of the collector's reach (CPython's documented use, "Freeze all the objects
tracked by the garbage collector"); the full passes then walk only what the process made
since.
"""

from __future__ import annotations

import gc


def settle() -> None:
    """Import every view (through the URLconf), collect the start-up's garbage once and
    freeze what is left. Called once by each process of the product when it has started
    (``chuangjian.wsgi``, the ``chuangjian`` command), after ``django.setup``."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports every view module
    gc.collect()
    gc.freeze()
