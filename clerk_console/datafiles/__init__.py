"""The human-edited reference files under ``data/`` (catalogue, calendar years, demo data, known
credit codes, the 差评 step deadlines, the bad-rating reasons): read, validated with Chinese errors naming file and line, turned into domain
objects, and the JSON form the replica stores and the back office publishes.

Shared by the console's storage and the back office; imports only the domain (and
``toml_text``), never either side's storage.
"""
