"""The news data model, one module per aggregate, all re-exported here (Django finds models
through ``news.models``).

- ``taxonomy``: sources (categories), their old names, tags and post counts;
- ``posts``: posts and their ordered category and tag links;
- ``querysets``, ``linksets``: the bulk half of the write path for posts and for their links (the
  single-post half is ``Post.save()``);
- ``records``: old addresses, import runs, revisions, tombstones;
- ``stories``: the posts of many sources that report one news item;
- ``securities``: the stocks and sectors posts name;
- ``rules``: channels across sources, the rules that fill them and mark posts, editors' holds;
- ``feeds``: what a post is to feed readers (its lasting entry id, when its text changed);
- ``tokens``, ``staging``, ``exporting``, ``jobs``: API tokens, staged uploads, finished
  exports and job workers' leases.

Nothing here imports the layers above (changes, cache, reader, ingest, admin): a write
announces itself with ``news.signals`` and the after-write step (news/changes/) listens.
"""
from news.models.exporting import ExportChunk, SiteExport
from news.models.feeds import FeedEntry
from news.models.jobs import WorkerLease
from news.models.posts import LINK_KEY_FIELDS, ListingLink, Post, PostCategory, TaggedPost
from news.models.records import ImportRun, LegacyURL, Revision, Tombstone
from news.models.rules import Channel, PostChannel, Rule, RuleHold
from news.models.securities import PostSecurity, Security, SecurityChoice
from news.models.staging import StagedChunk, StagedUpload
from news.models.stories import Story, StoryBand, StoryPost
from news.models.taxonomy import Category, CategoryAlias, SourceCount, TagCount, tags_named, unique_slug
from news.models.tokens import IngestToken

__all__ = [
    "LINK_KEY_FIELDS", "Category", "CategoryAlias", "ExportChunk", "FeedEntry", "ImportRun", "IngestToken", "LegacyURL",
    "ListingLink", "Post", "PostCategory", "Revision", "SiteExport", "SourceCount", "StagedChunk", "StagedUpload",
    "Channel", "PostChannel", "Rule", "RuleHold", "PostSecurity", "Security", "SecurityChoice", "Story", "StoryBand", "StoryPost",
    "TagCount", "TaggedPost", "Tombstone", "WorkerLease", "tags_named", "unique_slug",
]
