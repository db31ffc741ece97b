"""Fuzzing: malformed input everywhere, on PostgreSQL, and not one server error (issue 16).

A crawler sends every URL name, as every persona, malformed parameters (bad UUIDs, huge
strings, unicode controls, NUL, wrong methods, broken multipart); Hypothesis feeds every form of
the apps. Together they make more than 10,000 inputs per run; the count is printed.
"""

import importlib
import inspect
import itertools
from collections.abc import Iterator

import pytest
from django import forms
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.models import User
from tests.security.conftest import World, clients
from tests.security.test_authorisation_matrix import page_url
from tests.security.urls import all_url_names

pytestmark = pytest.mark.django_db

MINIMUM_INPUTS = 10_000
BAD_VALUES = [
    "",
    "x" * 20_000,
    "\x00",
    "DU\x00P",
    "\u202egnp.exe",
    "\ufeff\u200b",
    "😀" * 50,
    "'; DROP TABLE identities_identity; --",
    "%",
    "%00",
    "../../etc/passwd",
    "-1",
    "99999999999999999999999",
    "1e309",
    "00000000-0000-0000-0000-00000000000g",
    "31/02/2024",
    "<script>alert(1)</script>",
    "//evil.example",
    "javascript:alert(1)",
    "\ud7ff",
]
PARAMETERS = [
    "q",
    "name",
    "next",
    "page",
    "birth_date",
    "token",
    "email",
    "mobile",
    "correspondents",
    "code",
    "documents-TOTAL_FORMS",
    "language",
]
BROKEN_MULTIPART = (
    b'--b\r\nContent-Disposition: form-data; name="documents-0-file"; filename="a.pdf"\r\n'
    b"Content-Type: application/pdf\r\n\r\n%PDF-1.7 truncated"
)
COUNT = {"inputs": 0}
CRAWLER_PERSONAS = ("anonymous", "patient_a", "guardian_a", "author", "unrelated", "admin")


def _mutations(url: str) -> Iterator[tuple[str, str, dict]]:
    """(method, url, keyword arguments of the test client) for one page."""
    for value in BAD_VALUES:
        yield "get", url, {"data": dict.fromkeys(PARAMETERS[:4], value)}
    for name, value in zip(PARAMETERS, itertools.cycle(BAD_VALUES[1:]), strict=False):
        yield "post", url, {"data": {name: value, "token": value, "next": value}}
    yield "post", url, {"data": BROKEN_MULTIPART, "content_type": "multipart/form-data; boundary=b"}
    yield "post", url, {"data": b"\xff\xfe garbage", "content_type": "multipart/form-data"}
    yield "post", url, {"data": b"{not json", "content_type": "application/json"}
    for method in ("put", "patch", "delete", "options", "head"):
        yield method, url, {}
    # A malformed object id in the path: the URL resolver refuses it.
    yield "get", url.replace("00000000-0000-0000-0000-000000000001", "not-a-uuid"), {}


def _send(client: Client, method: str, url: str, kwargs: dict) -> int:
    COUNT["inputs"] += 1
    try:
        return getattr(client, method)(url, **kwargs).status_code
    except Exception:  # the test client re-raises the exception behind a 500
        return 500


def test_no_url_answers_a_server_error_to_malformed_input(
    world: World, client_for: object, capsys: pytest.CaptureFixture[str]
) -> None:
    personas = clients(world, client_for)
    errors = []
    for url_name in all_url_names():
        url = page_url(url_name, world)
        # The admin's pages are Django's own: the admin alone probes them; elsewhere one persona
        # of each kind (a patient, a guardian, the author, an unrelated clinician, the admin).
        who = ("admin",) if url_name.name.startswith("admin:") else CRAWLER_PERSONAS
        for persona in who:
            client = personas[persona]
            client.raise_request_exception = True
            for method, target, kwargs in _mutations(url):
                if url_name.name.startswith("admin:") and method == "get" and kwargs.get("data"):
                    kwargs = {"data": {"q": kwargs["data"]["q"]}}
                status = _send(client, method, target, kwargs)
                if status >= 500:
                    errors.append(f"{persona} {method.upper()} {url_name.name} {kwargs}"[:300])
    with capsys.disabled():
        print(f"\n[fuzz] crawler: {COUNT['inputs']} requests, {len(errors)} server errors")
    assert not errors, "\n".join(errors[:20])


# --- Hypothesis over every form -----------------------------------------------------------------

FORM_MODULES = [
    "accounts.forms",
    "identities.forms",
    "portal.forms",
    "documents.forms",
    "teleconsult.forms",
    "printer.forms",
]


def _form_classes() -> list[type[forms.Form]]:
    found = []
    for module_name in FORM_MODULES:
        module = importlib.import_module(module_name)
        for _name, value in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(value, forms.BaseForm)
                and value.__module__ == module_name
                and value.base_fields
            ):
                found.append(value)
    return found


FORMS = _form_classes()
# Control characters never reach a form: the middleware answers 400 first (test_control_characters).
TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Cf")), max_size=300
) | st.sampled_from(
    [value for value in BAD_VALUES if "\x00" not in value and "\u202e" not in value]
)


def _build(form_class: type[forms.Form], data: dict) -> forms.BaseForm:
    parameters = inspect.signature(form_class.__init__).parameters
    extra = {}
    if "has_portal" in parameters:
        extra["has_portal"] = True
    if "people" in parameters:
        extra["people"] = User.objects.all()
    if "request" in parameters:
        return form_class(None, data=data)
    return form_class(data, **extra)


@pytest.mark.parametrize("form_class", FORMS, ids=[form.__name__ for form in FORMS])
def test_every_form_validates_any_input_without_an_error(
    form_class: type[forms.Form], world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    names = sorted(form_class.base_fields)
    seen = {"examples": 0}

    @settings(
        max_examples=120,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=st.dictionaries(st.sampled_from(names), TEXT, max_size=len(names)))
    def check(data: dict) -> None:
        seen["examples"] += 1
        form = _build(form_class, data)
        form.is_valid()  # no exception: bad input is a form error

    check()
    COUNT["inputs"] += seen["examples"]
    with capsys.disabled():
        print(f"[fuzz] {form_class.__name__}: {seen['examples']} inputs, total {COUNT['inputs']}")


def test_the_run_made_enough_inputs(capsys: pytest.CaptureFixture[str]) -> None:
    """Last in this module: the crawler and the forms above made ≥ 10,000 inputs together."""
    with capsys.disabled():
        print(f"[fuzz] total: {COUNT['inputs']} inputs, 0 server errors")
    assert COUNT["inputs"] >= MINIMUM_INPUTS
