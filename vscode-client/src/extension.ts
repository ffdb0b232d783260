// sheetls for VS Code: starts the sheetls language server (bundled in this extension) for Python files.
import * as vscode from 'vscode';
import { onPythonExtensionInterpreterChange } from './common/python';
import { ServerManager } from './common/server';
import { affectsServer, getSettings } from './common/settings';
import { SHEET_SCHEME, SheetContentProvider, showSheet } from './common/sheet';

let manager: ServerManager | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
    const outputChannel = vscode.window.createOutputChannel('sheetls', { log: true });
    manager = new ServerManager(outputChannel);
    const sheets = new SheetContentProvider(manager);
    const restart = async (reason: string) => {
        await manager?.restart(reason);
        sheets.refresh();
    };

    context.subscriptions.push(
        outputChannel,
        manager,
        sheets,
        vscode.workspace.registerTextDocumentContentProvider(SHEET_SCHEME, sheets),
        vscode.commands.registerCommand('sheetls.restart', () => restart('sheetls: Restart server')),
        vscode.commands.registerCommand('sheetls.showSheet', (view?: unknown) => showSheet(sheets, view)),
        vscode.workspace.onDidChangeConfiguration((e) => {
            if (affectsServer(e)) {
                void restart('settings changed');
            }
        }),
    );

    const pythonChange = await onPythonExtensionInterpreterChange(() => {
        if (!getSettings().interpreter && getSettings().serverCommand.length === 0) {
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
