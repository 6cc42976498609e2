"""Model fields finews declares beyond Django's own."""
import json

from django.db import models


class BytewiseCharField(models.CharField):
    """Text compared byte by byte, as Jekyll compares source paths when it breaks date ties.

    Django declares a collation per field (``db_collation``) but not per database: PostgreSQL
    needs the "C" collation here, while SQLite has no collation of that name and already compares
    text as bytes (its default, BINARY). So the collation is declared on the field for PostgreSQL
    only, where the schema editor writes it into every column and index it creates."""

    def db_parameters(self, connection):
        parameters = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            parameters["collation"] = "C"
        return parameters


class TextJSONEncoder(json.JSONEncoder):
    """JSON with its text as text, not ``\\uXXXX`` escapes: a Chinese post body is half the bytes
    to store and to send, and PostgreSQL's driver quotes one string instead of tens of thousands of
    escapes (a revision of a 200 KB post cost ~4 MB of them)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **{**kwargs, "ensure_ascii": False})
