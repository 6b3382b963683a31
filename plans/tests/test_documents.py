"""Issue #15, item 1: editors attach files or links to a plan; uploads are checked for type
(from their bytes) and size with a clear message and nothing written when refused; documents
are listed on the plan page and in the API with size and type, sent only to readers who may
see the plan, kept through Django's storage API, and have a history like the rest of the plan.
"""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from lxml import html

from crp_portal.tests.forms import form_data
from plans import services_documents
from plans import services_workflow as workflow
from plans.document_files import document_file_check
from plans.models import Plan, PlanDocument
from plans.tests.factories import PlanFactory

TJK = "tajikistan-crp-2020"
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n" + b"x" * 2000
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 200
PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
WHEN = datetime.date(2020, 6, 30)


def _user(name):
    return get_user_model().objects.get(username=name)


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
ODS = _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b""})


@pytest.fixture(autouse=True)
def documents_folder(tmp_path, monkeypatch):
    """A real file storage in a temporary folder, so tests leave nothing in var/media."""
    storage = FileSystemStorage(location=tmp_path / "documents", base_url="/documents/files/")
    monkeypatch.setattr(PlanDocument._meta.get_field("file"), "storage", storage)
    return tmp_path / "documents"


def _attach(plan, actor, *, name="plan.pdf", data=PDF, **fields):
    defaults = {"kind": "plan_document", "title": "The plan", "language": "en"}
    return services_documents.document_save(
        plan=plan,
        actor=actor,
        published_on=WHEN,
        file=SimpleUploadedFile(name, data),
        **{**defaults, **fields},
    )


@pytest.mark.parametrize(
    ("name", "data", "label"),
    [
        ("plan.pdf", PDF, "PDF"),
        ("chart.PNG", PNG, "PNG image"),
        ("report.docx", DOCX, "Word"),
        ("budget.ods", ODS, "OpenDocument spreadsheet"),
    ],
)
def test_accepted_files_are_known_by_their_content(name, data, label):
    assert document_file_check(SimpleUploadedFile(name, data)).label == label


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("plan.pdf", PROGRAM, "This file is not a type a plan document may be."),
        ("report.docx", PDF, "This file's name ends in “.docx” but its content is PDF"),
        ("report.docx", _zip({"a.txt": b"x"}), "This file is not a type a plan document may"),
        ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', "not a type"),
        ("empty.pdf", b"", "This file is empty."),
    ],
)
def test_refused_files_say_why(name, data, message):
    with pytest.raises(ValidationError) as refused:
        document_file_check(SimpleUploadedFile(name, data))
    assert message in refused.value.message_dict["file"][0]


def test_a_file_over_the_limit_is_refused_with_both_sizes(settings):
    settings.DOCUMENT_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as refused:
        document_file_check(SimpleUploadedFile("plan.pdf", PDF))
    assert refused.value.message_dict == {
        "file": ["This file is 2.0\xa0KB; a document may be at most 1.0\xa0KB."]
    }


def test_a_document_is_listed_on_the_page_in_the_api_and_sent_safely(client, api_client, demo):
    plan = demo[TJK]
    version = plan.version
    document = _attach(plan, _user("editor.tjk"), title="Tajikistan CRP 2020 (PDF)")
    _attach(plan, _user("editor.tjk"), name="s.png", data=PNG, title="Map", kind="other")
    assert Plan.objects.get(pk=plan.pk).version == version + 2  # each is a plan edit

    page = html.fromstring(client.get(f"/plans/{TJK}/").content)
    items = [li.text_content().split() for li in page.cssselect(".document-list li")]
    assert [" ".join(words) for words in items] == [
        "Tajikistan CRP 2020 (PDF) Plan document · English · 30 June 2020 · PDF, 2.0 KB",
        "Map Other · English · 30 June 2020 · PNG image, 216 bytes",
    ]
    body = api_client.get(f"/api/v1/documents/?plan={TJK}").json()
    assert body["count"] == 2
    first = next(d for d in body["results"] if d["id"] == document.pk)
    assert (first["title"], first["content_type"], first["size_bytes"]) == (
        "Tajikistan CRP 2020 (PDF)",
        "application/pdf",
        len(PDF),
    )
    assert first["download_url"].endswith(f"/plans/{TJK}/documents/{document.pk}/")

    sent = client.get(f"/plans/{TJK}/documents/{document.pk}/")
    assert sent.status_code == 200
    assert b"".join(sent.streaming_content) == PDF
    assert sent["Content-Type"] == "application/pdf"
    assert sent["X-Content-Type-Options"] == "nosniff"
    assert sent["Content-Security-Policy"].startswith("sandbox")
    assert sent["Content-Disposition"].startswith("inline")
    # The storage's own address (the admin's link) goes through the same check.
    assert client.get(document.file.url).status_code == 200


