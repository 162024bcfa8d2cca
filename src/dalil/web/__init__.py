"""Web: the REST API (``web.api``) and, later, the server-rendered interface.

This package presents what the engines decide; it must never decide a permission itself (that is
:mod:`dalil.access`) nor write to the database except through the engines.
"""
