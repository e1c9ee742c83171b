"""Keep calendar-feed secrets out of every log line: the token in /calendar/feed/<token>.ics is
a password, and web-server access logs, Django's dev-server log and request warnings would
otherwise record it."""

import logging
import re

FEED_PATH = re.compile(r"(/calendar/feed/)[^/\s?\"']+(\.ics)")


def redact(value):
    return FEED_PATH.sub(r"\1[redacted]\2", value) if isinstance(value, str) else value


class RedactFeedTokens(logging.Filter):
    def filter(self, record):
        record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: redact(arg) for key, arg in record.args.items()}
        return True


try:
    from gunicorn.glogging import Logger
except ImportError:  # pragma: no cover - gunicorn is a dependency; the dev server does not need it
    Logger = None

if Logger is not None:
    class GunicornLogger(Logger):
        """gunicorn --logger-class config.redaction.GunicornLogger: access log lines without feed tokens."""

        def atoms(self, resp, req, environ, request_time):
            return {key: redact(value) for key, value in super().atoms(resp, req, environ, request_time).items()}
