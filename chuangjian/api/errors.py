"""Every error of the API as JSON with a Chinese message and the right status.

django-ninja's defaults answer in English ("Unauthorized", "Not Found", pydantic's
messages), let Django render a PermissionDenied as an HTML page, and accept JSON that
later breaks the database (a lone surrogate, a NUL, a number of a million digits).
Here the body is parsed strictly, and each kind of failure gets one handler.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser

MAX_NUMBER_CHARS = 40  # a JSON number longer than this is refused before int()/float()
MAX_DEPTH = 20  # nesting of arrays and objects in a body
_BODY_ERROR = "_chuangjian_body_error"


class ErrorOut(Schema):
    detail: str = Field(description="出错原因（中文）")
    errors: dict[str, str] = Field(default_factory=dict,
                                   description="出错的字段或数据元素 → 原因")


class BodyError(ValueError):
    """The request body is not JSON we accept; the message says why, in Chinese."""


def _number(text: str, convert: type) -> Any:
    if len(text) > MAX_NUMBER_CHARS:
        raise BodyError(_("数字过长（超过 %(n)d 个字符）") % {"n": MAX_NUMBER_CHARS})
    return convert(text)


def _no_constant(text: str) -> Any:
    raise BodyError(_("不接受 %(c)s，请填写数字") % {"c": text})


def _check(value: Any, depth: int = 0) -> None:
    """Refuse strings a database cannot store, and nesting beyond ``MAX_DEPTH``."""
    if depth > MAX_DEPTH:
        raise BodyError(_("嵌套层次过深（超过 %(n)d 层）") % {"n": MAX_DEPTH})
    if isinstance(value, str):
        _check_text(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key)
            _check(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check(item, depth + 1)


def _check_text(text: str) -> None:
    if "\x00" in text:
        raise BodyError(_("文本中含有空字符（\\u0000）"))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise BodyError(_("文本中含有不成对的代理字符（如 \\ud800），不是有效的 Unicode")) from None


class StrictJSONParser(Parser):
    """JSON bodies with bounded numbers, no NaN/Infinity, valid Unicode, bounded depth."""

    def parse_body(self, request: HttpRequest) -> Any:
        try:
            data = json.loads(request.body, parse_int=lambda t: _number(t, int),
                              parse_float=lambda t: _number(t, float),
                              parse_constant=_no_constant)
            _check(data)
        except BodyError as error:
            setattr(request, _BODY_ERROR, str(error))
            raise
        except (ValueError, RecursionError):
            setattr(request, _BODY_ERROR, _("请求体不是有效的 JSON"))
            raise
        return data


# pydantic error types → Chinese. ``{x}`` are filled from the error's context.
_MESSAGES = {
    "missing": _lazy("缺少此项"),
    "int_parsing": _lazy("应为整数"),
    "int_type": _lazy("应为整数"),
    "int_from_float": _lazy("应为整数"),
    "float_parsing": _lazy("应为数字"),
    "float_type": _lazy("应为数字"),
    "bool_parsing": _lazy("应为 true 或 false"),
    "bool_type": _lazy("应为 true 或 false"),
    "string_type": _lazy("应为文本"),
    "string_too_short": _lazy("至少 {min_length} 个字符"),
    "string_too_long": _lazy("最多 {max_length} 个字符"),
    "dict_type": _lazy("应为对象（键值对）"),
    "list_type": _lazy("应为数组"),
    "model_type": _lazy("应为对象"),
    "model_attributes_type": _lazy("应为对象"),
    "greater_than": _lazy("应大于 {gt}"),
    "greater_than_equal": _lazy("不能小于 {ge}"),
    "less_than": _lazy("应小于 {lt}"),
    "less_than_equal": _lazy("不能大于 {le}"),
    "date_parsing": _lazy("应为日期，如 2026-03-16"),
    "date_from_datetime_parsing": _lazy("应为日期，如 2026-03-16"),
    "date_type": _lazy("应为日期，如 2026-03-16"),
    "datetime_parsing": _lazy("应为时间，如 2026-03-16T16:00:00+08:00"),
    "datetime_from_date_parsing": _lazy("应为时间，如 2026-03-16T16:00:00+08:00"),
    "datetime_type": _lazy("应为时间，如 2026-03-16T16:00:00+08:00"),
    "enum": _lazy("应为 {expected} 之一"),
    "literal_error": _lazy("应为 {expected} 之一"),
    "json_invalid": _lazy("不是有效的 JSON"),
    "extra_forbidden": _lazy("不接受此项"),
}
_WHERE = {"query": _lazy("查询参数"), "path": _lazy("路径参数"), "body": _lazy("请求体"), "header": _lazy("请求头"),
          "cookie": _lazy("Cookie"), "form": _lazy("表单")}


def _message(error: dict[str, Any]) -> str:
    template = _MESSAGES.get(error.get("type", ""))
    if template is None:
        return _("格式不正确")
    try:
        return str(template).format(**(error.get("ctx") or {}))
    except (KeyError, IndexError, ValueError):
        return str(template)


def _where(loc: tuple[Any, ...] | list[Any]) -> str:
    if not loc:
        return _("请求")
    source, *rest = loc
    place = str(_WHERE[source]) if source in _WHERE else str(source)
    return place + ("「" + ".".join(str(p) for p in rest) + "」" if rest else "")


def install(api: NinjaAPI) -> None:
    """Register the Chinese handlers on ``api``, replacing ninja's English ones."""

    def respond(request: HttpRequest, status: int, detail: str,
                errors: dict[str, str] | None = None) -> HttpResponse:
        return api.create_response(request, {"detail": detail, "errors": errors or {}},
                                   status=status)

    def on_auth(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = respond(request, 401, _("未登录或令牌无效：请先登录，或在 Authorization 头中"
                                           "提供有效的 Bearer 令牌"))
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    def on_validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors: dict[str, str] = {}
        for error in exc.errors:
            errors.setdefault(_where(error.get("loc") or ()), _message(error))
        first = next(iter(errors.items()), ("", ""))
        detail = (_("%(where)s：%(what)s") % {"where": first[0], "what": first[1]}
                  if first[0] else _("请求数据有误"))
        return respond(request, 422, detail, errors)

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        message = str(exc)
        if isinstance(exc, Throttled):
            message = _("请求过于频繁，请稍后再试")
        elif exc.status_code == 400 and hasattr(request, _BODY_ERROR):
            message = getattr(request, _BODY_ERROR)
        elif message == "CSRF check Failed":
            message = _("CSRF 校验失败：以登录会话调用写接口时须带 X-CSRFToken 请求头；"
                        "程序调用请用 Bearer 令牌")
        elif message.isascii() and message:
            # An English default of ninja's; our own messages are Chinese already.
            message = _("请求被拒绝（%(status)d）") % {"status": exc.status_code}
        return respond(request, exc.status_code, message)

    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        message = str(exc)
        if not message or message.isascii():
            message = _("未找到，或不在你的权限范围内")
        return respond(request, 404, message)

    def on_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        message = str(exc)
        return respond(request, 403, message if message and not message.isascii()
                       else _("无权进行此操作"))

    def on_invalid(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        return respond(request, 400, _("；").join(exc.messages))

    api.add_exception_handler(AuthenticationError, on_auth)  # type: ignore[arg-type]
    api.add_exception_handler(NinjaValidationError, on_validation)  # type: ignore[arg-type]
    api.add_exception_handler(HttpError, on_http_error)  # type: ignore[arg-type]
    api.add_exception_handler(Http404, on_not_found)  # type: ignore[arg-type]
    api.add_exception_handler(PermissionDenied, on_denied)  # type: ignore[arg-type]
    api.add_exception_handler(DjangoValidationError, on_invalid)  # type: ignore[arg-type]


# Statuses any operation may answer, documented on every operation of the schema.
COMMON_ERRORS = {
    "400": "请求有误（如请求体不是有效的 JSON）",
    "401": "未登录或令牌无效",
    "403": "无权进行此操作",
    "404": "未找到，或不在权限范围内",
    "422": "参数或请求体不符合接口定义",
}


def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the common error statuses (with ``ErrorOut``) to every operation."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("ErrorOut", ErrorOut.model_json_schema(
        ref_template="#/components/schemas/{model}"))
    ref = {"$ref": "#/components/schemas/ErrorOut"}
    for methods in schema.get("paths", {}).values():
        for operation in methods.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for status, text in COMMON_ERRORS.items():
                if status not in responses and int(status) not in responses:
                    responses[status] = {"description": text,
                                         "content": {"application/json": {"schema": ref}}}
    return schema
