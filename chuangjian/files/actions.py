"""Writes on stored files that no upload form makes: the purge of files left behind."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from chuangjian.audit.log import log_action
from chuangjian.files.models import StoredFile
from chuangjian.org.scope import Scope

# A pending upload (a photo chosen on a form that was then refused) lives in its
# session, which ends after SESSION_ABSOLUTE_HOURS (12 h) at the latest; a day's margin
# more and nobody can still be about to use it.
MIN_AGE = dt.timedelta(days=2)


def _in_use() -> Q:
    """Files some record points at: every foreign key to StoredFile (those of the
    many-to-many tables included), found from the models so a new one is never missed."""
    used = Q(pk__in=[])
    for rel in StoredFile._meta.get_fields(include_hidden=True):
        if isinstance(rel, models.ManyToOneRel) and not isinstance(rel, models.ManyToManyRel):
            field = rel.field
            used |= Q(pk__in=rel.related_model._default_manager.filter(  # type: ignore[union-attr]
                **{f"{field.name}__isnull": False}).values(field.attname))
    return used


@transaction.atomic
def purge_unused_files(*, scope: Scope, older_than: dt.timedelta = MIN_AGE,
                       now: dt.datetime | None = None) -> int:
    """Delete stored files nothing points at that were uploaded before ``older_than``
    ago: pending uploads of forms that were never sent again, and any other upload
    left unlinked. Only the command-line system scope may purge; the purge records
    itself. Returns how many files were deleted."""
    if not (scope.is_global and scope.user_id is None):
        raise PermissionDenied
    if older_than < MIN_AGE:
        raise ValidationError({"older_than": _("至少保留 %(n)d 天内上传的文件，以免删除正在填写的表单中的照片") % {
            "n": MIN_AGE.days}})
    cutoff = (now or timezone.now()) - older_than
    stale = list(StoredFile.objects.filter(uploaded_at__lt=cutoff).exclude(_in_use()))
    names = [f.name for f in stale[:20]]
    paths = [(field.storage, field.name) for f in stale
             for field in (f.original, f.display, f.thumb) if field]
    StoredFile.objects.filter(pk__in=[f.pk for f in stale]).delete()
    log_action(action="files.purged", actor=None,
               data={"before": cutoff.isoformat(), "deleted": len(stale), "names": names})
    # The bytes go once the rows are gone for good, so a rollback never loses a file.
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in paths])
    return len(stale)