def test_documents_of_a_draft_are_for_its_editors_only(client, api_client, demo):
    draft = PlanFactory(slug="tjk-draft", status=Plan.Status.DRAFT, countries=["TJK"])
    document = _attach(draft, _user("editor.tjk"))
    url = f"/plans/{draft.slug}/documents/{document.pk}/"
    assert client.get(url).status_code == 404
    assert client.get(document.file.url).status_code == 404
    assert api_client.get("/api/v1/documents/?plan=tjk-draft").json()["count"] == 0
    client.force_login(_user("editor.tjk"))
    assert client.get(url).status_code == 200


def test_a_link_document_redirects_to_where_it_is_published(client, demo):
    document = services_documents.document_save(
        plan=demo[TJK],
        actor=_user("editor.tjk"),
        kind="situation_report",
        title="Situation report 3",
        language="ru",
        published_on=WHEN,
        url="https://example.org/sitrep-3.pdf",
    )
    response = client.get(f"/plans/{TJK}/documents/{document.pk}/")
    assert (response.status_code, response["Location"]) == (302, document.url)
    page = html.fromstring(client.get(f"/plans/{TJK}/").content)
    shown = " ".join(page.cssselect(".document-list li")[0].text_content().split())
    assert shown == "Situation report 3 Situation report · Russian · 30 June 2020 · link"


def test_a_document_needs_a_file_or_a_link_not_both(demo):
    editor = _user("editor.tjk")
    with pytest.raises(ValidationError, match=r"Attach a file or give a link\."):
        services_documents.document_save(
            plan=demo[TJK], actor=editor, kind="other", title="x", published_on=WHEN
        )
    with pytest.raises(ValidationError, match=r"Give a file or a link, not both\."):
        _attach(demo[TJK], editor, url="https://example.org/x.pdf")
    assert not PlanDocument.objects.exists()


def test_only_editors_of_the_plan_attach_and_never_to_an_archived_plan(demo, pak_editor):
    with pytest.raises(PermissionDenied):
        _attach(demo[TJK], pak_editor)
    workflow.plan_archive(plan=demo[TJK], actor=_user("reviewer"), comment="Superseded")
    with pytest.raises(ValidationError, match="is archived"):
        _attach(demo[TJK], _user("editor.tjk"))
    assert not PlanDocument.objects.exists()


def test_the_admin_section_attaches_refuses_with_the_reason_and_keeps_history(client, demo):
    plan = demo[TJK]
    client.force_login(_user("editor.tjk"))
    url = reverse("admin:plans_plan_change", args=[plan.pk])
    data = form_data(client.get(url).content.decode(), "plan_form")
    prefix = next(k for k in data if k.endswith("TOTAL_FORMS") and "document" in k)
    prefix = prefix.removesuffix("-TOTAL_FORMS")
    data[f"{prefix}-TOTAL_FORMS"] = ["1"]
    row = {
        f"{prefix}-0-kind": ["achievement_report"],
        f"{prefix}-0-title": ["Achievements 2020"],
        f"{prefix}-0-language": ["en"],
        f"{prefix}-0-published_on": ["2021-03-01"],
    }
    version = Plan.objects.get(pk=plan.pk).version

    refused = client.post(
        url, {**data, **row, f"{prefix}-0-file": SimpleUploadedFile("a.pdf", PROGRAM)}
    )
    assert refused.status_code == 200
    assert "This file is not a type a plan document may be." in refused.content.decode()
    assert not PlanDocument.objects.exists()
    assert Plan.objects.get(pk=plan.pk).version == version  # nothing of the save written

    saved = client.post(url, {**data, **row, f"{prefix}-0-file": SimpleUploadedFile("a.pdf", PDF)})
    assert saved.status_code == 302, saved.content.decode()[:2000]
    document = PlanDocument.objects.get()
    assert (document.title, document.content_type, document.size_bytes) == (
        "Achievements 2020",
        "application/pdf",
        len(PDF),
    )
    record = document.history.get()
    assert (record.history_type, record.history_user.username) == ("+", "editor.tjk")
    assert "PDF, 2.0" in client.get(url).content.decode()  # type and size on the admin row


def test_s3_storage_is_configured_from_the_environment(monkeypatch):
    """Not a mock: django-storages' real S3 backend, which signs links without the network."""
    from django.utils.module_loading import import_string

    from crp_portal import settings as project_settings

    monkeypatch.setenv("DOCUMENTS_STORAGE", "s3")
    monkeypatch.setenv("DOCUMENTS_S3_BUCKET", "crp-documents")
    monkeypatch.setenv("DOCUMENTS_S3_ENDPOINT_URL", "https://minio.example.org")
    monkeypatch.setenv("DOCUMENTS_S3_REGION", "eu-west-1")
    monkeypatch.setenv("DOCUMENTS_S3_ACCESS_KEY_ID", "key")
    monkeypatch.setenv("DOCUMENTS_S3_SECRET_ACCESS_KEY", "secret")
    config = project_settings._documents_storage()
    storage = import_string(config["BACKEND"])(**config["OPTIONS"])
    url = storage.url("plans/1/plan.pdf")
    assert url.startswith("https://minio.example.org/crp-documents/documents/plans/1/plan.pdf?")
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=300" in url
