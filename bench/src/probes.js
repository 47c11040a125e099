// Roster bench probes, injected at the start of every document the bench
// opens (CDP Page.addScriptToEvaluateOnNewDocument). Times are
// performance.now(): milliseconds since the navigation started.
//
// "work": from the action until the DOM is updated and the main thread is
// free again (a MessageChannel task queued once the change is seen runs
// after every microtask of the update).
// "painted": until the frame showing the change has been rendered (a task
// queued from that frame's requestAnimationFrame callback runs after its
// paint).
(() => {
  const now = () => performance.now();
  const afterTask = () =>
    new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => resolve(now());
      channel.port2.postMessage(0);
    });
  const afterPaint = () =>
    new Promise((resolve) => requestAnimationFrame(() => afterTask().then(resolve)));
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  async function until(condition, what, timeout = 30000) {
    const end = now() + timeout;
    while (!condition()) {
      if (now() > end) throw new Error('timed out waiting for ' + what);
      await sleep(5);
    }
  }
  const visible = (el) => !!(el && (el.offsetWidth || el.offsetHeight || el.getClientRects().length));
  const text = (el) => (el.textContent || '').replace(/\s+/g, ' ').trim();

  // Page load: the first page of the members table (25 rows) on screen,
  // then every member loaded (the table no longer busy: search, sorting
  // and paging work).
  const load = { rowsAt: null, paintedAt: null, completeAt: null };
  const rowsShown = () => document.querySelectorAll('tbody .member-name').length >= 25;
  const complete = () => {
    const table = document.querySelector('.members-table table');
    return !!table && table.getAttribute('aria-busy') !== 'true';
  };
  let completing = false;
  const watch = new MutationObserver(() => {
    if (load.rowsAt === null && rowsShown()) {
      load.rowsAt = now();
      afterPaint().then((t) => { load.paintedAt = t; });
    }
    if (load.rowsAt !== null && !completing && complete()) {
      completing = true;
      watch.disconnect();
      afterPaint().then((t) => { load.completeAt = t; });
    }
  });
  watch.observe(document, {
    childList: true, subtree: true, attributes: true, attributeFilter: ['aria-busy'],
  });

  function resources() {
    return performance.getEntriesByType('resource').map((e) => ({
      name: e.name,
      type: e.initiatorType,
      transfer: e.transferSize,
      encoded: e.encodedBodySize,
      decoded: e.decodedBodySize,
      start: e.startTime,
      end: e.responseEnd,
    }));
  }

  // Runs `act` and times it until `done()` holds (checked on every mutation
  // under `root`). Returns the timings and the mutation records seen.
  function measure(root, act, done) {
    return new Promise((resolve, reject) => {
      const records = [];
      let seen = false;
      let t0 = 0;
      const observer = new MutationObserver((list) => {
        records.push(...list);
        if (seen || !done()) return;
        seen = true;
        const doneAt = now();
        Promise.all([afterTask(), afterPaint()]).then(([settledAt, paintedAt]) =>
          resolve({ t0, doneAt, settledAt, paintedAt, records, observer }));
      });
      observer.observe(root, { childList: true, subtree: true, attributes: true, characterData: true });
      setTimeout(() => { if (!seen) { observer.disconnect(); reject(new Error('no change seen')); } }, 30000);
      t0 = now();
      act();
    });
  }

  // Runs `act` (which updates the page synchronously or in microtasks) and
  // times it until the main thread is free again, whether or not the DOM
  // changed; a mutation seen later still counts.
  function measureSettled(root, act) {
    let last = 0;
    let mutated = 0;
    const observer = new MutationObserver((list) => { mutated += list.length; last = now(); });
    observer.observe(root, { childList: true, subtree: true, attributes: true, characterData: true });
    const t0 = now();
    act();
    return afterTask().then((settledAt) => afterPaint().then((paintedAt) => {
      observer.disconnect();
      return { t0, settledAt: Math.max(settledAt, last), paintedAt, mutated };
    }));
  }

  const timings = (m) => ({ work: m.settledAt - m.t0, painted: m.paintedAt - m.t0 });
  const table = () => document.querySelector('.members-table tbody');
  const searchBox = () => {
    const label = [...document.querySelectorAll('label')].find((l) => text(l) === 'Search members');
    return label && document.getElementById(label.htmlFor);
  };

  // One keystroke in the search box: the value becomes `value`, as typing
  // or deleting one character makes it.
  async function search(value) {
    const input = searchBox();
    if (!input) throw new Error('no "Search members" field');
    const m = await measureSettled(document.querySelector('.members-table'), () => {
      input.value = value;
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    const status = text(document.querySelector('.members-table [role=status]'));
    if (value && !status.includes('matching') && !status.startsWith('No matches')) {
      throw new Error('the search for ' + value + ' did not apply: ' + status);
    }
    return { ...timings(m), rows: table().querySelectorAll('tr').length, mutated: m.mutated };
  }

  // "Export CSV" of every member: from the click until the file is handed
  // to the browser (its <a download> clicked, after the Blob and its URL
  // exist; the download itself is stopped there), and until the frame
  // after it is painted.
  async function exportMembers() {
    const button = document.querySelector('button.export-members');
    if (!button || button.disabled) {
      throw new Error('the export is not ready: ' + (button ? text(button) : 'no button'));
    }
    let savedAt = null;
    let rows = null;
    const intercept = (event) => {
      const link = event.target;
      if (link instanceof HTMLAnchorElement && link.hasAttribute('download')) {
        event.preventDefault();
        savedAt = now();
        rows = Number((text(button).match(/\(([\d,]+) members\)/) || [])[1]?.replace(/,/g, ''));
      }
    };
    addEventListener('click', intercept, true);
    try {
      const start = now();
      button.click();
      await until(() => savedAt !== null, 'the exported file');
      const painted = await afterPaint();
      return { work: savedAt - start, painted: painted - start, rows };
    } finally {
      removeEventListener('click', intercept, true);
    }
  }

  // Changes the role of the first member on the page whose role is `from`
  // to `to`, confirms, and times the click on Confirm until the row shows
  // the new role (and, as `saved`, until the server's answer is applied). Then waits a second and counts the other rows whose DOM
  // changed meanwhile.
  async function changeRole(from, to) {
    const select = [...table().querySelectorAll('select[aria-label^="Role for "]')]
      .find((s) => s.value === from && !s.disabled);
    if (!select) throw new Error('no row with role ' + from + ' to change');
    const row = select.closest('tr');
    const email = select.getAttribute('aria-label').slice('Role for '.length);
    select.value = to;
    select.dispatchEvent(new Event('change', { bubbles: true }));
    let confirm = null;
    await until(() => {
      confirm = [...document.querySelectorAll('[role=dialog] button, [role=alertdialog] button')]
        .find((b) => text(b) === 'Confirm' && visible(b) && !b.disabled);
      return !!confirm;
    }, 'the Confirm button');
    // The row's own nodes, so that a change to one of them that is gone by
    // the time it is looked at (the picker an owner no longer has) still
    // counts as the row's.
    const rowNodes = new WeakSet([row, ...row.querySelectorAll('*')]);
    const inRow = (node) => {
      for (let n = node; n; n = n.parentNode) {
        if (rowNodes.has(n)) return true;
        if (n.nodeName === 'TR' || n.nodeName === 'TBODY') return false;
      }
      return false;
    };
    const shows = () => select.isConnected && select.value === to &&
      !!row.querySelector('.full-access') === (to === 'owner');
    const m = await measure(table(), () => confirm.click(), shows);
    // The row shows the change while it is saved (aria-busy); then the
    // server's answer is applied.
    await until(() => select.getAttribute('aria-busy') === 'false', 'the change to be saved');
    const savedAt = now();
    // Whatever the change sets off after the row is shown (the page brings
    // its member list and the user's capabilities up to date) has a second
    // to reach the DOM; then look at what changed.
    await sleep(1000);
    await afterPaint();
    m.records.push(...m.observer.takeRecords());
    m.observer.disconnect();
    const others = new Map();
    for (const r of m.records) {
      if (inRow(r.target)) continue;
      const node = r.target.nodeType === 1 ? r.target : r.target.parentElement;
      const tr = node && node.closest('tr');
      const what = r.type + (r.attributeName ? ' ' + r.attributeName : '') + ' on ' +
        (node ? node.tagName.toLowerCase() + (node.className ? '.' + String(node.className).split(' ')[0] : '') : '?');
      const key = tr || node;
      if (!others.has(key)) others.set(key, what);
    }
    const response = performance.getEntriesByType('resource').find((e) =>
      e.startTime >= m.t0 - 1 && /\/access$/.test(new URL(e.name).pathname));
    return {
      ...timings(m),
      email,
      otherRows: others.size,
      otherChanges: [...others.values()],
      saved: savedAt - m.t0,
      server: response ? response.responseEnd - response.requestStart : null,
    };
  }

  // Opens the organization switcher and times it until its menu, with every
  // organization, is painted; then closes it. A click without a hover first
  // (this one) loads the items' chunk from the browser's cache (idle time
  // downloaded it): the menu is filled a few tasks later.
  async function openSwitcher(expected) {
    const trigger = document.querySelector('button[aria-haspopup=menu].org-switcher-trigger');
    if (!trigger) throw new Error('no organization switcher');
    const menu = document.getElementById(trigger.getAttribute('aria-controls'));
    const open = () => visible(menu) && menu.querySelectorAll('[role=menuitemradio]').length >= expected;
    if (open()) throw new Error('the switcher is already open');
    const m = await measureSettled(trigger.parentElement, () => trigger.click());
    if (!open()) {
      await until(open, 'the switcher to open with ' + expected + ' organizations', 10000);
      m.settledAt = await afterTask();
      m.paintedAt = await afterPaint();
    }
    trigger.click();
    await until(() => !visible(menu), 'the switcher to close');
    await afterPaint();
    return { ...timings(m), items: menu.querySelectorAll('[role=menuitemradio]').length };
  }

  // Comes back to the window (its focus event) while nothing changed, and
  // times it until the page has read its member list again and the main
  // thread is free; reports what that read received.
  async function refocus() {
    const reads = () => performance.getEntriesByType('resource')
      .filter((e) => /\/organizations\/[^/]+\/users$/.test(new URL(e.name).pathname));
    const before = reads().length;
    const t0 = now();
    window.dispatchEvent(new Event('focus'));
    await until(() => reads().length > before, 'the member list to be read again');
    const settledAt = await afterTask();
    const read = reads()[before];
    return {
      work: settledAt - t0,
      painted: (await afterPaint()) - t0,
      status: read.responseStatus,
      bytes: read.encodedBodySize,
    };
  }

  // The files of the chunk `name`, as index.html lists them.
  const chunkFiles = (name) => {
    const list = document.getElementById('roster-chunks');
    return list ? (JSON.parse(list.textContent).chunks[name] || []).map((f) => f + '.wasm') : [];
  };

  // Clicks the sidebar link `link` and times it until the page's heading
  // `heading` is painted; says how many files of the page's chunk `chunk`
  // came over the network meanwhile (not from the cache the idle-time
  // download filled).
  async function openPage(link, heading, chunk) {
    const anchor = [...document.querySelectorAll('nav a')].find((a) => text(a) === link);
    if (!anchor) throw new Error('no link ' + link);
    const shown = () => [...document.querySelectorAll('h1')]
      .some((h) => text(h) === heading && visible(h));
    const m = await measure(document.body, () => anchor.click(), shown);
    m.observer.disconnect();
    const files = new Set(chunkFiles(chunk));
    const chunks = performance.getEntriesByType('resource')
      .filter((e) => files.has(new URL(e.name).pathname.split('/').pop())
        && e.startTime >= m.t0 - 1 && e.transferSize > 0);
    return { ...timings(m), downloaded: chunks.length };
  }

  // Whether a file whose path ends with `suffix` has been received.
  const received = (suffix) => performance.getEntriesByType('resource')
    .some((e) => new URL(e.name).pathname.endsWith(suffix) && e.responseEnd > 0);

  // Whether every file of the chunk `name` (as index.html lists them) has
  // been received: what idle time downloads ahead of a click.
  const chunkReceived = (name) => {
    const files = chunkFiles(name);
    return files.length > 0 && files.every((file) => received('/' + file));
  };

  // The app's wasm memory, for the heap figure (CDP's Runtime.queryObjects
  // on WebAssembly.Memory crashes the tab once chunks share the memory).
  addEventListener('TrunkApplicationStarted', (event) => {
    window.__benchWasmMemory = event.detail && event.detail.wasm && event.detail.wasm.memory;
  });
  const wasmMemory = () => (window.__benchWasmMemory ? window.__benchWasmMemory.buffer.byteLength : 0);

  // The button in `scope` whose text is `label`, visible and enabled.
  const buttonIn = (scope, label) => [...scope.querySelectorAll('button')]
    .find((b) => text(b) === label && visible(b) && !b.disabled);

  // Searches `query`, picks the page's rows, then every matching member:
  // times the click on "Select all N matching" until the selection bar
  // counts them all (and until that is painted).
  async function selectAllMatching(query) {
    await search(query);
    const page = document.querySelector('input[aria-label="Select all members on this page"]');
    if (!page) throw new Error('no "Select all members on this page" (not an owner?)');
    if (!page.checked) page.click();
    let all = null;
    await until(() => (all = document.querySelector('.select-all-matching')), 'Select all N matching');
    const label = text(all).match(/^Select all ([\d,]+) matching$/);
    if (!label) throw new Error('unexpected button: ' + text(all));
    const rows = Number(label[1].replace(/,/g, ''));
    const count = () => text(document.querySelector('.selection-bar .selection-count') || document.body);
    const t0 = now();
    all.click();
    await until(() => count() === label[1] + ' selected', label[1] + ' selected');
    const work = now() - t0;
    const painted = (await afterPaint()) - t0;
    return { work, painted, rows };
  }

  // With members picked: makes them `to` ('owner' or 'member') through the
  // selection bar and its confirmation. Times the click on the
  // confirmation until the outcome is shown and every picked row on the
  // page shows the new role (and until that is painted); `server` is the
  // bulk request's time on the server, as the browser saw it.
  async function bulkRole(to) {
    const bar = document.querySelector('.selection-bar');
    if (!bar) throw new Error('nobody is picked');
    const picked = [...table().querySelectorAll('tr.selected select[aria-label^="Role for "]')];
    const trigger = buttonIn(bar, 'Change role');
    if (!trigger) throw new Error('no "Change role" in the selection bar');
    trigger.click();
    let item = null;
    await until(() => (item = [...document.querySelectorAll('[role=menuitem]')]
      .find((i) => text(i) === 'Make ' + to && visible(i))), 'Make ' + to);
    item.click();
    let confirm = null;
    await until(() => (confirm = document.querySelector('.bulk-dialog button[data-confirm]:not([disabled])')),
      'the bulk confirmation');
    const t0 = now();
    confirm.click();
    const outcome = () => document.querySelector('.bulk-dialog .bulk-outcome');
    await until(outcome, 'the bulk outcome', 120000);
    await until(() => picked.every((s) => !s.isConnected || s.value === to), 'the rows to show ' + to);
    const work = now() - t0;
    const painted = (await afterPaint()) - t0;
    const summary = text(outcome());
    const response = performance.getEntriesByType('resource').find((e) =>
      e.startTime >= t0 - 1 && /\/users\/bulk$/.test(new URL(e.name).pathname));
    const close = buttonIn(document.querySelector('.bulk-dialog'), 'Close');
    if (close) close.click();
    return { work, painted, rows: picked.length, summary,
      server: response ? response.responseEnd - response.requestStart : null };
  }

  window.__bench = {
    load, resources, search, exportMembers, selectAllMatching, bulkRole, changeRole, openSwitcher, refocus, afterPaint,
    openPage, received, chunkReceived, wasmMemory,
  };
})();
