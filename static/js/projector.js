// The projector: follows the lesson live (Server-Sent Events, polling as a fallback) and
// shows the welcome screen, the live race of the announced level, or its reveal.
'use strict';

(() => {
  const data = JSON.parse(document.getElementById('projector-data').textContent);
  const text = data.text;
  const code = data.snapshot.lesson.join_code;
  const $ = (id) => document.getElementById(id);
  const fmt = (v) => (v === null || v === undefined ? '–' : String(Number(v.toPrecision(5))));
  const label = (row) => (row.name ? `${row.number} · ${row.name}` : text.team_n.replace('{n}', row.number));
  const gap = (v) => (v === null || v === undefined ? '–' : String(Number(v.toPrecision(3))));
  const dark = document.body.classList.contains('theme-dark');
  const FINAL_ROWS = 8; // with the four algorithms and the overall top five, one screen
  const OVERALL_ROWS = 4;
  let snapshot = data.snapshot;
  let skew = 0; // server clock minus this clock, in ms
  let reveal = null;
  let revealLevel = null;
  let failures = 0;
  let pollTimer = null;
  let wakeTimer = null;
  let previousRanks = new Map();

  function show(id) {
    for (const view of ['welcome', 'live-view', 'reveal-view']) $(view).hidden = view !== id;
  }

  function teamsIn(n) {
    if (n === 0) return text.no_team_in;
    if (n === 1) return text.one_team_in;
    return text.teams_in.replace('{n}', n);
  }

  function cell(tag, content, className) {
    const element = document.createElement(tag);
    element.textContent = content;
    if (className) element.className = className;
    return element;
  }

  function drawBoard(standings) {
    const board = $('board');
    const notice = $('standings-notice');
    const more = $('board-more');
    notice.hidden = true;
    more.hidden = true;
    if (standings.hidden) {
      notice.textContent = text.hidden;
      notice.hidden = false;
      board.replaceChildren();
      return;
    }
    if (standings.frozen_at) { notice.textContent = text.frozen; notice.hidden = false; }
    // FLIP: remember where each team was, draw, then slide from there
    const before = new Map([...board.children].map((li) => [li.dataset.team, li.getBoundingClientRect().top]));
    const ranks = new Map();
    board.replaceChildren(...standings.rows.map((row) => {
      const li = document.createElement('li');
      li.dataset.team = String(row.number);
      const previous = previousRanks.get(row.number);
      const arrow = previous === undefined || previous === row.rank ? '' : (row.rank < previous ? '▲' : '▼');
      li.append(cell('span', row.rank ?? '–', 'rank'), cell('span', label(row), 'name'),
        cell('span', fmt(row.best_fx), 'value'), cell('span', arrow, `move ${arrow === '▲' ? 'up' : arrow ? 'down' : ''}`));
      ranks.set(row.number, row.rank);
      return li;
    }));
    for (const li of board.children) {
      const top = before.get(li.dataset.team);
      if (top === undefined) continue;
      const shift = top - li.getBoundingClientRect().top;
      if (!shift) continue;
      li.style.transition = 'none';
      li.style.transform = `translateY(${shift}px)`;
      requestAnimationFrame(() => { li.style.transition = ''; li.style.transform = ''; });
    }
    previousRanks = ranks;
    const extra = [];
    if (standings.more) extra.push(text.more.replace('{n}', standings.more));
    if (standings.waiting) extra.push(text.waiting.replace('{n}', standings.waiting));
    if (extra.length) { more.textContent = extra.join(' · '); more.hidden = false; }
  }

  function tickCountdown() {
    const level = snapshot.level;
    const fact = $('countdown-fact');
    if (!level || !level.deadline || level.state !== 'open') { fact.hidden = true; return; }
    fact.hidden = false;
    const left = Math.max(0, Math.round((Date.parse(level.deadline) - (Date.now() + skew)) / 1000));
    $('countdown').textContent = left > 0 ? `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}` : text.time_up;
    $('countdown').classList.toggle('ending', left <= 30);
  }

  function wakeAt(moments) {
    // a freeze or a time limit changes what the projector may show with no change in the
    // database: ask again just after that moment
    clearTimeout(wakeTimer);
    const now = Date.now() + skew;
    const next = moments.filter(Boolean).map((m) => Date.parse(m) - now).filter((ms) => ms > 0);
    if (next.length) wakeTimer = setTimeout(refresh, Math.min(...next) + 500);
  }

  function drawReveal(level) {
    const r = level.reveal;
    $('reveal-title').textContent = `${text.level_n.replace('{n}', level.position)} · ${level.title}`;
    $('reveal-expression').textContent = `f(x) = ${r.expression}`;
    const played = r.standings.filter((row) => row.best_fx !== null);
    const rows = played.slice(0, FINAL_ROWS).map((row) => {
      const tr = document.createElement('tr');
      const name = cell('td', label(row));
      const swatch = cell('span', '', 'swatch');
      swatch.style.background = window.DownhillReveal.COLOURS[row.team_index % window.DownhillReveal.COLOURS.length];
      name.prepend(swatch);
      tr.append(cell('td', row.rank ?? '–'), name, cell('td', fmt(row.best_fx), 'num'), cell('td', gap(row.gap), 'num'));
      return tr;
    });
    if (played.length > FINAL_ROWS) {
      const tr = document.createElement('tr');
      const more = cell('td', text.more.replace('{n}', played.length - FINAL_ROWS), 'more-row');
      more.colSpan = 4;
      tr.append(more);
      rows.push(tr);
    }
    for (const ghost of r.ghosts) {
      const tr = document.createElement('tr');
      tr.className = 'ghost';
      const params = Object.entries(ghost.params).map(([k, v]) => `${k === 'eta' ? 'η' : 'β'}=${v}`).join(' ');
      tr.append(cell('td', '·'), cell('td', `${data.reveal_text.ghosts[ghost.key]} ${params}`.trim()), cell('td', fmt(ghost.best_fx), 'num'), cell('td', gap(ghost.gap), 'num'));
      rows.push(tr);
    }
    $('final-rows').replaceChildren(...rows);
    const overall = snapshot.overall ? snapshot.overall.rows.slice(0, OVERALL_ROWS).map((row) => {
      const tr = document.createElement('tr');
      tr.append(cell('td', row.rank), cell('td', label(row)), cell('td', text.points.replace('{n}', row.points), 'num'));
      return tr;
    }) : [];
    $('overall-rows').replaceChildren(...overall);
    if (revealLevel !== level.id || !reveal) {
      revealLevel = level.id;
      reveal = window.DownhillReveal.mount($('reveal-root'), r, data.reveal_text, { dark, teamLegend: false, fontSize: Math.round(window.innerHeight / 45), markerSize: Math.round(window.innerHeight / 70) });
    } else {
      reveal.update(r);
    }
  }

  function draw(next) {
    snapshot = next;
    skew = Date.parse(next.server_now) - Date.now();
    $('lesson-name').textContent = next.lesson.name;
    $('teams-in').textContent = teamsIn(next.lesson.teams);
    const level = next.level;
    if (!level) { show('welcome'); wakeAt([]); return; }
    if (level.state === 'revealed' && level.reveal) {
      show('reveal-view');
      if (window.Plotly && window.DownhillReveal) drawReveal(level);
      wakeAt([]);
      return;
    }
    revealLevel = null;
    reveal = null;
    show('live-view');
    $('level-title').textContent = `${text.level_n.replace('{n}', level.position)} · ${level.title}`;
    $('level-state').textContent = text[level.state] || level.state;
    $('level-state').dataset.state = level.state;
    $('password-fact').hidden = !level.password;
    $('password').textContent = level.password || '';
    $('guess-total').textContent = level.guesses;
    drawBoard(level.standings);
    if (level.state === 'closed' && !level.standings.hidden) {
      $('standings-notice').textContent = text.closed_wait;
      $('standings-notice').hidden = false;
    }
    tickCountdown();
    wakeAt([level.freeze_at, level.deadline]);
  }

  function say(state) { $('live').dataset.live = state; }

  async function refresh() {
    try {
      const response = await fetch(`/projector/${encodeURIComponent(code)}/state.json`, { headers: { Accept: 'application/json' } });
      if (response.ok) draw(await response.json());
    } catch { /* the next poll or event catches up */ }
  }

  async function poll() {
    await refresh();
    pollTimer = setTimeout(poll, 2000);
  }

  function listen() {
    if (!window.EventSource) { say('polling'); poll(); return; }
    const source = new EventSource(`/projector/${encodeURIComponent(code)}/stream`);
    source.addEventListener('projector', (event) => {
      failures = 0;
      say('live');
      if (pollTimer) { clearTimeout(pollTimer); pollTimer = null; }
      draw(JSON.parse(event.data));
    });
    source.onerror = () => {
      // the stream ended (it does every minute), the network dropped or the server
      // restarted: EventSource reconnects by itself and the first event catches up; while
      // it cannot, poll
      failures += 1;
      say(failures >= 3 ? 'polling' : 'connecting');
      if (failures >= 3 && !pollTimer) poll();
    };
  }

  setInterval(tickCountdown, 1000);
  draw(snapshot);
  window.addEventListener('load', () => draw(snapshot));
  listen();
})();
