from django.core.wsgi import get_wsgi_application

from config.startup import require_settings_module

require_settings_module("config.wsgi")

application = get_wsgi_application()
