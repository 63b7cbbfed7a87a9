'use strict';
// The session list and player. State for people and tests alike is in window.reflowViewer.
(function () {
  const view = window.reflowViewer = {
    status: 'starting', error: null, team: null, sessions: [], session: null, events: null, console: null,
    player: null, finished: false,
  };
  const $ = (id) => document.getElementById(id);
  let apiKey = null;
  let order = '-start_time';
  let refreshTimer = null;
  let consoleTimer = null;
  // console lines reach log_entries on their own topic, so for a session that just ended they can trail its blocks
  const FRESH_SESSION_MS = 120000;

  function setStatus(text) { $('status').textContent = text; }
  function fail(e) { view.error = String(e && e.message || e); view.status = 'error'; setStatus('error: ' + view.error); }

  async function api(path) {
    const response = await fetch(path, { headers: { Authorization: 'Bearer ' + apiKey } });
    if (!response.ok) {
      const body = await response.json().catch(() => ({ detail: response.statusText }));
      const error = new Error(response.status + ': ' + body.detail);
      error.status = response.status;
      throw error;
    }
    return response.json();
  }

  function duration(ms) {
    const s = Math.round(ms / 1000);
    return s < 60 ? s + ' s' : Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
  }
  function bytes(n) { return n < 1024 ? n + ' B' : n < 1048576 ? (n / 1024).toFixed(1) + ' KB' : (n / 1048576).toFixed(1) + ' MB'; }
  function cell(row, text, className) {
    const td = row.insertCell();
    td.textContent = text;
    if (className) td.className = className;
    return td;
  }

  // --- the list --------------------------------------------------------------------------------------
  async function showList() {
    $('player-view').hidden = true;
    $('list-view').hidden = false;
    destroyPlayer();
    await loadList();
    clearInterval(refreshTimer);
    refreshTimer = setInterval(() => loadList().catch(fail), 3000);
  }

  async function loadList() {
    const data = await api(`/api/projects/${view.team}/sessions?order=${encodeURIComponent(order)}&limit=200`);
    view.sessions = data.results;
    const mine = localStorage.getItem('reflow.demoSession');
    const body = $('sessions').tBodies[0];
    body.replaceChildren();
    for (const s of data.results) {
      const row = body.insertRow();
      row.dataset.sessionId = s.session_id;
      row.dataset.consoleErrors = s.console_error_count;
      row.dataset.keypresses = s.keypress_count;
      if (s.session_id === mine) row.classList.add('mine');
      cell(row, new Date(s.start_time).toLocaleString()).title = s.session_id;
      cell(row, duration(s.duration_ms));
      cell(row, s.first_url || '', 'url').title = s.first_url || '';
      cell(row, s.click_count);
      cell(row, s.keypress_count);
      cell(row, s.console_error_count, 'errors' + (s.console_error_count > 0 ? ' some' : ''));
      cell(row, bytes(s.size));
      row.addEventListener('click', () => { location.hash = '#/session/' + encodeURIComponent(s.session_id); });
    }
    $('empty').hidden = data.results.length > 0;
    for (const th of document.querySelectorAll('th[data-order]')) {
      th.classList.toggle('sorted-asc', order === th.dataset.order);
      th.classList.toggle('sorted-desc', order === '-' + th.dataset.order);
    }
    view.status = 'list';
    setStatus(`${data.results.length} session(s), refreshed ${new Date().toLocaleTimeString()}`);
  }

  // --- the player ------------------------------------------------------------------------------------
  function destroyPlayer() {
    clearInterval(consoleTimer);
    if (view.player) {
      try { view.player.pause(); } catch (e) { /* already gone */ }
      if (view.player.$destroy) view.player.$destroy();
    }
    view.player = null;
    view.finished = false;
    $('player').replaceChildren();
    $('console').replaceChildren();
  }

  async function showSession(id) {
    clearInterval(refreshTimer);
    $('list-view').hidden = true;
    $('player-view').hidden = false;
    destroyPlayer();
    view.status = 'loading';
    view.session = id;
    $('session-title').textContent = 'session ' + id;
    setStatus('loading ' + id + '…');
    const base = `/api/projects/${view.team}/sessions/${encodeURIComponent(id)}`;
    const [events, consoleLogs] = await Promise.all([api(base + '/snapshots'), api(base + '/console')]);
    if (view.session !== id) return;
    view.events = events;
    view.console = consoleLogs.results;
    if (events.length < 2) throw new Error('the recording has ' + events.length + ' event(s): nothing to play');
    const Player = window.rrwebPlayer.Player || window.rrwebPlayer.default || window.rrwebPlayer;
    const width = Math.min(1000, Math.max(480, window.innerWidth - 420));
    view.player = new Player({
      target: $('player'),
      props: {
        events, width, height: Math.round(width * 0.6), autoPlay: false, skipInactive: true,
        speedOption: [1, 2, 4, 8, 16], showController: true, mouseTail: false,
      },
    });
    const start = events[0].timestamp;
    renderConsole(consoleLogs.results, start);
    if (Date.now() - events[events.length - 1].timestamp < FRESH_SESSION_MS) {
      consoleTimer = setInterval(() => refreshConsole(base, id, start).catch(() => { /* next time */ }), 3000);
    }
    view.player.addEventListener('ui-update-current-time', (e) => markConsole(start + (e.payload ?? 0)));
    view.player.addEventListener('finish', () => { view.finished = true; setStatus('played to the end'); });
    view.status = 'ready';
    setStatus(`${events.length} events, ${consoleLogs.results.length} console line(s)`);
  }

  async function refreshConsole(base, id, start) {
    const latest = (await api(base + '/console')).results;
    if (view.session !== id || latest.length === view.console.length) return;
    view.console = latest;
    $('console').replaceChildren();
    renderConsole(latest, start);
    let now = 0;
    try { now = view.player.getReplayer().getCurrentTime(); } catch (e) { /* not started yet */ }
    markConsole(start + now);
  }

  function renderConsole(entries, start) {
    const list = $('console');
    if (entries.length === 0) {
      const li = document.createElement('li');
      li.className = 'none';
      li.textContent = 'no console output recorded';
      list.append(li);
      return;
    }
    for (const entry of entries) {
      const li = document.createElement('li');
      li.className = entry.level;
      li.dataset.timestamp = entry.timestamp;
      const time = document.createElement('time');
      time.textContent = duration(Math.max(0, entry.timestamp - start));
      li.append(time, document.createTextNode(entry.message));
      li.addEventListener('click', () => view.player && view.player.goto(Math.max(0, entry.timestamp - start), false));
      list.append(li);
    }
  }

  function markConsole(now) {
    for (const li of $('console').children) {
      if (li.dataset.timestamp) li.classList.toggle('past', Number(li.dataset.timestamp) <= now);
    }
  }

  // --- start -----------------------------------------------------------------------------------------
  async function route() {
    const m = location.hash.match(/^#\/session\/(.+)$/);
    try {
      if (m) await showSession(decodeURIComponent(m[1]));
      else await showList();
    } catch (e) {
      fail(e);
    }
  }

  async function start(config) {
    $('key-form').hidden = true;
    let projects;
    try {
      projects = (await api('/api/projects')).results;
    } catch (e) {
      if (e.status === 401 && !config.apiKey) {
        localStorage.removeItem('reflow.apiKey');
        $('key-form').hidden = false;
      }
      throw e;
    }
    const select = $('project');
    select.replaceChildren(...projects.map((p) => new Option('project ' + p.id, p.id)));
    $('project-picker').hidden = projects.length < 2;
    view.team = projects.length ? projects[0].id : null;
    select.addEventListener('change', () => { view.team = select.value; route(); });
    window.addEventListener('hashchange', route);
    for (const th of document.querySelectorAll('th[data-order]')) {
      th.addEventListener('click', () => {
        const key = th.dataset.order;
        order = order === '-' + key ? key : '-' + key;
        loadList().catch(fail);
      });
    }
    await route();
  }

  fetch('/config.json').then((r) => r.json()).then((config) => {
    $('demo-link').hidden = !config.demo;
    apiKey = config.apiKey || localStorage.getItem('reflow.apiKey');
    $('key').addEventListener('submit', (e) => {
      e.preventDefault();
      apiKey = $('key-input').value.trim();
      localStorage.setItem('reflow.apiKey', apiKey);
      start(config).catch(fail);
    });
    if (!apiKey) {
      $('key-form').hidden = false;
      view.status = 'needs-key';
      return;
    }
    start(config).catch(fail);
  }).catch(fail);
})();
