// Drive the exported sheet page (sheetls export --format html) from file:// in Debian's
// Chromium with playwright-core, as a reader would: switch views, press the copy buttons and
// the keys, download, search, print, and run axe-core in it. It observes; the Python test
// (tests/page/test_page.py) compares what it saw with the snippet source and sheetls.
//
//   node drive_page.js JSON-OPTIONS
//
// Options: page (path of the exported page), artifacts (folder for PDFs and screenshots),
// axe (path of axe.min.js), words (search words to try), stem (file stem for screenshots).
// Environment: PLAYWRIGHT_CORE (path of the playwright-core package), CHROMIUM (executable).
// Prints one JSON line {"ok": bool, "steps": [...], "error": str, ...observations}; exits 1
// when a step failed (a screenshot of that moment is saved in the artifacts folder).
'use strict';

const fs = require('fs');
const path = require('path');
const { chromium } = require(process.env.PLAYWRIGHT_CORE || 'playwright-core');

const opts = JSON.parse(process.argv[2] || '{}');
const VIEWS = ['standard', 'detailed', 'compact'];
const NAMES = { standard: 'Standard', detailed: 'Detailed', compact: 'Compact' };
const result = { ok: false, steps: [] };
let page;

function step(name) {
    result.steps.push(name);
    process.stderr.write(`[drive page] ${name}\n`);
}

async function clipboard() {
    return page.evaluate(() => navigator.clipboard.readText());
}

/** The clipboard once it no longer holds `before` (a copy is a promise), or `before` after 5 s. */
async function clipboardAfter(before) {
    let text = await clipboard();
    for (let i = 0; i < 100 && text === before; i++) {
        await page.waitForTimeout(50);
        text = await clipboard();
    }
    return text;
}

async function setClipboard(text) {
    await page.evaluate((t) => navigator.clipboard.writeText(t), text);
}

async function bodyClass() {
    return page.evaluate(() => document.body.className);
}

async function chooseView(view) {
    await page.getByRole('button', { name: NAMES[view], exact: true }).click();
    await page.waitForFunction((v) => document.body.classList.contains(`view-${v}`), view);
}

/** What shows of each entry and section: innerText leaves out what CSS hides. */
async function shown() {
    return page.evaluate(() => ({
        entries: [...document.querySelectorAll('article.entry')].map((a) => ({
            anchor: a.id,
            text: a.innerText,
            example: a.querySelector('pre.example').innerText,
            visible: a.getClientRects().length > 0,
        })),
        sections: [...document.querySelectorAll('section.group')].map((s) => s.innerText),
        main: document.querySelector('main').innerText,
    }));
}

async function rects() {
    return page.evaluate(() =>
        [...document.querySelectorAll('article.entry')].map((a) => {
            const r = a.getBoundingClientRect();
            return { x: Math.round(r.x), y: Math.round(r.y + window.scrollY), w: Math.round(r.width), h: Math.round(r.height) };
        }),
    );
}

async function readDownload(click) {
    const [download] = await Promise.all([page.waitForEvent('download'), click()]);
    const file = await download.path();
    return { name: download.suggestedFilename(), base64: fs.readFileSync(file).toString('base64') };
}

