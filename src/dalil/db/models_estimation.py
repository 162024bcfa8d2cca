"""Tables of the estimation package (issue 5): stored estimates with their inputs."""

from __future__ import annotations
