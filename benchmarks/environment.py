"""Point Django at a throwaway benchmark database before it is set up.

The benchmark never touches ``var/db.sqlite3``: by default it uses a file under
``var/bench/`` named after the size, or any ``--database-url`` given (PostgreSQL too).
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"


def default_url(size: str) -> str:
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{BENCH_DIR / f'city-{size}.sqlite3'}"


def sqlite_file(url: str) -> Path | None:
    """The file of a ``sqlite:///`` URL, or None for another database."""
    if not url.startswith("sqlite:///"):
        return None
    return Path(url[len("sqlite:///"):])


def configure(database_url: str) -> None:
    """Set the environment and call ``django.setup()``; refuses the product's own database."""
    target = sqlite_file(database_url)
    if target is not None and target.resolve() == (ROOT / "var" / "db.sqlite3").resolve():
        raise SystemExit("基准测试不能使用 var/db.sqlite3，请换一个数据库文件")
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chuangjian.settings")
    import django

    django.setup()
