// Reading the sheetls.* settings.
import * as os from 'os';
import * as vscode from 'vscode';

export interface Settings {
    /** Explicit interpreter path, '' when unset. */
    interpreter: string;
    /** Command (and arguments) replacing the bundled server, [] when unset. */
    serverCommand: string[];
    logLevel: string;
    packs: string[];
    builtinSheet: boolean;
    /** The Python version the project targets ("3.10"), '' to let the server find it. */
    pythonVersion: string;
}

function workspaceFolderPath(resource?: vscode.Uri): string | undefined {
    const folder = resource ? vscode.workspace.getWorkspaceFolder(resource) : undefined;
    return (folder ?? vscode.workspace.workspaceFolders?.[0])?.uri.fsPath;
}

/** Expand `~`, `${workspaceFolder}`, `${userHome}` and `${env:NAME}` in a setting value. */
export function resolveVariables(value: string, resource?: vscode.Uri): string {
    const home = os.homedir();
    let out = value;
    if (out === '~' || out.startsWith('~/') || out.startsWith('~\\')) {
        out = home + out.slice(1);
    }
    const folder = workspaceFolderPath(resource);
    out = out.replace(/\$\{userHome\}/g, home);
    if (folder) {
        out = out.replace(/\$\{workspaceFolder\}/g, folder);
    }
    out = out.replace(/\$\{env:([^}]+)\}/g, (_m, name: string) => process.env[name] ?? '');
    return out;
}

export function getSettings(resource?: vscode.Uri): Settings {
    const config = vscode.workspace.getConfiguration('sheetls', resource);
    let serverCommand = config.get<string[] | string>('serverCommand', []);
    if (typeof serverCommand === 'string') {
        // Tolerate a plain string in settings.json: split on whitespace.
        serverCommand = serverCommand.trim() ? serverCommand.trim().split(/\s+/) : [];
    }
    return {
        interpreter: resolveVariables(config.get<string>('interpreter', '').trim(), resource),
        serverCommand: serverCommand.map((part) => resolveVariables(part, resource)),
        logLevel: config.get<string>('logLevel', 'info'),
        packs: config.get<string[]>('packs', []).map((p) => resolveVariables(p, resource)),
        builtinSheet: config.get<boolean>('builtinSheet', true),
        pythonVersion: config.get<string>('pythonVersion', '').trim(),
    };
}

/** Settings whose change restarts the server. */
export function affectsServer(e: vscode.ConfigurationChangeEvent): boolean {
    return (
        ['interpreter', 'serverCommand', 'logLevel', 'packs', 'builtinSheet', 'pythonVersion'].some((key) =>
            e.affectsConfiguration(`sheetls.${key}`),
        ) || e.affectsConfiguration('python.defaultInterpreterPath')
    );
}
