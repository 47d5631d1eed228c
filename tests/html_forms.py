"""What a browser would submit from a rendered form: the round trip of a page's own values.

A test that builds its POST by hand sends what the test's author believes the form holds; this
reads what the page rendered (inputs, checked boxes, selected options, text areas; disabled
controls and file inputs are not sent, as a browser does not send them).
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

SKIPPED_TYPES = {"submit", "button", "reset", "file", "image"}


class _FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, Any]] = []
        self._form: dict[str, Any] | None = None
        self._select: dict[str, Any] | None = None
        self._option: dict[str, Any] | None = None
        self._textarea: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = {"action": a.get("action", ""), "method": a.get("method", "get").lower(), "fields": []}
            self.forms.append(self._form)
            return
        if self._form is None or ("disabled" in a and tag in ("input", "select", "textarea")):
            return
        fields = self._form["fields"]
        if tag == "input" and a.get("name") and a.get("type", "text").lower() not in SKIPPED_TYPES:
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    fields.append((a["name"], a.get("value", "on")))
            else:
                fields.append((a["name"], a.get("value", "")))
        elif tag == "select" and a.get("name"):
            self._select = {"name": a["name"], "multiple": "multiple" in a, "options": []}
        elif tag == "option" and self._select is not None:
            self._option = {"value": a.get("value"), "text": "", "selected": "selected" in a}
            self._select["options"].append(self._option)
        elif tag == "textarea" and a.get("name"):
            self._textarea = {"name": a["name"], "text": ""}

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option["text"] += data
        if self._textarea is not None:
            self._textarea["text"] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "option":
            self._option = None
        elif tag == "select" and self._select is not None and self._form is not None:
            options = self._select["options"]
            chosen = [o for o in options if o["selected"]]
            if not chosen and not self._select["multiple"] and options:
                chosen = options[:1]  # a single select sends its first option when none is selected
            for option in chosen:
                value = option["value"] if option["value"] is not None else option["text"].strip()
                self._form["fields"].append((self._select["name"], value))
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            # The parser keeps the newline right after <textarea>, which a browser drops.
            self._form["fields"].append((self._textarea["name"], self._textarea["text"].removeprefix("\n")))
            self._textarea = None
        elif tag == "form":
            self._form = None


def rendered_form(html: str, path: str) -> dict[str, Any]:
    """The POST data of the page's form that posts to ``path`` (or to the page itself): a dict of
    name -> value, or name -> list of values where a name is sent more than once."""
    reader = _FormReader()
    reader.feed(html)
    forms = [f for f in reader.forms if f["method"] == "post" and f["action"] in ("", path)]
    assert forms, f"no form posting to {path} on the page"
    form = max(forms, key=lambda f: len(f["fields"]))
    data: dict[str, Any] = {}
    for name, value in form["fields"]:
        if name in data:
            data[name] = [*data[name], value] if isinstance(data[name], list) else [data[name], value]
        else:
            data[name] = value
    return data
