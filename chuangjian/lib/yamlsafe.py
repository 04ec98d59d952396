"""YAML read within bounds: no anchors or aliases, a nesting limit, a size limit.

PyYAML's ``SafeLoader`` builds no Python objects from tags, but it still expands
aliases (a "billion laughs" file of a few hundred bytes grows to gigabytes) and
composes nested nodes recursively (ten thousand ``[`` end in RecursionError).
``BoundedSafeLoader`` refuses both while composing, before anything is built;
standard files never need either. Errors are ``yaml.MarkedYAMLError`` with a
Chinese problem text and the line, so existing error reporting names the place.
"""

from __future__ import annotations

from typing import Any

import yaml

MAX_DEPTH = 40
MAX_CHARS = 2_000_000


class YamlRefused(yaml.MarkedYAMLError):
    """A document the bounded loader will not compose."""


class BoundedSafeLoader(yaml.SafeLoader):
    max_depth = MAX_DEPTH

    def __init__(self, stream: Any) -> None:
        self._too_large = isinstance(stream, str | bytes) and len(stream) > MAX_CHARS
        # A refused document is never scanned: the loader reads nothing of it.
        super().__init__("" if self._too_large else stream)
        self._depth = 0

    def get_single_node(self) -> Any:
        if self._too_large:
            raise YamlRefused(problem=f"文件过大（超过 {MAX_CHARS // 10_000} 万字符）")
        return super().get_single_node()

    def fetch_flow_collection_start(self, TokenClass: Any) -> None:
        # The scanner looks ahead over every open bracket: stop it at the limit too,
        # rather than after it has read ten thousand of them.
        if self.flow_level >= self.max_depth:
            raise YamlRefused(problem=f"嵌套层数超过 {self.max_depth} 层",
                              problem_mark=self.get_mark())
        super().fetch_flow_collection_start(TokenClass)

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise YamlRefused(problem="不允许使用锚点和别名（& 和 *），请直接写出内容",
                              problem_mark=event.start_mark)
        self._depth += 1
        try:
            if self._depth > self.max_depth:
                raise YamlRefused(problem=f"嵌套层数超过 {self.max_depth} 层",
                                  problem_mark=event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def safe_load(text: str) -> Any:
    """``yaml.safe_load`` without aliases, deeper than ``MAX_DEPTH`` or larger than ``MAX_CHARS``."""
    loader = BoundedSafeLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()
