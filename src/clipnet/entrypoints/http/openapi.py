"""OpenAPI descriptions Litestar cannot infer: the streamed multipart upload's body, the
streamed chat replay's, and that request bodies refuse unknown fields."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec

# Litestar's own schema plugin for msgspec structs; it is not exported, but it is the one
# Litestar uses, so the closed bodies are described exactly as the others are.
from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin
from litestar.openapi.spec import OpenAPIMediaType, Operation, RequestBody, Schema
from litestar.openapi.spec.enums import OpenAPIFormat, OpenAPIType
from litestar.typing import FieldDefinition

UPLOAD_BODY = RequestBody(
    required=True,
    description="The video as the 'file' part; it is probed, so its extension does not matter.",
    content={
        "multipart/form-data": OpenAPIMediaType(
            schema=Schema(
                type=OpenAPIType.OBJECT,
                required=["file"],
                properties={
                    # an empty file is refused (400), so the schema says so
                    "file": Schema(
                        type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY, min_length=1
                    ),
                    "title": Schema(type=OpenAPIType.STRING, max_length=200),
                },
                additional_properties=False,  # another part is a 400, see uploads.FIELDS
            )
        )
    },
)


@dataclass
class UploadOperation(Operation):
    """The upload handler reads the raw stream, so its body is described here."""

    def __post_init__(self) -> None:
        self.request_body = UPLOAD_BODY


def _binary(description: str) -> OpenAPIMediaType:
    return OpenAPIMediaType(
        schema=Schema(
            type=OpenAPIType.STRING,
            format=OpenAPIFormat.BINARY,
            min_length=1,
            description=description,
        )
    )


CHAT_BODY = RequestBody(
    required=True,
    description="The chat replay file as the body, as the downloader wrote it (told apart by "
    "its content, not the content type); a malformed file is a 400 naming the line or message.",
    content={
        "application/json": _binary(
            'TwitchDownloader {"comments": [...]} or chat-downloader [{"time_in_seconds": ...}]'
        ),
        "text/csv": _binary("offset_seconds,author,message per line; the header is optional"),
    },
)


@dataclass
class ChatReplayOperation(Operation):
    """The chat handler streams the raw body to a file, so its body is described here."""

    def __post_init__(self) -> None:
        self.request_body = CHAT_BODY


class ClosedBodySchemaPlugin(StructSchemaPlugin):
    """Request bodies declared ``forbid_unknown_fields`` say so: ``additionalProperties:
    false``, so a client (and schemathesis) knows an unknown field is a 400."""

    def is_plugin_supported_field(self, field_definition: FieldDefinition) -> bool:
        return super().is_plugin_supported_field(field_definition) and _forbids_unknown_fields(
            field_definition.type_
        )

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: Any) -> Schema:
        schema = super().to_openapi_schema(field_definition, schema_creator)
        schema.additional_properties = False
        _restore_zero_minimums(field_definition.type_, schema)
        return schema


def _restore_zero_minimums(kind: Any, schema: Schema) -> None:
    """Litestar drops a bound of 0 (``Meta(ge=0)`` is falsy) from the properties it describes;
    put ``minimum: 0`` back, so the schema refuses what the server refuses."""
    info: Any = msgspec.inspect.type_info(kind)
    for field in info.fields:
        options = getattr(field.type, "types", (field.type,))
        if any(getattr(option, "ge", None) == 0 for option in options):
            described = (schema.properties or {}).get(field.encode_name)
            if isinstance(described, Schema) and described.minimum is None:
                described.minimum = 0


def _forbids_unknown_fields(kind: Any) -> bool:
    return (
        isinstance(kind, type)
        and issubclass(kind, msgspec.Struct)
        and bool(kind.__struct_config__.forbid_unknown_fields)
    )
