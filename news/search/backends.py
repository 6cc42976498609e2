"""The search index on each database: SQLite's FTS5 and PostgreSQL's tsvector with a GIN index,
both filled with the same tokens (news/search/tokens.py), so both find the same posts.

A backend keeps one row per post (its id and its tokens) in the table ``news_search`` and
answers a query with SQL that selects matching post ids; nothing else about it leaks out.
"""
from collections import defaultdict

# PostgreSQL keeps at most 256 positions per lexeme and none past 16,383.
_PG_POSITIONS, _PG_LAST = 256, 16383


class SqliteBackend:
    create_sql = ['CREATE VIRTUAL TABLE IF NOT EXISTS news_search USING fts5(tokens, tokenize="unicode61")']
    drop_sql = ["DROP TABLE IF EXISTS news_search"]
    bulk_sql = ([], [])  # FTS5 keeps its own index: nothing to set aside for a bulk load

    def store(self, cursor, documents):
        self.remove(cursor, [pk for pk, _ in documents])
        cursor.executemany("INSERT INTO news_search(rowid, tokens) VALUES (%s, %s)",
                           [(pk, " ".join(found)) for pk, found in documents])

    def remove(self, cursor, ids):
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            cursor.execute(f"DELETE FROM news_search WHERE rowid IN ({', '.join(['%s'] * len(chunk))})", chunk)

    def clear(self, cursor):
        cursor.execute("DELETE FROM news_search")

    def match(self, terms):
        # A phrase in double quotes; a * after it makes its last token a prefix.
        phrases = " AND ".join(
            '"' + " ".join(token for token, _ in term) + '"' + (" *" if term[-1][1] else "") for term in terms)
        return "SELECT rowid FROM news_search WHERE news_search MATCH %s", [phrases]


class PostgresBackend:
    create_sql = [
        "CREATE TABLE IF NOT EXISTS news_search (post_id bigint PRIMARY KEY, vector tsvector NOT NULL)",
        "CREATE INDEX IF NOT EXISTS news_search_vector ON news_search USING gin (vector)",
    ]
    drop_sql = ["DROP TABLE IF EXISTS news_search"]
    # A bulk load fills the table first and builds the GIN index once at the end (much faster than
    # maintaining it row by row).
    bulk_sql = (["DROP INDEX IF EXISTS news_search_vector"],
                ["SET LOCAL maintenance_work_mem = '512MB'", create_sql[1]])

    def store(self, cursor, documents):
        cursor.executemany(
            "INSERT INTO news_search (post_id, vector) VALUES (%s, %s::tsvector) "
            "ON CONFLICT (post_id) DO UPDATE SET vector = EXCLUDED.vector",
            [(pk, _tsvector(found)) for pk, found in documents])

    def remove(self, cursor, ids):
        cursor.execute("DELETE FROM news_search WHERE post_id = ANY(%s)", [list(ids)])

    def clear(self, cursor):
        cursor.execute("TRUNCATE news_search")

    def match(self, terms):
        query = " & ".join(
            "(" + " <-> ".join(_quote(token) + (":*" if prefix else "") for token, prefix in term) + ")"
            for term in terms)
        return "SELECT post_id FROM news_search WHERE vector @@ %s::tsquery", [query]


def _quote(token):
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def _tsvector(found):
    """A tsvector literal with positions, built here so no text-search parser (or locale) of
    PostgreSQL decides what a token is."""
    positions = defaultdict(list)
    for position, token in enumerate(found[:_PG_LAST], start=1):
        if len(positions[token]) < _PG_POSITIONS:
            positions[token].append(str(position))
    return " ".join(f"{_quote(token)}:{','.join(where)}" for token, where in positions.items())


BACKENDS = {"sqlite": SqliteBackend(), "postgresql": PostgresBackend()}
