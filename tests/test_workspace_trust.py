"""`workspacePacks: false` (issue 15): what an editor sends while the user has not trusted the
workspace (VS Code's Restricted Mode). The workspace folders' `.sheetls/` packs are then not
read, while the built-in sheet and the packs the user configured stay served; turning it back
on through workspace/didChangeConfiguration (the user granted trust) serves them without a
restart. Over the real protocol, as VS Code's extension sends it."""

from __future__ import annotations

import pytest
from lsprotocol import types

from lsp_helpers import PREFIXES
from packs_support import TEAM_YAML, labels_for, start, wait_for_log
from sheetls.options import Options, parse_options
from sheetls.packs import discover, pack_folders

# A second pack, configured by the user (not in the workspace's .sheetls/).
USER_YAML = TEAM_YAML.replace("id: team-patterns", "id: user-patterns").replace("aiogather", "aiouser")


def _workspace(tmp_path):
    folder = tmp_path / "cloned-repo"
    (folder / ".sheetls").mkdir(parents=True)
    (folder / ".sheetls" / "team.yaml").write_text(TEAM_YAML)
    user_pack = tmp_path / "mine" / "user.yaml"
    user_pack.parent.mkdir()
    user_pack.write_text(USER_YAML)
    return folder, user_pack


def test_option_is_validated():
    assert Options().workspace_packs is True
    assert parse_options({"workspacePacks": False})[0].workspace_packs is False
    assert parse_options({"sheetls": {"workspacePacks": False}})[0].workspace_packs is False
    options, warnings = parse_options({"workspacePacks": "no"}, Options(workspace_packs=False))
    assert options.workspace_packs is False  # a bad value keeps what was there
    assert warnings and "workspacePacks" in warnings[0] and "true or false" in warnings[0]


def test_discover_leaves_out_the_workspace_folders_packs(tmp_path):
    folder, user_pack = _workspace(tmp_path)
    origins = lambda sources: [s.origin for s in sources]  # noqa: E731
    assert origins(discover([str(user_pack)], True, [str(folder)])[0]) == ["built-in", "settings", ".sheetls"]
    assert origins(discover([str(user_pack)], True, [str(folder)], workspace_packs=False)[0]) == [
        "built-in",
        "settings",
    ]
    # nor is the folder watched or polled for new packs
    assert str(folder / ".sheetls") not in pack_folders([str(user_pack)], [str(folder)], workspace_packs=False)


@pytest.mark.slow  # a server with workspace packs per test
async def test_untrusted_workspace_serves_the_sheet_and_user_packs_only(bare_client, tmp_path):
    folder, user_pack = _workspace(tmp_path)
    await start(bare_client, folder, watch=True, options={"packs": [str(user_pack)], "workspacePacks": False})
    assert await labels_for(bare_client, "aio") == PREFIXES + ["aiouser"]
    # The client is asked to watch the user's pack, not the untrusted .sheetls/ folder.
    watched = " ".join(str(r.register_options) for r in bare_client.registrations)
    assert "user.yaml" in watched and ".sheetls" not in watched, watched


@pytest.mark.slow  # a server with workspace packs per test
async def test_trust_granted_serves_the_workspace_packs_without_restart(bare_client, tmp_path):
    folder, user_pack = _workspace(tmp_path)
    await start(bare_client, folder, options={"packs": [str(user_pack)], "workspacePacks": False})
    assert "aiogather" not in await labels_for(bare_client, "aio")
    since = len(bare_client.log_messages)
    # What the VS Code extension sends once the user trusts the folder.
    bare_client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"sheetls": {"packs": [str(user_pack)], "workspacePacks": True}})
    )
    await wait_for_log(bare_client, "packs reloaded", since)
    assert await labels_for(bare_client, "aio") == PREFIXES + ["aiouser", "aiogather"]
    # and back (a workspace can also lose trust)
    since = len(bare_client.log_messages)
    bare_client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"sheetls": {"workspacePacks": False}})
    )
    await wait_for_log(bare_client, "packs reloaded", since)
    assert await labels_for(bare_client, "aio") == PREFIXES + ["aiouser"]


@pytest.mark.slow  # a server with workspace packs per test
async def test_default_is_trusted(bare_client, tmp_path):
    """Clients that know nothing of trust (Neovim, any other) keep serving `.sheetls/`."""
    folder, _ = _workspace(tmp_path)
    await start(bare_client, folder)
    assert "aiogather" in await labels_for(bare_client, "aio")


@pytest.mark.slow  # a server with workspace packs per test
async def test_a_log_level_change_applies_without_a_restart(bare_client):
    """didChangeConfiguration re-levels the server's log: at `error` an info message is not
    sent, at `info` again it is (a pack reload says so)."""
    from lsp_helpers import initialize

    await initialize(bare_client, "visual_studio_code", options={"logLevel": "error"})
    since = len(bare_client.log_messages)
    bare_client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"sheetls": {"logLevel": "error", "builtinSheet": False}})
    )
    await bare_client.workspace_execute_command_async(types.ExecuteCommandParams(command="sheetls.reload"))
    assert not [m for m in bare_client.log_messages[since:] if "packs reloaded" in m.message]
    bare_client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"sheetls": {"logLevel": "info", "builtinSheet": True}})
    )
    await bare_client.workspace_execute_command_async(types.ExecuteCommandParams(command="sheetls.reload"))
    assert [m for m in bare_client.log_messages[since:] if "packs reloaded" in m.message]
