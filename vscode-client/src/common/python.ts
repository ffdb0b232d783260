// Finding a Python 3.9+ to run the bundled server:
// the sheetls.interpreter setting, then the Python extension's interpreter, then python3/python on PATH.
import { execFile } from 'child_process';
import * as vscode from 'vscode';
import { MIN_PYTHON } from './constants';

/** The part of the Python extension's API (ms-python.python) that sheetls uses. */
interface PythonExtensionApi {
    environments?: {
        getActiveEnvironmentPath(resource?: vscode.Uri): { id: string; path: string };
        resolveEnvironment(
            env: { id: string; path: string } | string,
        ): Promise<{ executable: { uri?: vscode.Uri } } | undefined>;
        onDidChangeActiveEnvironmentPath: vscode.Event<unknown>;
    };
    settings?: {
        getExecutionDetails(resource?: vscode.Uri): { execCommand: string[] | undefined };
    };
}

export type PythonSource = 'setting' | 'python extension' | 'PATH';

export interface PythonCandidate {
    command: string;
    source: PythonSource;
}

export interface FoundPython extends PythonCandidate {
    version: [number, number, number];
}

export class PythonProblem extends Error {
    constructor(
        message: string,
        /** What the user can do about it. */
        readonly fix: string,
    ) {
        super(message);
    }
}

async function pythonExtensionApi(): Promise<PythonExtensionApi | undefined> {
    const ext = vscode.extensions.getExtension<PythonExtensionApi>('ms-python.python');
    if (!ext) {
        return undefined;
    }
    try {
        return ext.isActive ? ext.exports : await ext.activate();
    } catch {
        return undefined;
    }
}

/** The interpreter selected in the Python extension, if it is installed. */
export async function pythonExtensionInterpreter(resource?: vscode.Uri): Promise<string | undefined> {
    const api = await pythonExtensionApi();
    if (!api) {
        return undefined;
    }
    try {
        if (api.environments) {
            const active = api.environments.getActiveEnvironmentPath(resource);
            const env = await api.environments.resolveEnvironment(active);
            const exe = env?.executable.uri?.fsPath;
            if (exe) {
                return exe;
            }
        }
        const details = api.settings?.getExecutionDetails(resource);
        if (details?.execCommand && details.execCommand.length === 1) {
            return details.execCommand[0];
        }
    } catch {
        // An older or broken Python extension: fall through to PATH.
    }
    return undefined;
}

/** Subscribe to interpreter changes in the Python extension (for restarts). */
export async function onPythonExtensionInterpreterChange(
    listener: () => void,
): Promise<vscode.Disposable | undefined> {
    const api = await pythonExtensionApi();
    return api?.environments?.onDidChangeActiveEnvironmentPath(() => listener());
}

const VERSION_PROBE = 'import sys; sys.stdout.write("%d.%d.%d" % tuple(sys.version_info[:3]))';

/** Run `command -c ...` and return its version, or undefined when it does not run. */
export function probeVersion(command: string): Promise<[number, number, number] | undefined> {
    return new Promise((resolve) => {
        execFile(command, ['-c', VERSION_PROBE], { timeout: 15000, windowsHide: true }, (err, stdout) => {
            const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(String(stdout).trim());
            if (err || !m) {
                resolve(undefined);
            } else {
                resolve([Number(m[1]), Number(m[2]), Number(m[3])]);
            }
        });
    });
}

export function isSupported(version: [number, number, number]): boolean {
    return version[0] > MIN_PYTHON[0] || (version[0] === MIN_PYTHON[0] && version[1] >= MIN_PYTHON[1]);
}

const MIN_TEXT = `${MIN_PYTHON[0]}.${MIN_PYTHON[1]}`;
const FIX =
    `Install Python ${MIN_TEXT} or newer (https://www.python.org/downloads/) and set ` +
    `"sheetls.interpreter" to its path, or select it in the Python extension.`;

/**
 * The Python to run the bundled server with. Throws PythonProblem with a message for the user
 * when none is found or the one chosen is too old.
 */
export async function findPython(resource?: vscode.Uri, explicit?: string): Promise<FoundPython> {
    if (explicit) {
        // An explicit setting is used as is: never silently replaced by another interpreter.
        const version = await probeVersion(explicit);
        if (!version) {
            throw new PythonProblem(
                `sheetls: the interpreter "${explicit}" from the setting sheetls.interpreter does not run.`,
                FIX,
            );
        }
        if (!isSupported(version)) {
            throw new PythonProblem(
                `sheetls needs Python ${MIN_TEXT} or newer, but "${explicit}" (sheetls.interpreter) ` +
                    `is Python ${version.join('.')}.`,
                FIX,
            );
        }
        return { command: explicit, source: 'setting', version };
    }

    const candidates: PythonCandidate[] = [];
    const fromExtension = await pythonExtensionInterpreter(resource);
    if (fromExtension) {
        candidates.push({ command: fromExtension, source: 'python extension' });
    }
    const onPath = process.platform === 'win32' ? ['python', 'py', 'python3'] : ['python3', 'python'];
    for (const command of onPath) {
        candidates.push({ command, source: 'PATH' });
    }

    const tooOld: string[] = [];
    for (const candidate of candidates) {
        const version = await probeVersion(candidate.command);
        if (!version) {
            continue;
        }
        if (isSupported(version)) {
            return { ...candidate, version };
        }
        tooOld.push(`${candidate.command} (${candidate.source}) is Python ${version.join('.')}`);
    }
    if (tooOld.length > 0) {
        throw new PythonProblem(`sheetls needs Python ${MIN_TEXT} or newer, but ${tooOld.join('; ')}.`, FIX);
    }
    throw new PythonProblem(
        `sheetls needs Python ${MIN_TEXT} or newer to run its language server, and found none ` +
            `(tried: ${candidates.map((c) => c.command).join(', ')}).`,
        FIX,
    );
}
