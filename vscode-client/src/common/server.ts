// Starting, stopping and restarting the language client.
import * as vscode from 'vscode';
import {
    LanguageClient,
    LanguageClientOptions,
    RevealOutputChannelOn,
    ServerOptions,
} from 'vscode-languageclient/node';
import { BUNDLED_LIBS, LAUNCHER, SERVER_ID, SERVER_NAME } from './constants';
import { findPython, PythonProblem } from './python';
import { getSettings, Settings } from './settings';

export interface ServerCommand {
    command: string;
    args: string[];
    description: string;
}

/** The command that starts the server (the client appends --stdio). */
export async function resolveServerCommand(settings: Settings, resource?: vscode.Uri): Promise<ServerCommand> {
    if (settings.serverCommand.length > 0) {
        const [command, ...args] = settings.serverCommand;
        return { command, args, description: `sheetls.serverCommand: ${settings.serverCommand.join(' ')}` };
    }
    const python = await findPython(resource, settings.interpreter || undefined);
    return {
        command: python.command,
        args: [LAUNCHER],
        description: `bundled server with ${python.command} (Python ${python.version.join('.')}, from ${python.source})`,
    };
}

export function initializationOptions(settings: Settings): Record<string, unknown> {
    return {
        logLevel: settings.logLevel,
        packs: settings.packs,
        builtinSheet: settings.builtinSheet,
        pythonVersion: settings.pythonVersion,
    };
}

export async function createClient(
    outputChannel: vscode.LogOutputChannel,
    resource?: vscode.Uri,
): Promise<LanguageClient> {
    const settings = getSettings(resource);
    const server = await resolveServerCommand(settings, resource);
    outputChannel.info(`Starting ${server.description}`);
    outputChannel.info(`Command: ${[server.command, ...server.args].join(' ')}`);

    const env: NodeJS.ProcessEnv = { ...process.env, PYTHONUNBUFFERED: '1' };
    if (settings.serverCommand.length === 0) {
        env.SHEETLS_BUNDLED_LIBS = BUNDLED_LIBS;
    }
    const serverOptions: ServerOptions = {
        command: server.command,
        args: server.args,
        options: { env },
    };
    const clientOptions: LanguageClientOptions = {
        documentSelector: [
            { scheme: 'file', language: 'python' },
            { scheme: 'untitled', language: 'python' },
            { scheme: 'vscode-notebook-cell', language: 'python' },
        ],
        outputChannel,
        traceOutputChannel: outputChannel,
        revealOutputChannelOn: RevealOutputChannelOn.Never,
        initializationOptions: initializationOptions(settings),
    };
    return new LanguageClient(SERVER_ID, SERVER_NAME, serverOptions, clientOptions);
}

/** Owns the one running client; serialises starts and restarts. */
export class ServerManager implements vscode.Disposable {
    private client: LanguageClient | undefined;
    private pending: Promise<void> = Promise.resolve();

    constructor(private readonly outputChannel: vscode.LogOutputChannel) {}

    get current(): LanguageClient | undefined {
        return this.client;
    }

    /** Stop the running client (if any) and start a new one. */
    restart(reason: string): Promise<void> {
        this.pending = this.pending.then(() => this.doRestart(reason));
        return this.pending;
    }

    /** The running client, started on demand; throws with a readable message when it cannot start. */
    async ready(): Promise<LanguageClient> {
        await this.pending;
        if (!this.client) {
            await this.restart('needed by a command');
        }
        if (!this.client) {
            throw new Error('the sheetls server is not running (see the sheetls output channel)');
        }
        return this.client;
    }

    private async doRestart(reason: string): Promise<void> {
        await this.stop();
        this.outputChannel.info(`(Re)starting the server: ${reason}`);
        try {
            const client = await createClient(this.outputChannel, vscode.window.activeTextEditor?.document.uri);
            await client.start();
            this.client = client;
            this.outputChannel.info('Server started');
        } catch (err) {
            this.client = undefined;
            // Not awaited: the notification stays up while later restarts go ahead.
            void this.reportStartFailure(err);
        }
    }

    private async reportStartFailure(err: unknown): Promise<void> {
        if (err instanceof PythonProblem) {
            this.outputChannel.error(`${err.message} ${err.fix}`);
            const choice = await vscode.window.showErrorMessage(`${err.message} ${err.fix}`, 'Open Settings', 'Show Log');
            if (choice === 'Open Settings') {
                await vscode.commands.executeCommand('workbench.action.openSettings', 'sheetls.interpreter');
            } else if (choice === 'Show Log') {
                this.outputChannel.show();
            }
            return;
        }
        const message = err instanceof Error ? err.message : String(err);
        this.outputChannel.error(`The sheetls server did not start: ${message}`);
        const choice = await vscode.window.showErrorMessage(
            `sheetls: the language server did not start (${message}). Check the settings sheetls.interpreter and sheetls.serverCommand.`,
            'Show Log',
        );
        if (choice === 'Show Log') {
            this.outputChannel.show();
        }
    }

    async stop(): Promise<void> {
        const client = this.client;
        this.client = undefined;
        if (client) {
            try {
                await client.stop();
            } catch (err) {
                this.outputChannel.warn(`Stopping the server: ${err instanceof Error ? err.message : String(err)}`);
            }
        }
    }

    dispose(): void {
        void this.stop();
    }
}
