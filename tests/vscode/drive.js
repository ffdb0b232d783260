// Drive a running code-server (VS Code in the browser) through Debian's Chromium with
// playwright-core, as a user would: open a file, type, accept a suggestion, hover, run a command.
//
//   node drive.js SCENARIO JSON-OPTIONS
//
// Environment: PLAYWRIGHT_CORE (path of the playwright-core package), CHROMIUM (executable).
// Prints one JSON line {"ok": bool, "steps": [...], "error": str, ...observations} on stdout
// and exits 0 when the scenario ran to its end (the Python test then checks what was observed),
// 1 when a step failed (the JSON says which step, and a screenshot of that moment is saved).
'use strict';

const fs = require('fs');
const path = require('path');
const { chromium } = require(process.env.PLAYWRIGHT_CORE || 'playwright-core');

const [, , scenarioName, optionsJson] = process.argv;
const opts = JSON.parse(optionsJson || '{}');
// Generous limits for one wait; a healthy run meets each in a second or two.
const WAIT = opts.waitMs || 60000;

const result = { ok: false, scenario: scenarioName, steps: [], screenshots: {} };
let page;

function step(name) {
    result.steps.push(name);
    process.stderr.write(`[drive ${scenarioName}] ${name}\n`);
}

function sleep(ms) {
    return new Promise((r) => setTimeout(r, ms));
}

async function shot(name, clip) {
    const file = path.join(opts.artifacts, `${name}.png`);
    await page.screenshot({ path: file, clip });
    result.screenshots[name] = file;
    return file;
}

/** Retry `fn` until it returns a truthy value; between tries run `nudge` (e.g. press Ctrl+Space). */
async function until(what, fn, { timeout = WAIT, every = 250, nudge, nudgeEvery = 3000 } = {}) {
    const start = Date.now();
    let lastNudge = Date.now();
    let lastError;
    while (Date.now() - start < timeout) {
        try {
            const value = await fn();
            if (value) {
                return value;
            }
        } catch (err) {
            lastError = err;
        }
        if (nudge && Date.now() - lastNudge >= nudgeEvery) {
            lastNudge = Date.now();
            await nudge();
        }
        await sleep(every);
    }
    throw new Error(`timed out after ${timeout} ms waiting for ${what}${lastError ? ` (last error: ${lastError.message})` : ''}`);
}

function visibleText(selector) {
    return page.evaluate((sel) => {
        const els = [...document.querySelectorAll(sel)].filter((e) => e.offsetParent !== null || e.getClientRects().length);
        return els.map((e) => e.innerText).join('\n');
    }, selector);
}

async function openWorkbench(folder) {
    step(`open workbench on ${folder}`);
    await page.goto(`${opts.url}/?folder=${encodeURIComponent(folder)}`);
    await page.waitForSelector('.monaco-workbench', { timeout: WAIT });
    // The explorer shows the folder once the workbench has restored.
    await page.waitForSelector('.explorer-folders-view, .monaco-workbench .part.sidebar', { timeout: WAIT });
}

async function openFile(name) {
    step(`open ${name} with Ctrl+P`);
    await until(`quick open to show ${name}`, async () => {
        await page.keyboard.press('Escape');
        await page.keyboard.press('Control+P');
        await page.waitForSelector('.quick-input-widget:not([style*="display: none"]) input', { timeout: 5000 });
        await page.keyboard.type(name);
        const row = page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first();
        await row.waitFor({ timeout: 5000 });
        await page.keyboard.press('Enter');
        return true;
    }, { timeout: WAIT });
    await page.waitForSelector(`.tab.active[data-resource-name="${name}"], .tab.active:has-text("${name}")`, { timeout: WAIT });
    await page.waitForSelector('.editor-instance .monaco-editor .view-lines', { timeout: WAIT });
    // The language mode shows "Python" once the model is set up.
    await until('the status bar to say Python', async () => /Python/.test(await visibleText('#status\\.editor\\.mode')));
    if (opts.hideSideBar !== false && (await page.$$('.part.sidebar:not(.hidden) .explorer-folders-view')).length) {
        await page.keyboard.press('Control+B');
        await until('the side bar to close', async () => (await page.$$('.part.sidebar:not(.hidden)')).length === 0, { timeout: 5000 }).catch(() => {});
    }
    await page.click('.editor-instance .monaco-editor .view-lines');
}

