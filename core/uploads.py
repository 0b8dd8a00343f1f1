"""Uploads are bounded before anything is kept (ASVS V12.1): a request whose body is larger than `UPLOAD_MAX_BYTES`
(plus room for the form's other fields) has its files skipped before a single byte is written anywhere, and a file
that grows past the limit while it streams is dropped at that chunk. Accepted files stay in memory
(`FILE_UPLOAD_MAX_MEMORY_SIZE` is just above the limit and there is no temporary-file handler), so no upload is ever
written to a temporary file. The view learns that a file was refused from `upload_refused(request)` and says so
beside the file field; without the flag the form would only say the file is missing.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile

FORM_ROOM = 64 * 1024  # the multipart headers and the form's other fields around the file


def upload_refused(request) -> bool:
    """Whether a file in this request was dropped for being larger than `UPLOAD_MAX_BYTES`."""
    return getattr(request, "_upload_refused", False)


class BoundedUploadHandler(FileUploadHandler):
    """First in `FILE_UPLOAD_HANDLERS`: skips any file of a request too large to hold an acceptable one, and any file
    that streams past `UPLOAD_MAX_BYTES`, before the handlers after it (memory) see the bytes."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.request_length = content_length
        return None

    def _refuse(self):
        if self.request is not None:
            self.request._upload_refused = True
        raise SkipFile

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        if getattr(self, "request_length", 0) > settings.UPLOAD_MAX_BYTES + FORM_ROOM:
            self._refuse()
        if self.content_length is not None and self.content_length > settings.UPLOAD_MAX_BYTES:
            self._refuse()

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > settings.UPLOAD_MAX_BYTES:
            self._refuse()
        return raw_data

    def file_complete(self, file_size):
        return None
