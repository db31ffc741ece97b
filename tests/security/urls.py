"""Every URL name of the project, with placeholder arguments to reverse it.

The authorisation matrix, the Cache-Control test and the crawler start from this list, so a
new page is covered (or makes a test fail) without anyone remembering to add it.
"""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

PLACEHOLDERS = {
    "uuid": uuid.UUID(int=1),
    "int": 999_999_999,
    "string": "x",
    "path": "999999999",
    "slug": "x",
}


@dataclass(frozen=True)
class UrlName:
    name: str
    # Argument name -> converter kind ("uuid", "int", "str", "path", "regex").
    arguments: dict[str, str] = field(default_factory=dict)

    def url(self, **values: object) -> str:
        kwargs = {
            key: values.get(key, PLACEHOLDERS.get(kind, "x"))
            for key, kind in self.arguments.items()
        }
        try:
            return reverse(self.name, kwargs=kwargs)
        except NoReverseMatch:
            # Regex patterns (the admin's app_list) take one of a few literal values.
            for candidate in ("portal", "documents", "identities", "auth"):
                try:
                    return reverse(self.name, kwargs=dict.fromkeys(kwargs, candidate))
                except NoReverseMatch:
                    continue
            raise


def _kind(converter: object) -> str:
    return type(converter).__name__.removesuffix("Converter").lower()


def _walk(patterns: list[object], namespace: str, inherited: dict[str, str]) -> Iterator[UrlName]:
    for entry in patterns:
        arguments = dict(inherited)
        converters = getattr(entry.pattern, "converters", {})
        arguments |= {key: _kind(value) for key, value in converters.items()}
        regex = getattr(entry.pattern, "regex", None)
        if regex is not None:
            for group in regex.groupindex:
                arguments.setdefault(group, "regex")
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, inner, arguments)
        elif isinstance(entry, URLPattern) and entry.name:
            yield UrlName(f"{namespace}{entry.name}", arguments)


def all_url_names() -> list[UrlName]:
    """Every named URL, once (the first pattern of a name wins, as reverse() does)."""
    seen: dict[str, UrlName] = {}
    for url_name in _walk(get_resolver().url_patterns, "", {}):
        seen.setdefault(url_name.name, url_name)
    return sorted(seen.values(), key=lambda url_name: url_name.name)
