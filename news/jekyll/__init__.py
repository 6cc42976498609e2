"""Pure parsing of Jekyll sites: file names, front matter, dates, categories, tags, URLs and bodies.

Nothing here touches the database, so every rule can be unit-tested in isolation. The rules follow
``spec/jekyll-semantics.md``; its section 13 says where finews reproduces Jekyll, where it fixes
it, and which inputs it rejects.
"""
from .errors import PostError
from .post import ParsedPost, parse_post

__all__ = ["PostError", "ParsedPost", "parse_post"]
