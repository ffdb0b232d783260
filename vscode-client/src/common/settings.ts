// Reading the sheetls.* settings, as workspace trust allows.
//
// Two kinds:
// - launch settings (sheetls.interpreter, sheetls.serverCommand): the program VS Code runs.
//   One server serves the window, so they are read for the window (no folder), and changing
//   them restarts the server.
// - server options (every option of the server: logLevel, packs, builtinSheet, maxItems,
//   hoverExample, pollInterval, pythonVersion, diagnostics, rules, and workspacePacks from the trust state): sent as
//   initializationOptions at start and pushed with workspace/didChangeConfiguration when they
//   change, without a restart. One server serves the window, with one set of options: they are
//   window-scoped, except `packs`, which is resource-scoped: each workspace folder's own value
//   is read for that folder (its relative paths and ${workspaceFolder} resolve against it) and
//   the server gets the window's packs plus every folder's.
//
// Restricted Mode (the workspace is not trusted): the settings listed in package.json's
// capabilities.untrustedWorkspaces.restrictedConfigurations (interpreter, serverCommand, packs)
// take only the user's values (inspect(): default and global, never workspace or folder), a
// user value that points inside the workspace is not run either, and the server is told not
// to read the workspace folders' .sheetls/ packs (workspacePacks: false).
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';

export const SECTION = 'sheetls';
/** Settings whose workspace values wait for trust (package.json restrictedConfigurations). */
export const RESTRICTED = ['interpreter', 'serverCommand', 'packs'] as const;
/** Settings that name the program to run: a change restarts the server. */
const LAUNCH_KEYS = ['interpreter', 'serverCommand'];
/** Server options pushed through workspace/didChangeConfiguration (no restart). */
const OPTION_KEYS = [
    'logLevel',
    'packs',
    'builtinSheet',
    'maxItems',
    'hoverExample',
    'pollInterval',
    'pythonVersion',
    'diagnostics',
    'rules',
];

export interface LaunchSettings {
    /** Explicit interpreter path, '' when unset. */
    interpreter: string;
    /** Command (and arguments) replacing the bundled server, [] when unset. */
    serverCommand: string[];
    /** Why a value was ignored (Restricted Mode), for the log. */
    ignored: string[];
}

/** Every server option, camelCase as options.py reads them. */
export interface ServerOptions {
    logLevel: string;
    packs: string[];
    builtinSheet: boolean;
    maxItems: number;
    hoverExample: string;
    pollInterval: number;
    pythonVersion: string;
    /** Publish the sheet's pitfall diagnostics (`sheetls lint`) with their quick fixes (default true, as the server). */
    diagnostics: boolean;
    /** Per-rule settings of the diagnostics: {"SHEET101": {"enabled": false, "severity": "error"}} (codes or prefixes). */
    rules: Record<string, { enabled?: boolean; severity?: string }>;
    /** false in Restricted Mode: the workspace folders' .sheetls/ packs are not read. */
    workspacePacks: boolean;
}

export function isTrusted(): boolean {
    return vscode.workspace.isTrusted;
}

/** Expand `~`, `${workspaceFolder}`, `${userHome}` and `${env:NAME}` in a setting value. */
export function resolveVariables(value: string, folder?: string): string {
    const home = os.homedir();
    let out = value;
    if (out === '~' || out.startsWith('~/') || out.startsWith('~\\')) {
        out = home + out.slice(1);
    }
    const base = folder ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    out = out.replace(/\$\{userHome\}/g, home);
    if (base) {
        out = out.replace(/\$\{workspaceFolder\}/g, base);
    }
    out = out.replace(/\$\{env:([^}]+)\}/g, (_m, name: string) => process.env[name] ?? '');
    return out;
}

/**
 * A setting's value as trust allows: the effective value when the workspace is trusted or the
 * setting is not restricted; otherwise the user's own value (or the default), never the
 * workspace's or a folder's.
 */