/** Editor text as shown (the editor renders spaces as U+00A0). */
async function editorText() {
    const text = await page.evaluate(() => {
        const lines = [...document.querySelectorAll('.editor-instance .monaco-editor .view-lines .view-line')];
        lines.sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top));
        return lines.map((l) => l.textContent).join('\n');
    });
    return text.replace(/\u00a0/g, ' ');
}

const SUGGEST_ROWS = '.editor-widget.suggest-widget.visible .monaco-list-row';

async function suggestRows() {
    return page.evaluate((sel) => [...document.querySelectorAll(sel)].map((r) => r.innerText.replace(/\u00a0/g, ' ')), SUGGEST_ROWS);
}

/** Type `word` and wait for the suggest widget to list it (Ctrl+Space if it has not come up). */
async function typeAndSuggest(word) {
    step(`type ${word}`);
    await page.keyboard.type(word, { delay: 40 });
    step('wait for the suggest widget');
    const rows = await until(`the suggest widget to list ${word}`, async () => {
        const r = await suggestRows();
        return r.some((t) => t.includes(word)) ? r : null;
    }, { nudge: () => page.keyboard.press('Control+Space') });
    return rows;
}

/** Open the suggestion's documentation side pane (Ctrl+Space toggles it) and read it. */
async function suggestDetails(expect) {
    step('read the suggestion details');
    const detailsSel = '.suggest-details-container .suggest-details';
    return until(`the suggest details to show ${JSON.stringify(expect)}`, async () => {
        const text = (await visibleText(detailsSel)).replace(/\u00a0/g, ' ');
        if (text.includes(expect)) {
            return text;
        }
        if (!text.trim()) {
            await page.keyboard.press('Control+Space');
        }
        return null;
    }, { timeout: 20000, every: 1000 });
}

async function widgetClip(selectors, margin = 12) {
    const boxes = [];
    for (const sel of selectors) {
        for (const el of await page.$$(sel)) {
            const box = await el.boundingBox();
            if (box && box.width > 0 && box.height > 0) {
                boxes.push(box);
            }
        }
    }
    if (!boxes.length) {
        return undefined;
    }
    const x0 = Math.max(0, Math.min(...boxes.map((b) => b.x)) - margin);
    const y0 = Math.max(0, Math.min(...boxes.map((b) => b.y)) - margin);
    const x1 = Math.max(...boxes.map((b) => b.x + b.width)) + margin;
    const y1 = Math.max(...boxes.map((b) => b.y + b.height)) + margin;
    const vp = page.viewportSize();
    return { x: x0, y: y0, width: Math.min(vp.width, x1) - x0, height: Math.min(vp.height, y1) - y0 };
}

/** Save with Ctrl+S and wait until the file on disk holds what the editor shows. */
async function save(file) {
    step('save with Ctrl+S');
    const before = fs.readFileSync(file, 'utf8');
    await page.keyboard.press('Control+S');
    await until('the tab to lose its dirty mark', async () => (await page.$$('.tab.active.dirty')).length === 0);
    await until(`${path.basename(file)} to change on disk`, async () => fs.readFileSync(file, 'utf8') !== before);
    return fs.readFileSync(file, 'utf8');
}

async function suggestWidgetHidden() {
    return (await page.$$('.editor-widget.suggest-widget.visible')).length === 0;
}

/**
 * Fill the snippet's tab stops: for each value, delete the selected placeholder, type the
 * value, then Tab to the next stop. A `null` value keeps the placeholder's default.
 */
async function fillTabStops(values) {
    for (let i = 0; i < values.length; i++) {
        const value = values[i];
        if (value !== null) {
            step(`tab stop ${i + 1}: type ${value}`);
            await page.keyboard.press('Backspace');
            await page.keyboard.type(value, { delay: 30 });
            await sleep(300);
            if (!(await suggestWidgetHidden())) {
                // A suggestion list over the stop would take the Tab: close it first.
                await page.keyboard.press('Escape');
            }
        } else {
            step(`tab stop ${i + 1}: keep the default`);
        }
        if (i < values.length - 1) {
            await page.keyboard.press('Tab');
            await sleep(200);
        }
    }
    // Leave snippet mode.
    await page.keyboard.press('Escape');
}

const HOVER = '.monaco-hover:not(.hidden)';

