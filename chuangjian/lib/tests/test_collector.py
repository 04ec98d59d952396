"""The cyclic garbage collector paused for a block and restored as it was."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from chuangjian.lib.collector import collector_paused


@pytest.fixture(autouse=True)
def _restored() -> Iterator[None]:
    was = gc.isenabled()
    yield
    (gc.enable if was else gc.disable)()


def test_it_is_paused_inside_and_running_again_after() -> None:
    gc.enable()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_an_inner_block_leaves_it_paused_until_the_outer_one_ends() -> None:
    gc.enable()
    with collector_paused():
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_paused_before_stays_paused_and_an_error_restores_it() -> None:
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()
    gc.enable()
    with pytest.raises(ValueError), collector_paused():
        raise ValueError
    assert gc.isenabled()


@collector_paused()
def _decorated() -> bool:
    return gc.isenabled()


def test_it_decorates_a_function() -> None:
    gc.enable()
    assert _decorated() is False and gc.isenabled()
