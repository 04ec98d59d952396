"""The JSON API (接口) at /api/, documented at /api/docs from local static files."""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from chuangjian.api import errors
from chuangjian.api.auth import ActiveSessionAuth, TokenAuth
from chuangjian.api.units import router as units_router
from chuangjian.assessment.api import router as assessment_router
from chuangjian.awards.api import router as awards_router
from chuangjian.registers.api import router as registers_router
from chuangjian.reporting.api import router as reporting_router
from chuangjian.surveys.api import router as surveys_router
from chuangjian.tasks.api import router as tasks_router


class ReadableJSONRenderer(JSONRenderer):
    # Chinese stays Chinese in the response body instead of \uXXXX escapes.
    json_dumps_params = {"ensure_ascii": False}


class ChuangjianAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None,
                           path_params: dict[str, Any] | None = None) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return errors.document_errors(schema)


api = ChuangjianAPI(
    title="社区创建工作管理平台 API",
    version="1",
    description="组织架构等数据的只读接口。认证：登录会话，或 `Authorization: Bearer cj_...` "
                "（用 `chuangjian tokens create` 生成）。所有结果都限于调用者的权限范围。",
    auth=[TokenAuth(), ActiveSessionAuth()],
    renderer=ReadableJSONRenderer(),
    parser=errors.StrictJSONParser(),
    urls_namespace="api",
)
errors.install(api)
api.add_router("/", units_router)
api.add_router("/", reporting_router)
api.add_router("/", assessment_router)
api.add_router("/", surveys_router)
api.add_router("/", tasks_router)
api.add_router("/", registers_router)
api.add_router("/", awards_router)
