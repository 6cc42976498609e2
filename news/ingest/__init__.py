"""The importer in parts: find (files to entries), parse (entries to posts, in workers),
write (a batch of posts through the one write path) and record (the audit record and the lock).
``news.ingest.importer.Importer`` runs them. Nothing here imports Django at package level: parse workers
import ``news.ingest.parse`` without setting Django up."""
