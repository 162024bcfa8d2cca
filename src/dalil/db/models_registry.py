"""The registry's tables (issue 4): list imports and verbatim list records, link runs, pairs,
judgements, registry persons with stable IDs and redirects. Filled by the registry storage work."""

from __future__ import annotations
