"""Deterministic Danish demo data: a tool for development and demonstrations (``flask demo seed``).

The running portal never imports this package; it only reads what the seed wrote.

- ``data``: the data files (``data/demo/``, ``recommender/data/occupations_da.json``).
- ``plan``: what to create, as plain rows, a pure function of the seed; it uses ``places``
  (real postcodes drawn by population), ``names`` (people and employers), ``cv`` (jobseeker
  profiles) and ``job_ads`` (postings).
- ``write``: ``seed()`` writes the plan, adding only what the database does not hold yet.
- ``history`` and ``interventions``: trial arms, application outcomes and intervention cases,
  so the statistics pages have something to show.
"""
