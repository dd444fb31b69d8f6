"""Files sent to a browser or an API client: every download and export goes through
``send_download``.

Flask's ``send_file(download_name=..., as_attachment=True)`` writes the RFC 6266
``Content-Disposition`` itself, with an RFC 5987 ``filename*`` when the name is not ASCII
(a Japanese vendor's name is kept). The file is marked not to be cached and never to be
read as anything but its declared type (``nosniff``) nor run as a page of our origin (a
contract uploaded as a saved web page is HTML: a sandbox without scripts), and the download
is recorded in the audit trail and committed here, so no view can send a file and lose
its audit entry.
"""
from io import BytesIO

from flask import Response, send_file
from sqlmodel import Session

from vendorrisk.core import audit, storage
from vendorrisk.core.models import StoredFile

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
STREAM_ABOVE = 4 << 20  # stored files larger than this are sent from disk, not read into memory


def send_download(session: Session, data: bytes, filename: str, mimetype: str, *, entity: str | None,
                  entity_id="", action: str = "download", after: dict | None = None) -> Response:
    """Send ``data`` as the attachment ``filename`` and commit the audit entry ``action`` on
    ``entity`` (``entity=None``: the service that built the file recorded it already)."""
    if entity is not None:
        audit.add_event(session, action=action, entity=entity, entity_id=entity_id, after=after)
    session.commit()
    response = send_file(BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=filename)
    return _guarded(response)


def _guarded(response: Response) -> Response:
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox; frame-ancestors 'none'"
    return response


def send_stored(session: Session, stored: StoredFile, filename: str | None = None, *,
                entity: str = "stored_file", entity_id=None) -> Response:
    """Send a stored file under ``filename`` (its first upload's name by default), its
    download recorded against ``entity``."""
    name = filename or stored.original_filename
    path = storage.local_path(stored)
    if path is not None and stored.size > STREAM_ABOVE:  # a large export: streamed from disk
        audit.add_event(session, action="download", entity=entity,
                        entity_id=entity_id if entity_id is not None else stored.id,
                        after={"sha256": stored.sha256, "filename": name})
        session.commit()
        response = send_file(path, mimetype=stored.media_type, as_attachment=True, download_name=name,
                             conditional=False, etag=False)
        return _guarded(response)
    return send_download(session, storage.read(stored), name, stored.media_type, entity=entity,
                         entity_id=entity_id if entity_id is not None else stored.id,
                         after={"sha256": stored.sha256, "filename": name})
