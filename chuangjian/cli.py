"""The ``chuangjian`` console command: Django's manage.py under the product's name."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chuangjian.settings")
    import django
    from django.core.management import execute_from_command_line

    django.setup()
    from chuangjian.lib.process import settle

    settle()  # a queue worker or a city's 考核 runs long: see lib/process.py
    execute_from_command_line(["chuangjian", *sys.argv[1:]])


if __name__ == "__main__":
    main()
