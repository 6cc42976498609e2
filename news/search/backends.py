"""The search index on each database: SQLite's FTS5 and PostgreSQL's tsvector with a GIN index,
both filled with the same tokens (news/search/tokens.py), so both find the same posts.

A backend keeps one row per post (its id and its tokens) in the table ``news_search`` and
answers a query with SQL that selects matching post ids; nothing else about it leaks out.

One more row may stand there: id ``BUILDING`` (0, no post's id), with no tokens. Migration 0006
leaves it when it creates the index on a site that already has posts: the index is being built
(``manage.py rebuild_search_index``) and search says so. A rebuild fills a new table without it,
so the swap that finishes the build removes it.
"""
from collections import defaultdict

# PostgreSQL keeps at most 256 positions per lexeme and none past 16,383.
_PG_POSITIONS, _PG_LAST = 256, 16383


TABLE = "news_search"
BUILDING = 0  # the id of the row that says the index is not built yet


class SqliteBackend:
    building_sql = f"SELECT 1 FROM news_search WHERE rowid = {BUILDING}"
    bulk_sql = ([], [])  # FTS5 keeps its own index: nothing to set aside for a bulk load
    # An online rebuild (news/search/online.py): the new index beside the live one, then swapped in.
    shadow_sql = ["DROP TABLE IF EXISTS news_search_new",
                  'CREATE VIRTUAL TABLE news_search_new USING fts5(tokens, tokenize="unicode61")']
    shadow_ready_sql = []
    swap_sql = ["DROP TABLE news_search", "ALTER TABLE news_search_new RENAME TO news_search"]

    def final_lock_sql(self, post_table):
        # a write first: it takes SQLite's write lock for the rest of the transaction
        return [f"DELETE FROM news_search_new WHERE rowid NOT IN (SELECT id FROM {post_table})"]

    def store(self, cursor, documents, table=TABLE):
        self.remove(cursor, [pk for pk, _ in documents], table)
        cursor.executemany(f"INSERT INTO {table}(rowid, tokens) VALUES (%s, %s)",
                           documents)

    def remove(self, cursor, ids, table=TABLE):
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            cursor.execute(f"DELETE FROM {table} WHERE rowid IN ({', '.join(['%s'] * len(chunk))})", chunk)

    def clear(self, cursor):
        cursor.execute("DELETE FROM news_search")

    def match(self, terms):
        # A phrase in double quotes; a * after it makes its last token a prefix.
        phrases = " AND ".join(
            '"' + " ".join(token for token, _ in term) + '"' + (" *" if term[-1][1] else "") for term in terms)
        return "SELECT rowid FROM news_search WHERE news_search MATCH %s", [phrases]


class PostgresBackend:
    building_sql = f"SELECT 1 FROM news_search WHERE post_id = {BUILDING}"
    # A bulk load fills the table first and builds the GIN index once at the end (much faster than
    # maintaining it row by row).
    bulk_sql = (["DROP INDEX IF EXISTS news_search_vector"],
                ["SET LOCAL maintenance_work_mem = '512MB'",
                 "CREATE INDEX IF NOT EXISTS news_search_vector ON news_search USING gin (vector)"])
    # An online rebuild: filled without its GIN index, which is built once before the swap.
    shadow_sql = ["DROP TABLE IF EXISTS news_search_new",
                  "CREATE TABLE news_search_new (post_id bigint PRIMARY KEY, vector tsvector NOT NULL)"]
    shadow_ready_sql = ["SET LOCAL maintenance_work_mem = '512MB'",
                        "CREATE INDEX news_search_new_vector ON news_search_new USING gin (vector)"]
    swap_sql = ["DROP TABLE news_search", "ALTER TABLE news_search_new RENAME TO news_search",
                "ALTER INDEX news_search_new_vector RENAME TO news_search_vector",
                "ALTER INDEX news_search_new_pkey RENAME TO news_search_pkey"]

    def final_lock_sql(self, post_table):
        # writers wait (searches go on) from here to the swap; a second at most, or try again later
        return ["SET LOCAL lock_timeout = '1s'", "LOCK TABLE news_search IN EXCLUSIVE MODE",
                f"DELETE FROM news_search_new s WHERE NOT EXISTS (SELECT 1 FROM {post_table} p WHERE p.id = s.post_id)"]

    def store(self, cursor, documents, table=TABLE):
        cursor.executemany(
            f"INSERT INTO {table} (post_id, vector) VALUES (%s, %s::tsvector) "
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


def _tsvector(text):
    """A tsvector literal with positions, built here so no text-search parser (or locale) of
    PostgreSQL decides what a token is."""
    positions = defaultdict(list)
    for position, token in enumerate(text.split(" ", _PG_LAST)[:_PG_LAST] if text else [], start=1):
        if len(positions[token]) < _PG_POSITIONS:
            positions[token].append(str(position))
    return " ".join(f"{_quote(token)}:{','.join(where)}" for token, where in positions.items())


BACKENDS = {"sqlite": SqliteBackend(), "postgresql": PostgresBackend()}
