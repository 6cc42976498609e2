"""The site written back out as a Jekyll tree: ``site.py`` reads posts and writes files (the
``export_jekyll`` command and the admin's job both use it); ``models.py`` keeps the admin's
finished zips in the database, so any app server can hand them out."""
