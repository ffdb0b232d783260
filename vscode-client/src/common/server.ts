// Starting, stopping and restarting the language client.
import * as vscode from 'vscode';
import {
    DidChangeConfigurationNotification,
    LanguageClient,
    LanguageClientOptions,
    RevealOutputChannelOn,
    ServerOptions,
} from 'vscode-languageclient/node';
import { BUNDLED_LIBS, LAUNCHER, SERVER_ID, SERVER_NAME } from './constants';
import { findPython, PythonProblem } from './python';
import { openInSheetFeature, SHOW_SHEET } from './sheet';
import { getLaunchSettings, getServerOptions, LaunchSettings, SECTION, ServerOptions as SheetOptions } from './settings';

export interface ServerCommand {
    command: string;
    args: string[];
    description: string;
}

/** The command that starts the server (the client appends --stdio). */
export async function resolveServerCommand(settings: LaunchSettings, resource?: vscode.Uri): Promise<ServerCommand> {
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

/** The launch settings a running server was started with, to tell whether a change needs a restart. */
export function launchKey(settings: LaunchSettings): string {
    return JSON.stringify([settings.interpreter, settings.serverCommand]);
}

export async function createClient(
    outputChannel: vscode.LogOutputChannel,
    settings: LaunchSettings,
    options: SheetOptions,
): Promise<LanguageClient> {
    for (const why of settings.ignored) {
        outputChannel.warn(`Ignored: ${why}`);
    }
    // One server for the window: the Python extension's interpreter of the first folder.
    const resource = vscode.workspace.workspaceFolders?.[0]?.uri;
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
        initializationOptions: options,
        // The hover's "Open in sheet" link runs sheetls.showSheet: trusted, and only it.
        markdown: { isTrusted: { enabledCommands: [SHOW_SHEET] } },
    };
    const client = new LanguageClient(SERVER_ID, SERVER_NAME, serverOptions, clientOptions);
    client.registerFeature(openInSheetFeature());
    return client;
}

/** Owns the one running client; serialises starts and restarts. */
export class ServerManager implements vscode.Disposable {
    private client: LanguageClient | undefined;
    private pending: Promise<void> = Promise.resolve();
    /** launchKey() of the running server's launch settings. */
    private launched: string | undefined;
    /** The options the running server was last given. */
    private sent: string | undefined;

    constructor(private readonly outputChannel: vscode.LogOutputChannel) {}

    get current(): LanguageClient | undefined {
        return this.client;
    }

    /** Stop the running client (if any) and start a new one. */
    restart(reason: string): Promise<void> {
        this.pending = this.pending.then(() => this.doRestart(reason));
        return this.pending;
    }

    /**
     * Apply the current settings: restart when the program to run changed (or `force`),
     * otherwise send the server options that changed through workspace/didChangeConfiguration.
     */
    apply(reason: string, force = false): Promise<void> {
        this.pending = this.pending.then(async () => {
            const launch = getLaunchSettings();
            if (force || !this.client || launchKey(launch) !== this.launched) {
                await this.doRestart(reason);
            } else {
                await this.push(reason);
            }
        });
        return this.pending;
    }

    private async push(reason: string): Promise<void> {
        const client = this.client;
        const options = getServerOptions();
        const text = JSON.stringify(options);
        if (!client || text === this.sent) {
            return;
        }
        this.outputChannel.info(`Settings sent to the server (${reason}): ${text}`);
        try {
            await client.sendNotification(DidChangeConfigurationNotification.type, { settings: { [SECTION]: options } });
            this.sent = text;
        } catch (err) {
            this.outputChannel.warn(`Sending the settings: ${err instanceof Error ? err.message : String(err)}`);
        }
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
            const launch = getLaunchSettings();
            const options = getServerOptions();
            const client = await createClient(this.outputChannel, launch, options);
            await client.start();
            this.client = client;
            this.launched = launchKey(launch);
            this.sent = JSON.stringify(options);
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
        this.launched = undefined;
        this.sent = undefined;
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
