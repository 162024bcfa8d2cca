"""The interface's pages, one module per area; each module's ``router`` is added by ``install``."""
