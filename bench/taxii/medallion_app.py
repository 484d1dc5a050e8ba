"""medallion (the OASIS TAXII 2.1 reference server) as a WSGI application for gunicorn, with the
configuration file named by MEDALLION_CONFIG (its memory backend, loaded from a JSON file)."""

import os

from medallion import application_instance, register_blueprints, set_config

with open(os.environ["MEDALLION_CONFIG"], encoding="utf-8") as handle:
    import json

    _configuration = json.load(handle)

set_config(application_instance, "users", _configuration)
set_config(application_instance, "taxii", _configuration)
set_config(application_instance, "backend", _configuration)
register_blueprints(application_instance)
application = application_instance