/** Screen position of the middle of `word`'s third character in the editor. */
async function wordPoint(word) {
    return until(`${word} to be rendered`, () =>
        page.evaluate((w) => {
            const root = document.querySelector('.editor-instance .monaco-editor .view-lines');
            const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                const at = node.textContent.indexOf(w);
                if (at >= 0) {
                    const range = document.createRange();
                    range.setStart(node, at + 2);
                    range.setEnd(node, at + 3);
                    const r = range.getBoundingClientRect();
                    return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
                }
            }
            return null;
        }, word),
    );
}

/**
 * Move the mouse onto `word` until the hover widget shows `expect` (and not `reject`, when
 * given); return the hover's text.
 */
async function hoverWord(word, expect, reject) {
    step(`hover ${word}`);
    const point = await wordPoint(word);
    const moveThere = async () => {
        await page.mouse.move(5, 5);
        await sleep(200);
        await page.mouse.move(point.x, point.y, { steps: 4 });
    };
    await moveThere();
    await until('the hover widget to show the sheet entry', async () => {
        const text = (await visibleText(HOVER)).replace(/\u00a0/g, ' ');
        return text.includes(expect) && !(reject && text.includes(reject)) ? text : null;
    }, { nudge: moveThere, nudgeEvery: 2500 });
    await sleep(300);
    return (await visibleText(HOVER)).replace(/\u00a0/g, ' ');
}

/** The editor's squiggle decorations: their class and screen box. */
function squiggles() {
    return page.evaluate(() =>
        [...document.querySelectorAll('.editor-instance .monaco-editor [class*="squiggly-"]')]
            .map((e) => {
                const r = e.getBoundingClientRect();
                return { cls: e.className, x: r.x, y: r.y, width: r.width, height: r.height };
            })
            .filter((b) => b.width > 0 && b.height > 0),
    );
}

/** Screen box of the first occurrence of `word` in the editor. */
async function wordBox(word) {
    return until(`${word} to be rendered`, () =>
        page.evaluate((w) => {
            const root = document.querySelector('.editor-instance .monaco-editor .view-lines');
            const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                const at = node.textContent.indexOf(w);
                if (at >= 0) {
                    const range = document.createRange();
                    range.setStart(node, at);
                    range.setEnd(node, at + w.length);
                    const r = range.getBoundingClientRect();
                    return { x: r.x, y: r.y, width: r.width, height: r.height };
                }
            }
            return null;
        }, word),
    );
}

/** Run a command from the command palette (F1) by its title. */
async function runCommand(title) {
    step(`command palette: ${title}`);
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    await page.waitForSelector('.quick-input-widget input', { state: 'visible', timeout: WAIT });
    await page.keyboard.type(title);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: WAIT });
    await page.keyboard.press('Enter');
}

/** Wait for a notification toast that mentions `needle`; return its text. */
async function waitNotification(needle) {
    step(`wait for a notification about ${needle}`);
    return until(`a notification mentioning ${needle}`, async () => {
        const text = (await visibleText('.notifications-toasts .notification-toast, .notification-list-item')).replace(/\u00a0/g, ' ');
        return text.includes(needle) ? text : null;
    });
}

/** Process ids of the language servers started for `folder` (the client starts them there) whose command line has `needle`. */
function serverPids(folder, needle) {
    const pids = [];
    for (const pid of fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
        try {
            const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
            if (cmd.includes(needle) && fs.readlinkSync(`/proc/${pid}/cwd`) === folder) {
                pids.push(Number(pid));
            }
        } catch {
            // The process ended meanwhile, or is not ours to read.
        }
    }
    return pids.sort((a, b) => a - b);
}

/** Replace the word on the file's last line by `prefix` and wait for the suggest widget to list every `expect`. */
async function suggestAtEnd(prefix, expect, what) {
    step(`type ${prefix} on the last line`);
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Shift+Home');
    await page.keyboard.type(prefix, { delay: 40 });
    return until(what || `the suggest widget to list ${expect.join(', ')}`, async () => {
        const rows = await suggestRows();
        return expect.every((p) => rows.some((r) => r.includes(p))) ? rows : null;
    }, { nudge: () => page.keyboard.press('Control+Space') });
}

/** The webview frame that shows the sheet page (with its "Insert at cursor" buttons). */
async function sheetFrame() {
    step('wait for the sheet webview');
    return until('the sheet page in a webview', async () => {
        for (const frame of page.frames()) {
            try {
                if (await frame.evaluate(() => !!document.querySelector('article.entry [data-sheetls-insert]'))) {
                    return frame;
                }
            } catch {
                // Frames come and go while the webview loads.
            }
        }
        return null;
    });
}

