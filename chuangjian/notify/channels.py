"""The channels a digest goes out through, each configured from the environment:
e-mail (Django's mail backend) and the group robots of 企业微信 and 钉钉 (markdown JSON
over HTTP to the address the deployment names).

A webhook that times out, refuses the connection, answers an HTTP error or a non-zero
``errcode`` is tried again a few times with a growing pause, then reported as failed
with the reason; the caller records it. Nothing here runs inside a page request: digests
are sent by ``chuangjian notify digest`` from cron.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import send_mail

from chuangjian.notify.models import Channel

if TYPE_CHECKING:
    from chuangjian.notify.digest import Digest


class DeliveryError(Exception):
    """The channel could not deliver; the message says why (shown on the page)."""


@dataclass
class Outcome:
    attempts: int
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def enabled_channels() -> list[str]:
    out: list[str] = []
    if settings.NOTIFY_EMAIL:
        out.append(Channel.EMAIL)
    if settings.NOTIFY_WECOM_WEBHOOK:
        out.append(Channel.WECOM)
    if settings.NOTIFY_DINGTALK_WEBHOOK:
        out.append(Channel.DINGTALK)
    return out


def wecom_payload(digest: Digest) -> dict[str, Any]:
    """企业微信群机器人: msgtype markdown, the content at most 4096 bytes."""
    return {"msgtype": "markdown", "markdown": {"content": _fit(digest.markdown(), 4000)}}


def dingtalk_payload(digest: Digest) -> dict[str, Any]:
    """钉钉群机器人: msgtype markdown with a title; the person is @-mentioned by phone."""
    text = digest.markdown()
    phone = digest.user.phone
    at: dict[str, Any] = {"isAtAll": False, "atMobiles": [phone] if phone else []}
    if phone:
        text += f"\n\n@{phone}"
    return {"msgtype": "markdown", "markdown": {"title": digest.subject(), "text": _fit(text, 5000)},
            "at": at}


def _fit(text: str, limit: int) -> str:
    data = text.encode()
    if len(data) <= limit:
        return text
    return data[: limit - 10].decode(errors="ignore") + "\n……"


def _post(url: str, payload: dict[str, Any]) -> None:
    body = json.dumps(payload, ensure_ascii=False).encode()
    request = urllib.request.Request(url, data=body, method="POST",  # noqa: S310 - a configured http(s) address
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=settings.NOTIFY_WEBHOOK_TIMEOUT) as response:  # noqa: S310
            raw = response.read(65536)
    except urllib.error.HTTPError as error:
        raise DeliveryError(f"HTTP {error.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise DeliveryError(f"连接失败：{reason}") from None
    try:
        answer = json.loads(raw or b"{}")
    except ValueError:
        raise DeliveryError("应答不是 JSON") from None
    if isinstance(answer, dict) and answer.get("errcode", 0) != 0:
        raise DeliveryError(f"errcode {answer.get('errcode')}：{str(answer.get('errmsg', ''))[:100]}")


def _webhook(url: str, payload: dict[str, Any]) -> Outcome:
    attempts = 1 + max(settings.NOTIFY_WEBHOOK_RETRIES, 0)
    error = ""
    for attempt in range(1, attempts + 1):
        try:
            _post(url, payload)
            return Outcome(attempts=attempt)
        except DeliveryError as failure:
            error = str(failure)
        if attempt < attempts:
            time.sleep(settings.NOTIFY_WEBHOOK_BACKOFF * attempt)
    return Outcome(attempts=attempts, error=error[:300])


def deliver(channel: str, digest: Digest) -> Outcome | None:
    """Send one digest through one channel; None when the channel has no address for
    this person (no e-mail address on the account)."""
    if channel == Channel.EMAIL:
        if not digest.user.email:
            return None
        try:
            send_mail(digest.subject(), digest.text(), settings.DEFAULT_FROM_EMAIL,
                      [digest.user.email])
        except OSError as error:  # smtplib.SMTPException is an OSError: recorded, not raised
            return Outcome(attempts=1, error=f"邮件发送失败：{error}"[:300])
        return Outcome(attempts=1)
    if channel == Channel.WECOM:
        return _webhook(settings.NOTIFY_WECOM_WEBHOOK, wecom_payload(digest))
    if channel == Channel.DINGTALK:
        return _webhook(settings.NOTIFY_DINGTALK_WEBHOOK, dingtalk_payload(digest))
    raise ValueError(channel)
