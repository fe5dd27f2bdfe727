"""OpenAPI descriptions Litestar cannot infer: the streamed multipart upload's body."""

from __future__ import annotations

from dataclasses import dataclass

from litestar.openapi.spec import OpenAPIMediaType, Operation, RequestBody, Schema
from litestar.openapi.spec.enums import OpenAPIFormat, OpenAPIType

UPLOAD_BODY = RequestBody(
    required=True,
    description="The video as the 'file' part; it is probed, so its extension does not matter.",
    content={
        "multipart/form-data": OpenAPIMediaType(
            schema=Schema(
                type=OpenAPIType.OBJECT,
                required=["file"],
                properties={
                    "file": Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY),
                    "title": Schema(type=OpenAPIType.STRING, max_length=200),
                },
            )
        )
    },
)


@dataclass
class UploadOperation(Operation):
    """The upload handler reads the raw stream, so its body is described here."""

    def __post_init__(self) -> None:
        self.request_body = UPLOAD_BODY
