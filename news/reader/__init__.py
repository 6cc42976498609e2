"""What readers see: listings and articles (``views``), home (``home``, ``live``, ``wall``), day and
month archives, the source and tag directories, feeds, sitemaps and search. Everything here
reads through the models and the page cache (news/cache/); nothing here writes posts."""
