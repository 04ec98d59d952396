from chuangjian.reporting.models.news import NewsAttachment, NewsItem
from chuangjian.reporting.models.values import (
    Channel,
    DataValue,
    DeadlineException,
    LateRequest,
    LateRequestState,
    Rollup,
    Status,
    Submission,
    ValueChange,
)

__all__ = ["Channel", "DataValue", "DeadlineException", "LateRequest", "LateRequestState", "NewsAttachment", "NewsItem", "Rollup",
           "Status", "Submission", "ValueChange"]
