"""Submitting a server-rendered form the way a browser does, for test-client tests.

The fields and their values come from the page's HTML, so a test sends exactly what the page
showed (a time field that drops seconds, a textarea whose line endings turn into CRLF) rather
than what the test author thinks the model holds.
"""
from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.fields = []
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside = True
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type", "text") not in ("submit", "button", "file", "image"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.fields.append((name, attrs.get("value", "on" if attrs.get("type") == "checkbox" else "")))
        elif tag == "textarea" and name:
            self._textarea = [name, ""]
        elif tag == "select" and name:
            self._select = [name, None, None]
        elif tag == "option" and self._select is not None:
            value = attrs.get("value", "")
            if self._select[2] is None:
                self._select[2] = value
            if "selected" in attrs:
                self._select[1] = value

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            name, value = self._textarea
            # A browser drops the newline right after <textarea> and submits line breaks as CRLF.
            value = value.removeprefix("\n").replace("\r\n", "\n").replace("\n", "\r\n")
            self.fields.append((name, value))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            name, selected, first = self._select
            chosen = selected if selected is not None else first
            if chosen is not None:
                self.fields.append((name, chosen))
            self._select = None


def browser_form(html, form_id):
    """The form's fields as a browser would submit them, as a dict (last value wins)."""
    reader = _FormReader(form_id)
    reader.feed(html)
    if not reader.fields:
        raise AssertionError(f"no form #{form_id} with fields on the page")
    return dict(reader.fields)
