from django.core.wsgi import get_wsgi_application

from config.heap import settle_heap
from config.startup import require_settings_module

require_settings_module("config.wsgi")

application = get_wsgi_application()
# Every web process (gunicorn imports this in each worker) freezes its startup heap.
settle_heap()
