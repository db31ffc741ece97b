"""Pages of the documents app: the authorised download."""

from urllib.parse import quote

from django.http import FileResponse, HttpRequest
from django.views.decorators.http import require_GET

from documents import services


@require_GET
def download(request: HttpRequest, document_uuid: object) -> FileResponse:
    """Streamed, for the people allowed to read it only; anyone else gets a 404."""
    document = services.get_document_for_user(user=request.user, document_uuid=document_uuid)
    handle = services.open_document(document=document, user=request.user, request=request)
    extension = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}[
        document.content_type
    ]
    filename = (
        document.name if document.name.lower().endswith(extension) else document.name + extension
    )
    response = FileResponse(handle, content_type=document.content_type)
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(filename)}"
    response["Content-Length"] = str(document.size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    # The file is shown in its own sandbox: no script, no form, nothing of ours around it.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; object-src 'none'"
    return response
