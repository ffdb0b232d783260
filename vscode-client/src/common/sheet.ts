// "sheetls: Show sheet": the sheet page, rendered by the server from the snippet source
// (workspace/executeCommand sheetls.renderPage), in a webview beside the editor. Each entry has
// an "Insert at cursor" button: the server says which form fits the cursor's place in the
// Python editor (sheetls.formAt, decided as completion decides) and it goes in as a snippet.
// The hover's "Open in sheet" link runs this command with the entry's anchor.
// The extension carries no copy of the entries.
import * as vscode from 'vscode';
import { ExecuteCommandRequest, StaticFeature } from 'vscode-languageclient/node';
import { ServerManager } from './server';
import { makeNonce, webviewHtml } from './webview';

export const SHOW_SHEET = 'sheetls.showSheet';
export const VIEWS = ['standard', 'compact', 'detailed'] as const;
export type SheetView = (typeof VIEWS)[number];

/** What the hover link and the command's callers may pass: a view, or {anchor, view}. */
interface ShowArgs {
    anchor?: string;
    view?: SheetView;
}

function showArgs(arg: unknown): ShowArgs {
    if (typeof arg === 'string') {
        return VIEWS.includes(arg as SheetView) ? { view: arg as SheetView } : {};
    }
    if (arg && typeof arg === 'object') {
        const o = arg as Record<string, unknown>;
        return {
            anchor: typeof o.anchor === 'string' ? o.anchor : undefined,
            view: VIEWS.includes(o.view as SheetView) ? (o.view as SheetView) : undefined,
        };
    }
    return {};
}

/**
 * Declares to the server the command that opens the sheet at an entry
 * (experimental.sheetlsOpenInSheet): its hovers then end with an "Open in sheet" link to it,
 * which the client trusts (clientOptions.markdown.isTrusted.enabledCommands).
 */
export function openInSheetFeature(): StaticFeature {
    return {
        fillClientCapabilities(capabilities) {
            const declared = (capabilities.experimental ?? {}) as Record<string, unknown>;
            capabilities.experimental = { ...declared, sheetlsOpenInSheet: SHOW_SHEET };
        },
        initialize() {},
        getState() {
            return { kind: 'static' };
        },
        clear() {},
    };
}

interface FormAnswer {
    text: string | null;
    reason?: string;
    isSnippet?: boolean;
    form?: string;
    insertTextMode?: number;
    additionalTextEdits?: { range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string }[];
    title?: string;
}

interface WebviewMessage {
    type: string;
    id?: number;
    text?: string;
    file?: string;
    anchor?: string;
}

/** The one sheet panel of the window. */
export class SheetPanel implements vscode.Disposable {
    private panel: vscode.WebviewPanel | undefined;
    private ready = false;
    private queued: ShowArgs = {};
    private lastPython: vscode.TextEditor | undefined;
    private readonly subscriptions: vscode.Disposable[] = [];

    constructor(private readonly manager: ServerManager) {
        this.notePython(vscode.window.activeTextEditor);
        this.subscriptions.push(vscode.window.onDidChangeActiveTextEditor((e) => this.notePython(e)));
    }

    private notePython(editor: vscode.TextEditor | undefined): void {
        if (editor && editor.document.languageId === 'python') {
            this.lastPython = editor;
        }
    }

    /** The Python editor "Insert at cursor" inserts into: the last one active, if still shown. */
    private pythonEditor(): vscode.TextEditor | undefined {
        const visible = vscode.window.visibleTextEditors.filter((e) => e.document.languageId === 'python');
        const last = this.lastPython;
        if (last && visible.some((e) => e.document === last.document && e.viewColumn === last.viewColumn)) {
            return visible.find((e) => e.document === last.document && e.viewColumn === last.viewColumn);
        }
        return visible[0];
    }

    async show(arg?: unknown): Promise<void> {
        const args = showArgs(arg);
        if (this.panel) {
            this.panel.reveal(undefined, false);
        } else {
            this.ready = false;
            this.panel = vscode.window.createWebviewPanel(
                'sheetls.sheet',
                'sheetls: sheet',
                { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false },
                { enableScripts: true, localResourceRoots: [], enableFindWidget: true },
            );
            this.panel.onDidDispose(() => {
                this.panel = undefined;
                this.ready = false;
            });
            this.panel.webview.onDidReceiveMessage((m: WebviewMessage) => this.onMessage(m));
            // A hidden webview's page is unloaded (no retainContextWhenHidden): it says ready again.
            this.panel.onDidChangeViewState((e) => {
                if (!e.webviewPanel.visible) {
                    this.ready = false;
                }
            });
            await this.render();
        }
        this.queued = { ...this.queued, ...args };
        this.flush();
    }

    /** Render the page again (after a restart or a settings change), if it is shown. */
    refresh(): void {
        if (this.panel) {
            this.ready = false;
            void this.render();
        }
    }

