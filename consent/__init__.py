"""Consent, legal bases and data-subject rights for Jobunivers (SQLModel, no Flask).

* ``consent.purposes``  – the processing purposes, their legal bases and texts; the Art. 30 record.
* ``consent.schema``    – what every table module shares (``app.models`` too): the constraint
  naming convention and ``utcnow``.
* ``consent.models``    – consent ledger, access log, data-subject requests, erasure records.
* ``consent.ledger``    – record decisions, derive state, ``is_permitted``, consent receipts.
* ``consent.integrity`` – the ledger's hash chain, its append-only triggers and ``verify``.
* ``consent.guard``     – ``require``/``permitted``/``log_access``: the one check before any use
  of a person's data by someone else, always logged.
* ``consent.pseudonym`` – keyed HMAC-SHA256 pseudonyms for user ids and CPR numbers.
* ``consent.rights``    – the personal-data registry, export, erasure, request deadlines and the
  retention purge (the periods are in ``consent.purposes``).

Transactions: ledger and rights functions flush and leave the commit to the calling service;
the guard commits its access-log row at once, and ``rights.erase`` commits (or rolls back) the
whole erasure itself.
"""
