"""Pure readers and writers of credential formats (CTDL JSON-LD, CASE, CSV): no database, no web.

Every reader returns `ParsedCredential` records; `read_credential_document` picks the reader from the content
type and the document itself.
"""

from service.credentials.formats.detect import read_credential_document
from service.credentials.formats.records import (
    CredentialFormatError,
    ParsedAlignment,
    ParsedCompetency,
    ParsedCredential,
)

__all__ = [
    "CredentialFormatError",
    "ParsedAlignment",
    "ParsedCompetency",
    "ParsedCredential",
    "read_credential_document",
]
