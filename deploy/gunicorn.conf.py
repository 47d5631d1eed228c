"""gunicorn settings for Shangmi (docs/deploy.md): `gunicorn -c deploy/gunicorn.conf.py`.

Everything an install changes comes from the environment, as the Django settings do:
  SHANGMI_BIND          address to listen on (default 127.0.0.1:8001; nginx is in front)
  SHANGMI_WEB_WORKERS   worker processes (default: 2 per core, at least 2)
  SHANGMI_WEB_TIMEOUT   seconds before a stuck request's worker is replaced (default 120:
                        a province-wide export streams for about a minute)
  SHANGMI_LOG_FORMAT    json for one JSON object a line (the access log included), text otherwise
"""

import os

bind = os.environ.get("SHANGMI_BIND", "127.0.0.1:8001")
workers = int(os.environ.get("SHANGMI_WEB_WORKERS", max(2, 2 * (os.cpu_count() or 1))))
# Pages are short and mostly wait on the database; sync workers keep the model simple and
# a slow request cannot hold another's thread.
worker_class = "sync"
timeout = int(os.environ.get("SHANGMI_WEB_TIMEOUT", "120"))
graceful_timeout = 30
# Replace each worker now and then, staggered, so a slow leak never builds up.
max_requests = 2000
max_requests_jitter = 200
wsgi_app = "shangmi.wsgi:application"
# nginx on the same host is the only client; it sets X-Forwarded-Proto (docs/deploy.md).
forwarded_allow_ips = os.environ.get("SHANGMI_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms'

if os.environ.get("SHANGMI_LOG_FORMAT", "text") == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "shangmi.core.logs.JsonFormatter"}},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"}},
        "loggers": {
            "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
            "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
        },
    }
