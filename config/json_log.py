"""Log records as one JSON object per line, so CloudWatch Logs Insights can filter on fields.

Every line carries the id of the request being served (if any), so a request's line and the
workflow events it caused can be found together.
"""

import contextvars
import json
import logging
from datetime import UTC, datetime

current_request_id = contextvars.ContextVar("current_request_id", default=None)

# Attributes every LogRecord has; anything else on a record came from `extra=` and is a field.
_STANDARD_ATTRIBUTES = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    def format(self, record):
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = current_request_id.get()
        if request_id:
            line["request_id"] = request_id
        for name, value in vars(record).items():
            if name not in _STANDARD_ATTRIBUTES and not name.startswith("_"):
                line[name] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        # default=str: an odd value in `extra` must never cost us the whole line.
        return json.dumps(line, default=str, ensure_ascii=False)