const scenarios = {
    /** Complete `aioopen` inside `async def main():` and fill the first two tab stops. */
    async completeInAsyncDef() {
        await openWorkbench(opts.folder);
        await openFile(opts.file);
        step('go to the end of `async def main():` and press Enter');
        await page.keyboard.press('Control+End');
        await page.keyboard.press('Enter');
        result.rows = await typeAndSuggest(opts.prefix);
        result.details = await suggestDetails(opts.expectDocs);
        await sleep(300);
        result.rows = await suggestRows();
        await shot('suggest-widget', await widgetClip(['.editor-widget.suggest-widget.visible', '.suggest-details-container', '.editor-instance .view-lines .view-line']));
        await shot('suggest-widget-full');
        step('accept with Enter');
        await page.keyboard.press('Enter');
        await until('the suggest widget to close', suggestWidgetHidden);
        result.afterAccept = await editorText();
        await fillTabStops(opts.tabStops);
        result.afterTabStops = await editorText();
        result.saved = await save(opts.path);
    },

    /** In an empty file, complete `aioopen` at module level, fill tab stops, save. */
    async completeAtModuleLevel() {
        await openWorkbench(opts.folder);
        await openFile(opts.file);
        result.rows = await typeAndSuggest(opts.prefix);
        step('accept with Enter');
        await page.keyboard.press('Enter');
        await until('the suggest widget to close', suggestWidgetHidden);
        result.afterAccept = await editorText();
        await fillTabStops(opts.tabStops);
        await shot('module-program');
        result.saved = await save(opts.path);
    },

    /**
     * At the end of the file (on a new line after it if `newLine`), type `prefix`, accept the
     * first suggestion with Enter, leave the snippet with its defaults (Escape), save.
     */
    async acceptAtEnd() {
        await openWorkbench(opts.folder);
        await openFile(opts.file);
        step('go to the end of the file');
        await page.keyboard.press('Control+End');
        if (opts.newLine) {
            await page.keyboard.press('Enter');
        }
        result.rows = await typeAndSuggest(opts.prefix);
        step('accept with Enter');
        await page.keyboard.press('Enter');
        await until('the suggest widget to close', suggestWidgetHidden);
        result.afterAccept = await editorText();
        step('leave the snippet with its defaults');
        await page.keyboard.press('Escape');
        result.saved = await save(opts.path);
    },

    /** Hover `asyncio.open_connection` and read the hover widget. */
    async hover() {
        await openWorkbench(opts.folder);
        await openFile(opts.file);
        result.hover = await hoverWord(opts.word, opts.expect);
        await shot('hover', await widgetClip([HOVER, '.editor-instance .view-lines .view-line']));
        await shot('hover-full');
    },

    /**
     * The restart command and settings changes restart the server: hover works, then after
     * "sheetls: Restart server", then a bad sheetls.interpreter in the folder's settings brings
     * the error, and a good one brings the hover back.
     */
    async restartAndSettings() {
        const settings = path.join(opts.folder, '.vscode', 'settings.json');
        await openWorkbench(opts.folder);
        await openFile(opts.file);
        result.hoverFirst = await hoverWord(opts.word, opts.expect);
        await runCommand('sheetls: Restart server');
        result.hoverAfterRestart = await hoverWord(opts.word, opts.expect);
        step('set sheetls.interpreter to a missing file');
        fs.mkdirSync(path.dirname(settings), { recursive: true });
        fs.writeFileSync(settings, JSON.stringify({ 'sheetls.interpreter': opts.badPython }));
        result.notification = await waitNotification(opts.badPython);
        await shot('settings-bad-interpreter');
        step('set sheetls.interpreter to a working Python');
        await page.keyboard.press('Escape');
        fs.writeFileSync(settings, JSON.stringify({ 'sheetls.interpreter': opts.goodPython }));
        await page.click('.editor-instance .monaco-editor .view-lines');
        result.hoverAfterFix = await hoverWord(opts.word, opts.expect);
        step('set sheetls.serverCommand to a missing program');
        fs.writeFileSync(settings, JSON.stringify({ 'sheetls.serverCommand': [opts.badServer] }));
        result.serverNotification = await waitNotification('did not start');
        step('set sheetls.serverCommand to a working server');
        await page.keyboard.press('Escape');
        fs.writeFileSync(settings, JSON.stringify({ 'sheetls.serverCommand': opts.goodServer }));
        await page.click('.editor-instance .monaco-editor .view-lines');
        result.hoverWithServerCommand = await hoverWord(opts.word, opts.expect);
    },

    /** Typing `aio` inside an async def lists every entry of the sheet. */
    async suggestList() {
        await openWorkbench(opts.folder);
        await openFile(opts.file);
        await page.keyboard.press('Control+End');
        await page.keyboard.press('Enter');
        step(`type ${opts.prefix}`);
        await page.keyboard.type(opts.prefix, { delay: 40 });
        result.rows = await until(`the suggest widget to list ${opts.expect.join(', ')}`, async () => {
            const rows = await suggestRows();
            return opts.expect.every((p) => rows.some((r) => r.includes(p))) ? rows : null;
        }, { nudge: () => page.keyboard.press('Control+Space') });
        await shot('suggest-list', await widgetClip(['.editor-widget.suggest-widget.visible', '.editor-instance .view-lines .view-line']));
    },

    /**
     * Run "sheetls: Show sheet" from the command palette: the sheet page opens in a webview.
     * Read what each view shows (switched with the page's own View buttons), the page's
     * Content-Security-Policy and its "Insert at cursor" buttons.
     */
    async showSheet() {
        await openWorkbench(opts.folder);
        await openFile(opts.file);
        await runCommand('sheetls: Show sheet');
        const frame = await sheetFrame();
        result.csp = await frame.evaluate(() => {
            const meta = document.querySelector('meta[http-equiv="Content-Security-Policy"]');
            return meta ? meta.getAttribute('content') : '';
        });
        result.printShown = await frame.evaluate(() => document.getElementById('print').getClientRects().length > 0);
        result.insertButtons = await frame.evaluate(() =>
            [...document.querySelectorAll('[data-sheetls-insert]')].map((b) => b.getAttribute('aria-label')),
        );
        // Scripts that run without the page's nonce (VS Code injects its webview bridge itself).
        result.scriptsWithoutNonce = await frame.evaluate(() =>
            [...document.querySelectorAll('script:not([type="application/json"])')]
                .filter((s) => !s.nonce)
                .map((s) => ({ src: s.src, text: s.textContent.slice(0, 300), inHead: s.parentElement === document.head })),
        );
        result.views = {};
        for (const view of opts.views) {
            step(`the ${view} view`);
            await frame.click(`button[data-view="${view}"]`);
            await until(`the page to show the ${view} view`, () => frame.evaluate((v) => document.body.classList.contains(`view-${v}`), view));
            result.views[view] = { text: await frame.evaluate(() => document.getElementById('sheet').innerText) };
            await shot(`sheet-${view}`);
        }
    },

    /**
     * In an `async def`, with the cursor on its blank indented last line: Show sheet, then the
     * entry's "Insert at cursor" in the webview; save. Then the hover's "Open in sheet" link
     * on the inserted API reveals the entry in the webview; "Copy core lines" fills the clipboard.
     */
    async sheetInsert() {
        await openWorkbench(opts.folder);
        await openFile(opts.file);
        await page.keyboard.press('Control+End');
        await runCommand('sheetls: Show sheet');
        const frame = await sheetFrame();
        step(`Insert at cursor: ${opts.anchor}`);
        await frame.click(`[data-sheetls-insert="${opts.anchor}"]`);
        await until(`the editor to show ${opts.expect}`, async () => (await editorText()).includes(opts.expect));
        result.status = await until('the page to say what was inserted', () =>
            frame.evaluate(() => {
                const text = document.getElementById('status').textContent;
                return text.startsWith('Inserted') ? text : null;
            }),
        );
        await page.keyboard.press('Escape');
        result.saved = await save(opts.path);
        await shot('sheet-inserted');

        await page.keyboard.press('Escape');
        result.hover = await hoverWord(opts.hoverWord, 'Open in sheet');
        step('click the hover link "Open in sheet"');
        await page.locator(`${HOVER} a`, { hasText: 'Open in sheet' }).first().click();
        result.revealed = await until('the webview to mark the entry', () =>
            frame.evaluate(() => {
                const t = document.querySelector('.sheetls-target');
                return t ? t.id : null;
            }),
        );
        await shot('sheet-revealed');

        step('Copy core lines');
        await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(opts.url).origin });
        await frame.click(`#${opts.anchor} button[data-copy="core"]`);
        result.clipboard = await until('the clipboard to hold the core lines', async () => {
            const text = await page.evaluate(() => navigator.clipboard.readText().catch(() => ''));
            return text.includes(opts.expect) ? text : null;
        });

        step('Download .py: VS Code asks where to save it (the workspace folder, proposed); Enter');
        await frame.click(`#${opts.anchor} button[data-download="py"]`);
        await page.waitForSelector('.quick-input-widget input', { state: 'visible', timeout: WAIT });
        result.saveProposed = await until('the Save dialog to propose a file', async () => {
            const value = await page.inputValue('.quick-input-widget input');
            return value.endsWith('.py') ? value : null;
        }, { timeout: 15000 }).catch(async () => page.inputValue('.quick-input-widget input'));
        await page.keyboard.press('Enter');
        const saved = path.join(opts.folder, `${opts.anchor}.py`);
        result.downloaded = await until(`${saved} to be written`, async () => (fs.existsSync(saved) ? fs.readFileSync(saved, 'utf8') : null));
    },

    /**
     * Settings changes reach the running server without a restart: hover with the example,
     * then sheetls.hoverExample "none" in the folder's settings (hover without it), then
     * sheetls.maxItems 2 (the suggest list is cut); the server's process ids before and after.
     */
    async settingsPush() {
        const settings = path.join(opts.folder, '.vscode', 'settings.json');
        await openWorkbench(opts.folder);
        await openFile(opts.file);
        result.hoverFull = await hoverWord(opts.word, opts.exampleLine);
        result.pidsBefore = serverPids(opts.folder, opts.serverNeedle);
        step('set sheetls.hoverExample to none');
        fs.mkdirSync(path.dirname(settings), { recursive: true });
        fs.writeFileSync(settings, JSON.stringify({ 'sheetls.hoverExample': 'none' }));
        result.hoverNone = await hoverWord(opts.word, opts.expect, opts.exampleLine);
        await shot('hover-example-none', await widgetClip([HOVER, '.editor-instance .view-lines .view-line']));
        step('set sheetls.maxItems to 2');
        fs.writeFileSync(settings, JSON.stringify({ 'sheetls.hoverExample': 'none', 'sheetls.maxItems': 2 }));
        await page.mouse.move(5, 5);
        await page.click('.editor-instance .monaco-editor .view-lines');
        // The cut list: the server answers 2 items (isIncomplete); wait until the widget shows no more.
        await page.keyboard.press('Control+End');
        await page.keyboard.press('Enter');
        step('type aio');
        await page.keyboard.type('aio', { delay: 40 });
        result.rowsCut = await until('the suggest widget to show at most 2 rows', async () => {
            const rows = await suggestRows();
            return rows.length > 0 && rows.length <= 2 ? rows : null;
        }, {
            nudge: async () => {
                await page.keyboard.press('Escape');
                await page.keyboard.press('Control+Space');
            },
        });
        await sleep(1000);
        result.rowsCut = await suggestRows();
        result.pidsAfter = serverPids(opts.folder, opts.serverNeedle);
    },

    /**
     * Workspace trust: the folder opens in Restricted Mode; `aio` lists the built-in sheet
     * only (not the workspace's .sheetls/ pack nor the pack its settings name), and the
     * workspace's sheetls.serverCommand has not run (its marker file is absent). Then the
     * user trusts the folder (Manage Workspace Trust -> Trust): the packs are offered and the
     * workspace's server command runs.
     */
    async trustFlow() {
        await openWorkbench(opts.folder);
        await openFile(opts.file);
        result.statusBefore = await visibleText('.part.statusbar');
        result.rowsUntrusted = await suggestAtEnd('aio', opts.builtin);
        await sleep(1500); // the one answer is in; let any late item show
        result.rowsUntrusted = await suggestRows();
        await shot('restricted-mode-suggest', await widgetClip(['.editor-widget.suggest-widget.visible', '.editor-instance .view-lines .view-line']));
        result.markerBeforeTrust = fs.existsSync(opts.marker);
        await page.keyboard.press('Escape');

        await runCommand('Workspaces: Manage Workspace Trust');
        step('press Trust in the Workspace Trust editor');
        const trustButton = page.locator('.workspace-trust-editor .monaco-button', { hasText: /^Trust( Folder)?$/ }).first();
        await trustButton.waitFor({ timeout: WAIT });
        await shot('workspace-trust-editor');
        await trustButton.click();
        await until('Restricted Mode to end', async () => !(await visibleText('.part.statusbar')).includes('Restricted Mode'));
        result.statusAfter = await visibleText('.part.statusbar');
        step('the workspace server command runs');
        await until(`the marker ${opts.marker}`, async () => fs.existsSync(opts.marker));
        step(`back to the ${opts.file} tab`);
        await page.click(`.tab:has-text("${opts.file}")`);
        await page.waitForSelector(`.tab.active:has-text("${opts.file}")`, { timeout: WAIT });
        await page.click('.editor-instance .monaco-editor .view-lines');
        result.rowsTrusted = await suggestAtEnd('aio', [...opts.builtin, ...opts.packs], 'the packs in the suggest widget once trusted');
        await shot('trusted-suggest', await widgetClip(['.editor-widget.suggest-widget.visible', '.editor-instance .view-lines .view-line']));
    },

    /**
     * With sheetls.diagnostics on (the folder's settings): the squiggle under the mistake (its
     * box and the word's), the hover on it, the Problems panel (Ctrl+Shift+M), the lightbulb
     * and the Quick Fix menu (Ctrl+.) on it, the fix whose title has `fixTitle` chosen there,
     * the squiggle gone, the file saved.
     */
    async quickFix() {
        await openWorkbench(opts.folder);
        await openFile(opts.file);
        step('wait for the squiggle');
        result.squiggles = await until('a squiggly-warning/-error decoration', async () => {
            const found = await squiggles();
            return found.length ? found : null;
        });
        result.wordBox = await wordBox(opts.word);
        await shot('diagnostics-squiggle', await widgetClip(['.editor-instance .view-lines .view-line']));
        result.hover = await hoverWord(opts.word, opts.code);
        result.hoverLinks = await page.evaluate((sel) =>
            [...document.querySelectorAll(`${sel} a`)].map((a) => ({ text: a.innerText, href: a.getAttribute('href') || '', title: a.title || '', data: a.dataset.href || '' })), HOVER);
        await shot('diagnostics-hover', await widgetClip([HOVER, '.editor-instance .view-lines .view-line']));
        await page.mouse.move(5, 5);

        step('open the Problems panel with Ctrl+Shift+M');
        await page.keyboard.press('Escape');
        await page.keyboard.press('Control+Shift+M');
        result.problems = await until(`the Problems panel to list ${opts.code}`, async () => {
            const text = (await visibleText('.markers-panel')).replace(/\u00a0/g, ' ');
            return text.includes(opts.code) ? text : null;
        });
        await shot('diagnostics-problems-panel');
        step('close the panel');
        await page.keyboard.press('Control+J');
        await until('the panel to close', async () => (await visibleText('.markers-panel')).trim() === '', { timeout: 10000 }).catch(() => {});

        step(`put the cursor on ${opts.word}`);
        const point = await wordPoint(opts.word);
        await page.mouse.click(point.x, point.y);
        step('wait for the lightbulb');
        result.lightbulb = await until('the lightbulb', () =>
            page.evaluate(() => {
                const bulbs = [...document.querySelectorAll('.editor-instance .lightBulbWidget, .editor-instance .glyph-margin-widgets [class*="codicon-lightbulb"]')]
                    .filter((e) => e.getClientRects().length);
                return bulbs.length ? bulbs.map((b) => `${b.className} ${[...b.querySelectorAll('*')].map((c) => c.className).join(' ')}`).join(' | ') : null;
            }),
        );
        step('Ctrl+. for the Quick Fix menu');
        await page.keyboard.press('Control+.');
        const ROWS = '.action-widget .monaco-list-row';
        const actionRows = () => page.evaluate((sel) => [...document.querySelectorAll(sel)].map((r) => r.innerText.replace(/\u00a0/g, ' ')), ROWS);
        result.actions = await until(`the Quick Fix menu to list ${opts.fixTitle}`, async () => {
            const rows = await actionRows();
            return rows.some((r) => r.includes(opts.fixTitle)) ? rows : null;
        }, { nudge: () => page.keyboard.press('Control+.') });
        await shot('diagnostics-quick-fix-menu', await widgetClip(['.action-widget', '.editor-instance .view-lines .view-line', '.editor-instance .lightBulbWidget']));
        // The menu blocks the mouse while it opens (context-view-pointerBlock): choose with the
        // keys, as from the keyboard: down to the row, then Enter.
        step(`choose ${opts.fixTitle} with the arrow keys and Enter`);
        const focused = () => visibleText(`${ROWS}.focused`);
        for (let i = 0; i <= result.actions.length && !(await focused()).includes(opts.fixTitle); i++) {
            await page.keyboard.press('ArrowDown');
            await sleep(100);
        }
        result.chosen = (await focused()).replace(/\u00a0/g, ' ');
        await page.keyboard.press('Enter');
        result.afterFix = await until(`the editor to show ${opts.expectLine}`, async () => {
            const text = await editorText();
            return text.includes(opts.expectLine) ? text : null;
        });
        step('wait for the squiggle to go');
        await until('no squiggle', async () => (await squiggles()).length === 0);
        await shot('diagnostics-fixed', await widgetClip(['.editor-instance .view-lines .view-line']));
        result.saved = await save(opts.path);
    },

    /**
     * sheetls.diagnostics on (the default), no setting written: hover `hoverWord` until the
     * sheet's entry shows (the server has the document), then the squiggle comes. The setting
     * written false to the folder's settings: the squiggle goes, and after a hover answered
     * since (a round trip behind the change) there is still none; written true: it comes back.
     * The server's process ids before and after (the setting is pushed, not a restart).
     */
    async diagnosticsSetting() {
        const settings = path.join(opts.folder, '.vscode', 'settings.json');
        await openWorkbench(opts.folder);
        await openFile(opts.file);
        result.hover = await hoverWord(opts.hoverWord, opts.hoverExpect);
        await page.mouse.move(5, 5);
        result.pidsBefore = serverPids(opts.folder, opts.serverNeedle);
        step('the squiggle comes with no sheetls.diagnostics setting');
        result.squigglesDefault = await until('a squiggle by default', async () => {
            const found = await squiggles();
            return found.length ? found : null;
        });
        result.wordBox = await wordBox(opts.word);
        await shot('diagnostics-default', await widgetClip(['.editor-instance .view-lines .view-line']));
        step('set sheetls.diagnostics to false');
        fs.mkdirSync(path.dirname(settings), { recursive: true });
        fs.writeFileSync(settings, JSON.stringify({ 'sheetls.diagnostics': false }));
        await until('the squiggle to go once sheetls.diagnostics is false', async () => (await squiggles()).length === 0);
        result.hoverOff = await hoverWord(opts.hoverWord, opts.hoverExpect);
        await page.mouse.move(5, 5);
        result.squigglesOff = await squiggles();
        await shot('diagnostics-off', await widgetClip(['.editor-instance .view-lines .view-line']));
        step('set sheetls.diagnostics to true');
        fs.writeFileSync(settings, JSON.stringify({ 'sheetls.diagnostics': true }));
        result.squigglesOn = await until('the squiggle back once sheetls.diagnostics is true', async () => {
            const found = await squiggles();
            return found.length ? found : null;
        });
        await shot('diagnostics-turned-on', await widgetClip(['.editor-instance .view-lines .view-line']));
        result.pidsAfter = serverPids(opts.folder, opts.serverNeedle);
    },

    /** With sheetls.interpreter pointing nowhere, opening a Python file shows an error with the fix. */
    async missingInterpreter() {
        await openWorkbench(opts.folder);
        await openFile(opts.file);
        result.notification = await waitNotification(opts.badPython);
        await shot('missing-interpreter');
    },
};

async function main() {
    const scenario = scenarios[scenarioName];
    if (!scenario) {
        throw new Error(`unknown scenario ${scenarioName}; known: ${Object.keys(scenarios).join(', ')}`);
    }
    fs.mkdirSync(opts.artifacts, { recursive: true });
    const browser = await chromium.launch({
        executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
        headless: true,
        args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            '--disable-dev-shm-usage',
        ],
    });
    try {
        const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
        page = await context.newPage();
        page.on('pageerror', (err) => process.stderr.write(`[page error] ${err.message}\n`));
        try {
            await scenario();
            result.ok = true;
        } catch (err) {
            result.error = `step "${result.steps[result.steps.length - 1]}": ${err.message}`;
            try {
                await shot(`${scenarioName}-failure`);
                result.editor = await editorText();
            } catch {
                // The page may be gone.
            }
        }
    } finally {
        await browser.close();
    }
}

main()
    .catch((err) => {
        result.error = `driver: ${err.stack || err.message}`;
    })
    .finally(() => {
        process.stdout.write(JSON.stringify(result) + '\n');
        process.exit(result.ok ? 0 : 1);
    });