async function main() {
    fs.mkdirSync(opts.artifacts, { recursive: true });
    const url = 'file://' + path.resolve(opts.page);
    const browser = await chromium.launch({
        executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
            '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
    });
    const requests = [];
    try {
        const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
        await context.grantPermissions(['clipboard-read', 'clipboard-write']);
        page = await context.newPage();
        page.on('request', (r) => requests.push(r.url()));
        const errors = [];
        page.on('pageerror', (e) => errors.push(String(e)));
        page.on('console', (m) => { if (m.type() === 'error') { errors.push(m.text()); } });

        step('open the page from file://');
        await page.goto(url);
        result.initialClass = await bodyClass();
        result.secure = await page.evaluate(() => window.isSecureContext);

        step('each view');
        result.views = {};
        for (const view of VIEWS) {
            await chooseView(view);
            result.views[view] = await shown();
            result.views[view].pressed = await page.evaluate(() =>
                [...document.querySelectorAll('button[data-view]')].map((b) => [b.textContent, b.getAttribute('aria-pressed')]));
        }

        step('the view is remembered across a reload');
        await chooseView('compact');
        await page.reload();
        result.afterReload = await bodyClass();
        step('#view=detailed opens the detailed view');
        await page.goto(url + '#view=detailed');
        await page.reload();
        result.fromHash = await bodyClass();
        await page.goto(url + '#view=standard');
        result.fromHashChange = await bodyClass();
        await page.goto(url + '#open-tcp-connection');
        await page.reload();
        result.anchorKeepsView = await bodyClass();
        result.anchorTarget = await page.evaluate(() => document.querySelector(':target')?.id || null);
        await chooseView('standard');

        step('each copy button');
        result.copies = [];
        for (const button of await page.locator('button[data-copy]').all()) {
            await setClipboard('(nothing copied)');
            const label = await button.getAttribute('aria-label');
            const anchor = await button.evaluate((b) => b.closest('article').id);
            await page.evaluate(() => { document.getElementById('status').textContent = ''; });
            await button.click();
            await page.waitForFunction(() => document.getElementById('status').textContent !== '');
            const text = await clipboardAfter('(nothing copied)');
            result.copies.push({
                anchor, kind: await button.getAttribute('data-copy'), label, text,
                feedback: await button.textContent(),
                status: await page.locator('#status').textContent(),
            });
        }
        step('keyboard: Tab reaches a copy button, Enter copies');
        await setClipboard('(nothing copied)');
        await page.locator('#search').focus();
        let focused = '';
        for (let i = 0; i < 40 && !focused.startsWith('Copy example'); i++) {
            await page.keyboard.press('Tab');
            focused = await page.evaluate(() => document.activeElement.getAttribute('aria-label') || document.activeElement.textContent);
        }
        result.tabbedTo = focused;
        result.focusOutline = await page.evaluate(() => {
            const s = getComputedStyle(document.activeElement);
            return { style: s.outlineStyle, width: s.outlineWidth };
        });
        await page.keyboard.press('Enter');
        result.enterCopied = await clipboardAfter('(nothing copied)');

        step('C copies the sheet in each view');
        result.copyAll = {};
        for (const view of VIEWS) {
            await chooseView(view);
            await setClipboard('(nothing copied)');
            await page.locator('h1').click();
            await page.keyboard.press('c');
            result.copyAll[view] = await clipboardAfter('(nothing copied)');
        }
        await chooseView('standard');

        step('keys do nothing in the search field');
        await setClipboard('(nothing copied)');
        await page.locator('#search').focus();
        await page.keyboard.press('c');
        await page.keyboard.press('d');
        await page.waitForTimeout(200);
        result.inSearch = { clipboard: await clipboard(), value: await page.locator('#search').inputValue(), bodyClass: await bodyClass() };
        await page.locator('#search').fill('');
        await page.locator('h1').click();

        step('D toggles the dense layout');
        result.dense = {};
        for (const view of ['standard', 'compact']) {
            await chooseView(view);
            const before = await rects();
            await page.keyboard.press('d');
            const dense = await bodyClass();
            const after = await rects();
            await page.keyboard.press('D');
            result.dense[view] = { before, after, dense, back: await bodyClass(), restored: await rects() };
        }
        await chooseView('standard');

        step('? lists the keys');
        await page.keyboard.press('?');
        result.keysDialog = { open: await page.locator('#keys').evaluate((d) => d.open), text: await page.locator('#keys').innerText() };
        await page.keyboard.press('Escape');
        result.keysDialog.closed = !(await page.locator('#keys').evaluate((d) => d.open));

        step('downloads');
        result.downloads = { markdown: {}, py: [] };
        for (const view of VIEWS) {
            await chooseView(view);
            result.downloads.markdown[view] = await readDownload(() => page.getByRole('button', { name: 'Download Markdown' }).click());
        }
        result.downloads.vscode = await readDownload(() => page.getByRole('button', { name: 'Download VS Code snippets' }).click());
        for (const button of await page.locator('button[data-download="py"]').all()) {
            const anchor = await button.evaluate((b) => b.closest('article').id);
            result.downloads.py.push({ anchor, ...(await readDownload(() => button.click())) });
        }
        await chooseView('standard');

        step('search');
        result.search = {};
        for (const word of opts.words) {
            await page.locator('#search').fill(word);
            result.search[word] = await page.evaluate(() => ({
                shown: [...document.querySelectorAll('article.entry')].filter((a) => a.getClientRects().length).map((a) => a.id),
                noMatch: !document.getElementById('no-match').hidden,
            }));
        }
        await page.locator('#search').fill('');

        step('print each view to PDF');
        result.pdfs = {};
        await page.emulateMedia({ media: 'print' });
        for (const view of VIEWS) {
            await page.evaluate((v) => { for (const x of ['standard', 'detailed', 'compact']) { document.body.classList.toggle(`view-${x}`, x === v); } }, view);
            const file = path.join(opts.artifacts, `${opts.stem}.${view}.pdf`);
            await page.pdf({ path: file, format: 'A4', printBackground: false });
            result.pdfs[view] = file;
        }
        await page.emulateMedia({ media: 'screen' });
        await chooseView('standard');

        step('axe-core in each view, light and dark, and at 320 px');
        result.axe = [];
        await page.addScriptTag({ path: opts.axe });
        const runAxe = async (label) => {
            const found = await page.evaluate(async () => {
                const r = await window.axe.run(document, { resultTypes: ['violations'] });
                return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
            });
            result.axe.push({ label, violations: found });
        };
        for (const scheme of ['light', 'dark']) {
            await page.emulateMedia({ colorScheme: scheme });
            for (const view of VIEWS) {
                await chooseView(view);
                await runAxe(`${view} ${scheme}`);
            }
        }
        await page.emulateMedia({ colorScheme: 'light' });
        await page.keyboard.press('d');
        await runAxe('dense standard light');
        await page.keyboard.press('d');

        step('320 px wide');
        result.narrow = {};
        await page.setViewportSize({ width: 320, height: 700 });
        for (const view of VIEWS) {
            await chooseView(view);
            await runAxe(`${view} 320px`);
            result.narrow[view] = await page.evaluate(() => ({
                scrollWidth: document.documentElement.scrollWidth,
                widest: Math.max(...[...document.querySelectorAll('button, input, h1, h2, h3, p, pre')]
                    .filter((e) => e.getClientRects().length)
                    .map((e) => e.getBoundingClientRect().right)),
            }));
        }

        step('screenshots, light and dark');
        result.screenshots = [];
        await page.setViewportSize({ width: 900, height: 640 });
        await page.goto(url);  // no entry targeted
        for (const scheme of ['light', 'dark']) {
            await page.emulateMedia({ colorScheme: scheme });
            for (const view of VIEWS) {
                await chooseView(view);
                await page.waitForTimeout(100);  // the status line's announcement
                await page.evaluate(() => { window.scrollTo(0, 0); document.getElementById('status').textContent = ''; });
                const file = path.join(opts.artifacts, `${opts.stem}.${view}${scheme === 'dark' ? '.dark' : ''}.png`);
                await page.screenshot({ path: file });
                result.screenshots.push(file);
            }
        }
        result.background = {};
        for (const scheme of ['light', 'dark']) {
            await page.emulateMedia({ colorScheme: scheme });
            result.background[scheme] = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
        }

        result.errors = errors;
        result.requests = requests;
        result.ok = true;
    } catch (err) {
        result.error = `${result.steps[result.steps.length - 1]}: ${err && err.stack ? err.stack : err}`;
        if (page) {
            const file = path.join(opts.artifacts, 'failure.png');
            await page.screenshot({ path: file, fullPage: true }).catch(() => {});
            result.failureScreenshot = file;
        }
    } finally {
        await browser.close();
    }
    process.stdout.write(JSON.stringify(result) + '\n');
    process.exitCode = result.ok ? 0 : 1;
}

main();
