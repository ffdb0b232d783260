// "sheetls: Show sheet": the whole sheet, rendered by the server from the snippet source
// (workspace/executeCommand sheetls.renderSheet), shown in VS Code's markdown preview.
// The extension carries no copy of the entries.
import * as vscode from 'vscode';
import { ExecuteCommandRequest } from 'vscode-languageclient/node';
import { ServerManager } from './server';

export const SHEET_SCHEME = 'sheetls-sheet';
export const VIEWS = ['standard', 'compact', 'detailed'] as const;
export type SheetView = (typeof VIEWS)[number];

const VIEW_LABELS: Record<SheetView, string> = {
    standard: 'Standard: every entry with its summary, example and notes',
    compact: 'Compact: one dense page',
    detailed: 'Detailed: everything, with links',
};

export function sheetUri(view: SheetView): vscode.Uri {
    return vscode.Uri.from({ scheme: SHEET_SCHEME, path: `/sheetls-${view}.md` });
}

function viewOf(uri: vscode.Uri): SheetView {
    const m = /sheetls-(\w+)\.md$/.exec(uri.path);
    const view = (m?.[1] ?? 'standard') as SheetView;
    return VIEWS.includes(view) ? view : 'standard';
}

export async function renderSheet(manager: ServerManager, view: SheetView): Promise<string> {
    const client = await manager.ready();
    const result: unknown = await client.sendRequest(ExecuteCommandRequest.type, {
        command: 'sheetls.renderSheet',
        arguments: [{ format: 'markdown', view }],
    });
    if (typeof result !== 'string') {
        throw new Error(`sheetls.renderSheet returned ${JSON.stringify(result)?.slice(0, 200)}, not markdown`);
    }
    return result;
}

/** Read-only documents sheetls-sheet:/sheetls-<view>.md whose text comes from the server. */
export class SheetContentProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
    private readonly changed = new vscode.EventEmitter<vscode.Uri>();
    readonly onDidChange = this.changed.event;

    constructor(private readonly manager: ServerManager) {}

    async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
        try {
            return await renderSheet(this.manager, viewOf(uri));
        } catch (err) {
            const message = err instanceof Error ? err.message : String(err);
            return `# sheetls\n\nThe sheet could not be rendered: ${message}\n`;
        }
    }

    /** Ask VS Code to fetch every open sheet again (after a restart or a settings change). */
    refresh(): void {
        for (const doc of vscode.workspace.textDocuments) {
            if (doc.uri.scheme === SHEET_SCHEME) {
                this.changed.fire(doc.uri);
            }
        }
    }

    dispose(): void {
        this.changed.dispose();
    }
}

export async function showSheet(provider: SheetContentProvider, view?: unknown): Promise<void> {
    let chosen: SheetView | undefined = VIEWS.includes(view as SheetView) ? (view as SheetView) : undefined;
    if (!chosen) {
        const pick = await vscode.window.showQuickPick(
            VIEWS.map((v) => ({ label: v[0].toUpperCase() + v.slice(1), description: VIEW_LABELS[v], view: v })),
            { title: 'sheetls: Show sheet', placeHolder: 'Which view of the sheet?' },
        );
        chosen = pick?.view;
    }
    if (!chosen) {
        return;
    }
    const uri = sheetUri(chosen);
    provider.refresh();
    try {
        await vscode.commands.executeCommand('markdown.showPreview', uri);
    } catch {
        // No markdown preview (the built-in extension disabled): show the markdown source instead.
        const doc = await vscode.workspace.openTextDocument(uri);
        await vscode.window.showTextDocument(doc, { preview: false });
    }
}
