"""The site written back out as a Jekyll tree: ``site.py`` reads posts and writes files (the
``export_jekyll`` command and the admin's job both use it); the admin's finished zips are kept
in the database (news/models/exporting.py), so any app server can hand them out."""
