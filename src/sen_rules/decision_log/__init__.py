"""The decision log: sealed decision records in SQLite or PostgreSQL (the ``server`` extra).

``database`` opens a URL, ``schema`` holds the tables and their versioned migrations,
``store`` writes and reads records (whole or not at all), ``replay`` checks one stored
record at volume, ``reverify`` replays them all under a rulebase in parallel. Nothing in
the library imports this package.
"""
