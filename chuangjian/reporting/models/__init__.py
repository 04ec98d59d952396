from chuangjian.reporting.models.news import NewsAttachment, NewsItem
from chuangjian.reporting.models.values import (
    Channel,
    DataValue,
    DeadlineException,
    Rollup,
    Status,
    Submission,
    ValueChange,
)

__all__ = ["Channel", "DataValue", "DeadlineException", "NewsAttachment", "NewsItem", "Rollup",
           "Status", "Submission", "ValueChange"]
