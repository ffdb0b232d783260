"""The private pygls names sheetls relies on, each with where and why. pyproject.toml pins
pygls to the minor version they were read from (2.1); tests/test_pygls_privates.py fails
naming each one that a pygls upgrade removes or changes (`missing()`), and fails too when
the code of sheetls.lsp takes a pygls private that is not listed here.

Everything else sheetls takes from pygls is public: LanguageServer, LanguageServerProtocol
and its feature/command decorators, handle_message, get_message_type, set_writer,
report_server_error, Workspace and TextDocument with their public members, PositionCodec,
StdoutWriter, RPCRequest, the JSON-RPC message classes, JsonRpcException, pygls.uris."""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import List, Optional, Tuple

PYGLS_MINOR = (2, 1)


@dataclass(frozen=True)
class Private:
    owner: str  # "module:Class"
    name: str
    kind: str  # "method" (its parameters are checked too) or "attribute" (of an instance)
    used_by: str
    why: str
    params: Optional[Tuple[str, ...]] = None  # a method's parameters, self left out
    assigned_in: Optional[str] = None  # a method of the owner whose code must assign the attribute


PRIVATES: Tuple[Private, ...] = (
    Private(
        "pygls.protocol.json_rpc:JsonRPCProtocol",
        "_execute_handler",
        "method",
        "lifecycle.SheetProtocol",
        "take each notification's future out of _request_futures when it is done (pygls leaks one per notification)",
        ("msg_id", "handler", "callback", "args", "kwargs"),
    ),
    Private(
        "pygls.protocol.json_rpc:JsonRPCProtocol",
        "_request_futures",
        "attribute",
        "lifecycle.SheetProtocol, debug (sheetls.debugStats)",
        "the futures of requests in flight",
    ),
    Private(
        "pygls.protocol.json_rpc:JsonRPCProtocol",
        "_result_types",
        "attribute",
        "lifecycle.SheetProtocol, debug (sheetls.debugStats)",
        "the result type of each request sent to the client, to structure its response",
    ),
    Private(
        "pygls.protocol.json_rpc:JsonRPCProtocol",
        "_send_data",
        "method",
        "lifecycle.SheetProtocol.send_error",
        'send an error response pygls has no call for ("id": null)',
        ("data",),
    ),
    Private(
        "pygls.protocol.json_rpc:JsonRPCProtocol",
        "_converter",
        "attribute",
        "lifecycle.SheetProtocol.handle_json",
        "structure the params before dispatch, to answer InvalidParams",
    ),
    Private(
        "pygls.protocol.json_rpc:JsonRPCProtocol",
        "_shutdown",
        "attribute",
        "lifecycle.SheetProtocol.admit",
        "whether `shutdown` was received: later requests get InvalidRequest",
    ),
    Private(
        "pygls.protocol.language_server:LanguageServerProtocol",
        "_workspace",
        "attribute",
        "workspace.LineStoreProtocol",
        "the workspace lsp_initialize assigns before the initialize feature runs: the line store's hook",
        assigned_in="lsp_initialize",
    ),
    Private(
        "pygls.workspace.workspace:Workspace",
        "_create_text_document",
        "method",
        "workspace.LineWorkspace",
        "make LineDocuments",
        ("doc_uri", "source", "version", "language_id"),
    ),
    Private(
        "pygls.workspace.workspace:Workspace",
        "_sync_kind",
        "attribute",
        "workspace.LineWorkspace",
        "the document sync kind its documents apply changes with",
    ),
    Private(
        "pygls.server:JsonRPCServer",
        "_stop_event",
        "attribute",
        "transports.ProtocolServer",
        "the event shutdown() sets, which ends our frame reading",
    ),
    Private(
        "pygls.server:JsonRPCServer",
        "_server",
        "attribute",
        "transports.ProtocolServer.start_tcp",
        "the asyncio server shutdown() closes",
    ),
)


def _instances():
    from pygls.lsp.server import LanguageServer
    from pygls.workspace import Workspace

    server = LanguageServer("pygls-privates-probe", "0")  # plain pygls classes, not sheetls's
    return {
        "JsonRPCProtocol": server.protocol,
        "LanguageServerProtocol": server.protocol,
        "Workspace": Workspace(None),
        "JsonRPCServer": server,
    }


def missing() -> List[str]:
    """One line for each private of PRIVATES that the installed pygls lacks or changed."""
    import importlib
    from importlib.metadata import version as installed

    out: List[str] = []
    instances = _instances()
    for p in PRIVATES:
        module, cls_name = p.owner.split(":")
        where = f"{p.owner.replace(':', '.')}.{p.name} (used by {p.used_by}: {p.why})"
        cls = getattr(importlib.import_module(module), cls_name, None)
        if cls is None:
            out.append(f"{where}: class {cls_name} is gone from {module}")
            continue
        if p.kind == "method":
            fn = getattr(cls, p.name, None)
            if not callable(fn):
                out.append(f"{where}: no such method")
            elif p.params is not None:
                got = tuple(list(inspect.signature(fn).parameters)[1:])
                if got != p.params:
                    out.append(f"{where}: parameters are now {got}, expected {p.params}")
        elif p.name not in vars(instances[cls_name]):
            out.append(f"{where}: a new instance has no attribute {p.name}")
        elif p.assigned_in and f"self.{p.name} =" not in inspect.getsource(getattr(cls, p.assigned_in)):
            out.append(f"{where}: {cls_name}.{p.assigned_in} no longer assigns it")
    if out:
        out.insert(0, f"pygls {installed('pygls')} changed what sheetls relies on:")
    return out
