// sheetls for VS Code: starts the sheetls language server (bundled in this extension) for Python files.
import * as vscode from 'vscode';
import { onPythonExtensionInterpreterChange } from './common/python';
import { ServerManager } from './common/server';
import { changeKind, getLaunchSettings } from './common/settings';
import { SheetPanel, SHOW_SHEET } from './common/sheet';

let manager: ServerManager | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
    const outputChannel = vscode.window.createOutputChannel('sheetls', { log: true });
    manager = new ServerManager(outputChannel);
    const sheets = new SheetPanel(manager);
    const restart = async (reason: string) => {
        await manager?.restart(reason);
        sheets.refresh();
    };
    /** Restart only when the program to run changed (or `force`); else send the changed options. */
    const apply = async (reason: string, force = false) => {
        await manager?.apply(reason, force);
        sheets.refresh();
    };
    const usesPythonExtension = () => {
        const launch = getLaunchSettings();
        return !launch.interpreter && launch.serverCommand.length === 0;
    };

    context.subscriptions.push(
        outputChannel,
        manager,
        sheets,
        vscode.commands.registerCommand('sheetls.restart', () => restart('sheetls: Restart server')),
        // A view ('compact'), or {anchor, view?} from a hover's "Open in sheet" link.
        vscode.commands.registerCommand(SHOW_SHEET, (arg?: unknown) => sheets.show(arg)),
        vscode.workspace.onDidChangeConfiguration((e) => {
            const kind = changeKind(e);
            if (kind === 'restart') {
                // logLevel, or python.defaultInterpreterPath while the Python extension picks the
                // interpreter, always restart; interpreter / serverCommand only when the value in
                // force changed (a workspace value in Restricted Mode does not).
                const force =
                    e.affectsConfiguration('sheetls.logLevel') ||
                    (e.affectsConfiguration('python.defaultInterpreterPath') && usesPythonExtension());
                void apply('settings changed', force);
            } else if (kind === 'push') {
                void apply('settings changed');
            }
        }),
        // A folder added or removed: its packs setting joins or leaves the union.
        vscode.workspace.onDidChangeWorkspaceFolders(() => void apply('workspace folders changed')),
        // Trust granted: the workspace's settings now count (restart if they name another program)
        // and the server may read the workspace's .sheetls/ packs.
        vscode.workspace.onDidGrantWorkspaceTrust(() => void apply('the workspace is now trusted')),
    );

    const pythonChange = await onPythonExtensionInterpreterChange(() => {
        if (usesPythonExtension()) {
            void restart('the Python extension selected another interpreter');
        }
    });
    if (pythonChange) {
        context.subscriptions.push(pythonChange);
    }

    await restart('activation');
}

export async function deactivate(): Promise<void> {
    await manager?.stop();
}
