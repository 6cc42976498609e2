"""Model fields finews declares beyond Django's own."""
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
