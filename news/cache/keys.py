"""Cache keys of a bounded length, whatever they are named after."""
import hashlib


def hashed(prefix, text):
    return f"finews:{prefix}:" + hashlib.sha256(text.encode()).hexdigest()[:32]
