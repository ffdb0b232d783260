// The sheet page's script (sheetls page/assets/page.js): views, copy, keys, downloads, search.
// It adds no content: the texts it copies and downloads come from #sheet-data, written by
// `sheetls export` (the downloads are byte-equal to that command's output).
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('sheet-data').textContent);
  var body = document.body;
  var status = document.getElementById('status');
  var STORE = 'sheetls.page.view';
  var DENSE = 'sheetls.page.dense';
  var articles = Array.prototype.slice.call(document.querySelectorAll('article.entry'));

  function store(key, value) {
    try { window.localStorage.setItem(key, value); } catch (e) { /* storage off: not remembered */ }
  }
  function stored(key) {
    try { return window.localStorage.getItem(key); } catch (e) { return null; }
  }
  function say(text) {
    status.textContent = '';
    window.setTimeout(function () { status.textContent = text; }, 30);
  }

  // --- views -------------------------------------------------------------------------------
  function currentView() {
    for (var i = 0; i < data.views.length; i++) {
      if (body.classList.contains('view-' + data.views[i])) { return data.views[i]; }
    }
    return data.defaultView;
  }
  function hashView() {
    var m = /(?:^#|&)view=([a-z]+)/.exec(window.location.hash);
    return m && data.views.indexOf(m[1]) >= 0 ? m[1] : null;
  }
  function setView(view, remember) {
    data.views.forEach(function (v) { body.classList.toggle('view-' + v, v === view); });
    document.querySelectorAll('button[data-view]').forEach(function (b) {
      b.setAttribute('aria-pressed', b.getAttribute('data-view') === view ? 'true' : 'false');
    });
    if (remember) {
      store(STORE, view);
      if (hashView() && hashView() !== view) { history.replaceState(null, '', '#view=' + view); }
    }
  }
  document.querySelectorAll('button[data-view]').forEach(function (b) {
    b.addEventListener('click', function () {
      setView(b.getAttribute('data-view'), true);
      say(b.textContent + ' view');
    });
  });
  function viewFromPlace() {
    var fromHash = hashView();
    if (fromHash) { setView(fromHash, true); return; }
    var remembered = stored(STORE);
    setView(data.views.indexOf(remembered) >= 0 ? remembered : data.defaultView, false);
  }
  window.addEventListener('hashchange', function () { if (hashView()) { setView(hashView(), true); } });
  viewFromPlace();

  // --- dense layout ------------------------------------------------------------------------
  var denseButton = document.getElementById('dense');
  function setDense(on) {
    body.classList.toggle('dense', on);
    denseButton.setAttribute('aria-pressed', on ? 'true' : 'false');
    store(DENSE, on ? '1' : '0');
  }
  denseButton.addEventListener('click', function () { setDense(!body.classList.contains('dense')); });
  if (stored(DENSE) === '1') { setDense(true); }

  // --- copy --------------------------------------------------------------------------------
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return legacyCopy(text); });
    }
    return legacyCopy(text);
  }
  function legacyCopy(text) {
    return new Promise(function (resolve, reject) {
      var area = document.createElement('textarea');
      area.value = text;
      area.setAttribute('readonly', '');
      area.style.position = 'fixed';
      area.style.opacity = '0';
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
      document.body.removeChild(area);
      if (ok) { resolve(); } else { reject(new Error('copy refused')); }
    });
  }
  function feedback(button, label, message) {
    return function (failed) {
      if (button) {
        var before = button.getAttribute('data-label') || button.textContent;
        button.setAttribute('data-label', before);
        button.textContent = failed ? 'Copy failed' : label;
        button.classList.toggle('done', !failed);
        window.clearTimeout(button.doneTimer);
        button.doneTimer = window.setTimeout(function () {
          button.textContent = before;
          button.classList.remove('done');
        }, 2000);
      }
      say(failed ? 'Could not copy: the browser refused the clipboard.' : message);
    };
  }
  function copyWithFeedback(text, button, message) {
    var done = feedback(button, 'Copied', message);
    copyText(text).then(function () { done(false); }, function () { done(true); });
  }
  function entryOf(el) {
    var article = el.closest('article.entry');
    return data.entries[Number(article.getAttribute('data-entry'))];
  }
  document.querySelectorAll('button[data-copy]').forEach(function (b) {
    b.addEventListener('click', function () {
      var entry = entryOf(b);
      var kind = b.getAttribute('data-copy');
      var text = kind === 'core' ? entry.core : entry.example;
      copyWithFeedback(text, b, 'Copied the ' + (kind === 'core' ? 'core lines' : 'example') + ' of ' + entry.title + '.');
    });
  });
  function copySheet(button) {
    var view = currentView();
    copyWithFeedback(data.plain[view], button, 'Copied the sheet (' + view + ' view) as plain text.');
  }
  var copySheetButton = document.getElementById('copy-sheet');
  copySheetButton.addEventListener('click', function () { copySheet(copySheetButton); });

  // --- downloads ---------------------------------------------------------------------------
  function download(file, text, type) {
    var url = URL.createObjectURL(new Blob([text], { type: type }));
    var a = document.createElement('a');
    a.href = url;
    a.download = file;
    document.body.appendChild(a);
    a.click();
    document.body.removeChild(a);
    window.setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
    say('Downloaded ' + file + '.');
  }
  document.querySelectorAll('button[data-download]').forEach(function (b) {
    b.addEventListener('click', function () {
      var kind = b.getAttribute('data-download');
      if (kind === 'markdown') {
        var md = data.downloads.markdown[currentView()];
        download(md.file, md.text, 'text/markdown;charset=utf-8');
      } else if (kind === 'vscode') {
        download(data.downloads.vscode.file, data.downloads.vscode.text, 'application/json;charset=utf-8');
      } else {
        var entry = entryOf(b);
        download(entry.file, entry.example, 'text/x-python;charset=utf-8');
      }
    });
  });
  document.getElementById('print').addEventListener('click', function () { window.print(); });

  // --- search (completion's matching: a key starts with the word, in either case) ----------
  var search = document.getElementById('search');
  var noMatch = document.getElementById('no-match');
  function matches(entry, word) {
    if (!word) { return true; }
    for (var i = 0; i < entry.keys.length; i++) {
      if (entry.keys[i].lastIndexOf(word, 0) === 0) { return true; }
    }
    return false;
  }
  function filter() {
    var word = search.value.trim().toLowerCase();
    var shown = 0;
    articles.forEach(function (article) {
      var hit = matches(data.entries[Number(article.getAttribute('data-entry'))], word);
      article.hidden = !hit;
      if (hit) { shown += 1; }
    });
    document.querySelectorAll('section.group').forEach(function (section) {
      section.hidden = !section.querySelector('article.entry:not([hidden])');
    });
    noMatch.hidden = shown > 0;
    if (word) { say(shown + (shown === 1 ? ' entry matches.' : ' entries match.')); }
  }
  search.addEventListener('input', filter);

  // --- keys --------------------------------------------------------------------------------
  var keys = document.getElementById('keys');
  document.getElementById('show-keys').addEventListener('click', function () { keys.showModal(); });
  function typing(el) {
    if (!el) { return false; }
    var tag = el.tagName;
    if (tag === 'TEXTAREA' || tag === 'SELECT' || el.isContentEditable) { return true; }
    if (tag !== 'INPUT') { return false; }
    return ['button', 'checkbox', 'radio', 'submit', 'reset', 'range', 'color', 'file', 'image']
      .indexOf((el.type || 'text').toLowerCase()) < 0;
  }
  document.addEventListener('keydown', function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented || typing(document.activeElement)) {
      return;
    }
    if (keys.open) { return; }
    if (event.key === 'c' || event.key === 'C') {
      event.preventDefault();
      copySheet(copySheetButton);
    } else if (event.key === 'd' || event.key === 'D') {
      event.preventDefault();
      setDense(!body.classList.contains('dense'));
      say(body.classList.contains('dense') ? 'Dense layout on.' : 'Dense layout off.');
    } else if (event.key === '?') {
      event.preventDefault();
      keys.showModal();
    }
  });
}());
