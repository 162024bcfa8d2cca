"""The REST API: FastAPI routers over the engines, every read through :mod:`dalil.access`.

It must never return what the caller's role may not read, nor confirm that a record of a case the
caller has no role in exists, nor show a traceback.
"""

from dalil.web.api.app import create_app

__all__ = ["create_app"]