function trusted<T>(config: vscode.WorkspaceConfiguration, key: string, fallback: T, ignored?: string[]): T {
    if (isTrusted() || !(RESTRICTED as readonly string[]).includes(key)) {
        return config.get<T>(key, fallback);
    }
    const seen = config.inspect<T>(key);
    const workspaceValue = seen?.workspaceFolderValue ?? seen?.workspaceValue;
    if (workspaceValue !== undefined && ignored) {
        ignored.push(`${SECTION}.${key} from the workspace settings (Restricted Mode: the workspace is not trusted)`);
    }
    return seen?.globalValue ?? seen?.defaultValue ?? fallback;
}

function folderPaths(): string[] {
    return (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
}

function inside(file: string, folders: string[]): boolean {
    const abs = path.resolve(file);
    return folders.some((f) => abs === f || abs.startsWith(f.endsWith(path.sep) ? f : f + path.sep));
}

/** The interpreter / server command for the window. */
export function getLaunchSettings(): LaunchSettings {
    const config = vscode.workspace.getConfiguration(SECTION);
    const ignored: string[] = [];
    let serverCommand = trusted<string[] | string>(config, 'serverCommand', [], ignored);
    if (typeof serverCommand === 'string') {
        // Tolerate a plain string in settings.json: split on whitespace.
        serverCommand = serverCommand.trim() ? serverCommand.trim().split(/\s+/) : [];
    }
    let command = serverCommand.map((part) => resolveVariables(part));
    let interpreter = resolveVariables(trusted<string>(config, 'interpreter', '', ignored).trim());
    if (!isTrusted()) {
        // A user setting such as "${workspaceFolder}/.venv/bin/python" would still run the
        // untrusted workspace's program: not before the user trusts it.
        const folders = folderPaths();
        const inWorkspace = (p: string) => path.isAbsolute(p) && inside(p, folders);
        if (interpreter && inWorkspace(interpreter)) {
            ignored.push(`${SECTION}.interpreter "${interpreter}" (inside the untrusted workspace)`);
            interpreter = '';
        }
        if (command.some(inWorkspace)) {
            ignored.push(`${SECTION}.serverCommand "${command.join(' ')}" (runs a file of the untrusted workspace)`);
            command = [];
        }
    }
    return { interpreter, serverCommand: command, ignored };
}

/** A pack path made absolute against `folder` (the server would resolve it against the first folder). */
function packPath(raw: string, folder?: string): string {
    const p = resolveVariables(raw, folder);
    return folder && !path.isAbsolute(p) ? path.join(folder, p) : p;
}

/** Every server option for the window, as trust allows. */
export function getServerOptions(): ServerOptions {
    const config = vscode.workspace.getConfiguration(SECTION);
    // packs: the window's value (user, or a workspace's when trusted: relative paths are left to
    // the server, which resolves them against the folder that has them), and each folder's own
    // value resolved against that folder. The server serves them all, once each.
    const packs = trusted<string[]>(config, 'packs', []).map((p) => resolveVariables(p));
    if (isTrusted()) {
        for (const folder of vscode.workspace.workspaceFolders ?? []) {
            const own = vscode.workspace.getConfiguration(SECTION, folder.uri).inspect<string[]>('packs')?.workspaceFolderValue;
            packs.push(...(own ?? []).map((p) => packPath(p, folder.uri.fsPath)));
        }
    }
    return {
        logLevel: config.get<string>('logLevel', 'info'),
        packs: [...new Set(packs)],
        builtinSheet: config.get<boolean>('builtinSheet', true),
        maxItems: config.get<number>('maxItems', 200),
        hoverExample: config.get<string>('hoverExample', 'full'),
        pollInterval: config.get<number>('pollInterval', 2),
        pythonVersion: config.get<string>('pythonVersion', '').trim(),
        diagnostics: config.get<boolean>('diagnostics', true),
        rules: config.get<Record<string, { enabled?: boolean; severity?: string }>>('rules', {}),
        workspacePacks: isTrusted(),
    };
}

/** What a settings change asks of the running server. */
export function changeKind(e: vscode.ConfigurationChangeEvent): 'restart' | 'push' | undefined {
    if (
        LAUNCH_KEYS.some((key) => e.affectsConfiguration(`${SECTION}.${key}`)) ||
        e.affectsConfiguration('python.defaultInterpreterPath')
    ) {
        return 'restart';
    }
    if (OPTION_KEYS.some((key) => e.affectsConfiguration(`${SECTION}.${key}`))) {
        return 'push';
    }
    return undefined;
}
