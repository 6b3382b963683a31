"""Read an admin change form back as the browser would submit it (for save round-trip tests)."""

from __future__ import annotations

from html.parser import HTMLParser

from django.urls import reverse

from funding.models import Requirement


class _FormParser(HTMLParser):
    def __init__(self, form_id: str):
        super().__init__()
        self.form_id = form_id
        self.in_form = False
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == self.form_id:
            self.in_form = True
        if not self.in_form:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("submit", "button", "file", "image"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            default = "on" if kind in ("checkbox", "radio") else ""
            self.data.setdefault(name, []).append(a.get("value", default))
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select].append(a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_endtag(self, tag):
        if tag == "form" and self.in_form:
            self.in_form = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            text = "".join(self._text)
            self.data.setdefault(self._textarea, []).append(text.removeprefix("\n"))
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)


def form_data(html: str, form_id: str) -> dict[str, list[str]]:
    parser = _FormParser(form_id)
    parser.feed(html)
    # Empty template rows of inline formsets carry __prefix__ names; browsers submit them but
    # Django ignores them, so leave them out.
    return {k: v for k, v in parser.data.items() if "__prefix__" not in k}


def requirement_change(client, *, old: str, new: str):
    """Change the yearly requirement of `old` USD to `new` on its intervention's admin page (the
    plan page lists interventions and links them there). Returns the response."""
    requirement = Requirement.objects.get(amount_usd=old)
    url = reverse("admin:interventions_intervention_change", args=[requirement.intervention_id])
    data = form_data(client.get(url).content.decode(), "intervention_form")
    field = next(k for k, v in data.items() if k.endswith("-amount_usd") and v == [old])
    data[field] = [new]
    return client.post(url, data)
