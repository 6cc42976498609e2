class PostError(ValueError):
    """A post file that finews refuses; the message says why, in words an editor understands."""
