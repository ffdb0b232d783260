// The sheet page (sheetls.renderPage, the page `sheetls export --format html` writes) made fit
// for a VS Code webview: a strict Content-Security-Policy (nothing remote, nothing loaded at all:
// the page's own inline style and script run by a nonce), and a small host script that adds an
// "Insert at cursor" button to each entry and routes what a webview cannot do itself (the
// clipboard, downloads) through the extension. The page itself is not changed otherwise.

/** A fresh nonce for one rendering of the page. */
export function makeNonce(): string {
    const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    let out = '';
    for (let i = 0; i < 32; i++) {
        out += chars.charAt(Math.floor(Math.random() * chars.length));
    }
    return out;
}

/** No remote or local content at all: only the page's inline style and scripts (by nonce), data: images. */
export function contentSecurityPolicy(nonce: string): string {
    return [
        "default-src 'none'",
        `style-src 'nonce-${nonce}'`,
        `script-src 'nonce-${nonce}'`,
        'img-src data:',
        "base-uri 'none'",
    ].join('; ');
}

// Runs in the webview before the page's script (acquireVsCodeApi is the webview's bridge).
const HOST_SCRIPT = `(function () {
  'use strict';
  var host = acquireVsCodeApi();
  var waiting = {};
  var next = 0;
  function ask(message) {
    return new Promise(function (resolve, reject) {
      next += 1;
      message.id = next;
      waiting[next] = { resolve: resolve, reject: reject };
      host.postMessage(message);
    });
  }
  function say(text) {
    var status = document.getElementById('status');
    if (status) { status.textContent = ''; window.setTimeout(function () { status.textContent = text; }, 30); }
  }
  function reveal(anchor) {
    var el = anchor && document.getElementById(anchor);
    if (!el) { return; }
    if (el.hidden) {
      var search = document.getElementById('search');
      if (search) { search.value = ''; search.dispatchEvent(new Event('input')); }
    }
    document.querySelectorAll('.sheetls-target').forEach(function (t) { t.classList.remove('sheetls-target'); });
    el.classList.add('sheetls-target');
    el.scrollIntoView({ block: 'start' });
    var link = el.querySelector('a.self');
    if (link) { link.focus({ preventScroll: true }); }
  }
  function setView(view) {
    var button = document.querySelector('button[data-view="' + view + '"]');
    if (button) { button.click(); }
  }
  window.addEventListener('message', function (event) {
    var m = event.data || {};
    if (m.type === 'reply' && waiting[m.id]) {
      var w = waiting[m.id];
      delete waiting[m.id];
      if (m.ok) { w.resolve(m.value); } else { w.reject(new Error(m.error)); }
    } else if (m.type === 'reveal') {
      reveal(m.anchor);
    } else if (m.type === 'view') {
      setView(m.view);
    }
  });
  // The clipboard: VS Code's, through the extension (the page copies with navigator.clipboard).
  try {
    Object.defineProperty(navigator, 'clipboard', {
      configurable: true,
      value: { writeText: function (text) { return ask({ type: 'copy', text: String(text) }); } },
    });
  } catch (e) { /* the page's own fallback copies */ }
  // Downloads: a webview has none; the extension asks where to save the same bytes.
  var blobs = {};
  var createURL = URL.createObjectURL.bind(URL);
  URL.createObjectURL = function (blob) { var url = createURL(blob); blobs[url] = blob; return url; };
  var anchorClick = HTMLAnchorElement.prototype.click;
  HTMLAnchorElement.prototype.click = function () {
    var blob = blobs[this.href];
    if (this.hasAttribute('download') && blob) {
      var file = this.getAttribute('download');
      blob.text().then(function (text) { return ask({ type: 'save', file: file, text: text }); })
        .catch(function (err) { say('Could not save ' + file + ': ' + err.message); });
      return;
    }
    return anchorClick.call(this);
  };
  function addInsertButtons() {
    document.querySelectorAll('article.entry').forEach(function (article) {
      var actions = article.querySelector('.actions');
      if (!actions || actions.querySelector('[data-sheetls-insert]')) { return; }
      var heading = article.querySelector('h3');
      var name = heading ? heading.textContent.trim() : article.id;
      var button = document.createElement('button');
      button.type = 'button';
      button.textContent = 'Insert at cursor';
      button.setAttribute('data-sheetls-insert', article.id);
      button.setAttribute('aria-label', 'Insert at cursor: ' + name);
      button.title = 'Insert this entry at the cursor of the Python editor, in the form that fits there';
      button.addEventListener('click', function () {
        button.disabled = true;
        ask({ type: 'insert', anchor: article.id }).then(function (what) {
          say('Inserted ' + name + (what ? ' (' + what + ')' : '') + '.');
          button.textContent = 'Inserted';
        }, function (err) {
          say('Could not insert ' + name + ': ' + err.message);
          button.textContent = 'Not inserted';
        }).then(function () {
          button.disabled = false;
          window.setTimeout(function () { button.textContent = 'Insert at cursor'; }, 2000);
        });
      });
      actions.insertBefore(button, actions.firstChild);
    });
    host.postMessage({ type: 'ready' });
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', addInsertButtons);
  } else {
    addInsertButtons();
  }
}());`;

// VS Code's default webview style shades every <code>; the page styles its own code blocks.
// A webview cannot print (window.print does nothing there): its Print button is hidden.
const HOST_STYLE = `pre code { background-color: transparent; color: inherit; padding: 0; border-radius: 0; }
.sheetls-target { outline: 2px solid var(--vscode-focusBorder, #0b61d8); outline-offset: 4px; }
#print { display: none; }
@media print { [data-sheetls-insert] { display: none !important; } }`;

/**
 * The server's page (rendered with `nonce` on its inline style and script; the JSON data block
 * needs none: it is not run) with the policy in its head, and the host script and style.
 * Throws when the page does not have the shape it is known to have.
 */
export function webviewHtml(page: string, nonce: string): string {
    if (!/<head>/i.test(page) || !/<\/head>/i.test(page)) {
        throw new Error('the page from sheetls.renderPage has no <head>');
    }
    if (!page.includes(`<script nonce="${nonce}">`)) {
        throw new Error('the page from sheetls.renderPage does not carry the nonce (an older server?)');
    }
    const meta = `<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(nonce)}">`;
    const html = page.replace(/<head>/i, `<head>\n${meta}`);
    return html.replace(
        /<\/head>/i,
        `<style nonce="${nonce}">\n${HOST_STYLE}\n</style>\n<script nonce="${nonce}">\n${HOST_SCRIPT}\n</script>\n</head>`,
    );
}
