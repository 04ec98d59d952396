from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chuangjian.settings")
application = get_wsgi_application()

from chuangjian.lib.process import settle  # noqa: E402 - once Django is set up

settle()