    private async render(): Promise<void> {
        const panel = this.panel;
        if (!panel) {
            return;
        }
        let page: string;
        try {
            const client = await this.manager.ready();
            const uri = this.pythonEditor()?.document.uri;
            const nonce = makeNonce();
            const result: unknown = await client.sendRequest(ExecuteCommandRequest.type, {
                command: 'sheetls.renderPage',
                arguments: [{ nonce, ...(uri ? { uri: client.code2ProtocolConverter.asUri(uri) } : {}) }],
            });
            if (typeof result !== 'string') {
                throw new Error(`sheetls.renderPage returned ${JSON.stringify(result)?.slice(0, 200)}, not a page`);
            }
            page = webviewHtml(result, nonce);
        } catch (err) {
            const message = err instanceof Error ? err.message : String(err);
            page = `<!DOCTYPE html><html lang="en"><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'"></head><body><h1>sheetls</h1><p>The sheet could not be rendered: ${escapeHtml(message)}</p></body></html>`;
        }
        panel.webview.html = page;
    }

    private flush(): void {
        if (!this.panel || !this.ready) {
            return;
        }
        const { anchor, view } = this.queued;
        this.queued = {};
        if (view) {
            void this.panel.webview.postMessage({ type: 'view', view });
        }
        if (anchor) {
            void this.panel.webview.postMessage({ type: 'reveal', anchor });
        }
    }

    private async onMessage(m: WebviewMessage): Promise<void> {
        if (m.type === 'ready') {
            this.ready = true;
            this.flush();
            return;
        }
        let reply: { ok: boolean; value?: unknown; error?: string };
        try {
            reply = { ok: true, value: await this.handle(m) };
        } catch (err) {
            reply = { ok: false, error: err instanceof Error ? err.message : String(err) };
            if (m.type === 'insert') {
                void vscode.window.showWarningMessage(`sheetls: ${reply.error}`);
            }
        }
        void this.panel?.webview.postMessage({ type: 'reply', id: m.id, ...reply });
    }

    private async handle(m: WebviewMessage): Promise<unknown> {
        switch (m.type) {
            case 'copy':
                await vscode.env.clipboard.writeText(m.text ?? '');
                return true;
            case 'save': {
                const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
                const target = await vscode.window.showSaveDialog({
                    defaultUri: folder ? vscode.Uri.joinPath(folder, m.file ?? 'sheet.txt') : undefined,
                    title: `sheetls: save ${m.file ?? 'the download'}`,
                });
                if (!target) {
                    throw new Error('not saved');
                }
                await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(m.text ?? ''));
                return target.fsPath;
            }
            case 'insert':
                return this.insert(m.anchor ?? '');
            default:
                throw new Error(`unknown message ${m.type}`);
        }
    }

    /** Insert the entry at the cursor of the Python editor, in the form the server says fits there. */
    async insert(anchor: string): Promise<string> {
        const editor = this.pythonEditor();
        if (!editor) {
            throw new Error('no Python editor is open: open one and put the cursor where the entry goes');
        }
        const doc = editor.document;
        const version = doc.version;
        const position = editor.selection.active;
        const client = await this.manager.ready();
        const answer = (await client.sendRequest(ExecuteCommandRequest.type, {
            command: 'sheetls.formAt',
            arguments: [
                {
                    uri: client.code2ProtocolConverter.asUri(doc.uri),
                    position: { line: position.line, character: position.character },
                    anchor,
                },
            ],
        })) as FormAnswer | null;
        if (!answer || typeof answer.text !== 'string') {
            throw new Error(answer?.reason ?? 'the server had no form for this place');
        }
        if (doc.version !== version) {
            throw new Error('the file changed while the server answered: try again');
        }
        const shown = await vscode.window.showTextDocument(doc, {
            viewColumn: editor.viewColumn,
            preserveFocus: false,
            selection: new vscode.Range(position, position),
        });
        const imports = (answer.additionalTextEdits ?? []).map((e) => client.protocol2CodeConverter.asTextEdit(e));
        if (imports.length) {
            // Above the cursor (the import sites): the cursor moves down with the lines they add.
            await shown.edit((b) => imports.forEach((e) => b.replace(e.range, e.newText)), {
                undoStopBefore: true,
                undoStopAfter: false,
            });
        }
        const snippet = answer.isSnippet ? new vscode.SnippetString(answer.text) : new vscode.SnippetString().appendText(answer.text);
        // insertSnippet re-indents continuation lines to the cursor line, which is what
        // insertTextMode adjustIndentation asks for (the server sends such text unindented:
        // VS Code declares adjustIndentation, so its answers always ask for it).
        const inserted = await shown.insertSnippet(snippet, shown.selection.active, {
            undoStopBefore: imports.length === 0,
            undoStopAfter: true,
        });
        if (!inserted) {
            throw new Error('VS Code did not insert the snippet');
        }
        return answer.form ?? '';
    }

    dispose(): void {
        this.panel?.dispose();
        for (const s of this.subscriptions) {
            s.dispose();
        }
    }
}

function escapeHtml(text: string): string {
    return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
