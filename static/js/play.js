// The play page: the guess form, its countdown, the chart of guesses and tangents, the
// history table and the level's standings. The server decides everything; this script
// only draws what it answered and keeps a typed or unsent guess safe across reloads.

import { fill, fmt } from './chart.js';
import { kindOf } from './kinds/index.js';
import { follow } from './live.js';
import { moveOf, outOfBounds } from './moves.js';
import { mountVoting } from './predict.js';
import { teamLabel } from './teams.js';

const state = JSON.parse(document.getElementById('play-state').textContent);
const text = JSON.parse(document.getElementById('play-text').textContent);
const csrf = document.querySelector('meta[name="csrf-token"]').content;
const level = state.level;
const storageKey = `downhill:${state.team.number}:${level.id}`;

// the level's kind draws and words a point (x on an interval, (x, y) on a rectangle); its
// move says what the team chooses: the point itself, or η (and β) and the server moves it
const kind = kindOf(level.kind);
const move = moveOf(level.mode);
const steps = move.steps;
// on a level that offers it, the batch size is one more field of every guess
const fields = [...move.fields(kind), ...(level.batch_max ? ['batch'] : [])];
const inputs = Object.fromEntries(fields.map((name) => [name, document.getElementById(name)]));
const input = inputs[fields[0]];
// where a typed value is kept across reloads ('draft' for the first input, as it always was)
const draftKey = (name) => (name === fields[0] ? 'draft' : `draft-${name}`);
const form = document.getElementById('guess-form');
const button = document.getElementById('submit');
const status = document.getElementById('status');
const answer = document.getElementById('answer');
const chart = document.getElementById('chart');
// once the level is closed, the instructor may ask which algorithm gets closest
const voting = mountVoting(document.getElementById('prediction'), { levelId: level.id, csrf, text, words: text });
voting.show(state.prediction);

let clockOffset = Date.parse(state.server_now) - Date.now();
// the server's moment of the newest state this page shows: a live view older than it (a
// snapshot shared for up to a second) says nothing new, and is passed over
let newest = Date.parse(state.server_now);
let nextAllowedAt = state.next_allowed_at ? Date.parse(state.next_allowed_at) : null;
let sending = false;
// what the status line says besides the level's state and countdown: 'Sending…', a
// refusal, no connection; forgotten when the level's state changes
let notice = null;

const serverNow = () => Date.now() + clockOffset;
const label = (number, name) => teamLabel(number, name, text.team_n);
const store = {
  get: (name) => { try { return localStorage.getItem(`${storageKey}:${name}`); } catch { return null; } },
  set: (name, value) => { try { localStorage.setItem(`${storageKey}:${name}`, value); } catch { /* private mode */ } },
  drop: (name) => { try { localStorage.removeItem(`${storageKey}:${name}`); } catch { /* private mode */ } },
};

const PENDING_MAX_AGE = 10 * 60 * 1000;

function readPending() {
  // an unanswered guess: { x } or { eta, beta }, with { key, at }; none when missing, corrupt or too old to matter
  try {
    const pending = JSON.parse(store.get('pending'));
    if (pending && typeof pending.key === 'string' && Date.now() - pending.at < PENDING_MAX_AGE) return pending;
  } catch { /* corrupt: forget it */ }
  store.drop('pending');
  return null;
}

function newKey() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

// ---- chart ----------------------------------------------------------------------

function drawChart() {
  if (!window.Plotly) return;
  const { traces, layout } = kind.playChart(state, level, text, steps);
  window.Plotly.react(chart, traces, layout, { responsive: true, displayModeBar: false });
}

chart.addEventListener('click', (event) => {
  if (steps) return; // the server chooses the point
  const full = chart._fullLayout;
  if (!full || !full.xaxis) return;
  const rect = chart.getBoundingClientRect();
  // outside the plot (on an axis or the legend) a tap fills nothing: never half a point
  const values = kind.tap(full, event.clientX - rect.left - full._size.l, event.clientY - rect.top - full._size.t, level);
  if (!values) return;
  for (const [name, value] of Object.entries(values)) {
    inputs[name].value = value;
    store.set(draftKey(name), value);
  }
  input.focus();
});

// ---- history, facts, answer ---------------------------------------------------------

function drawHistory() {
  const body = document.querySelector('#history tbody');
  // after the reveal of a free-guess level: the η each step amounted to
  const showImplied = state.guesses.some((g) => 'implied_eta' in g);
  document.getElementById('implied-head').hidden = !showImplied;
  document.getElementById('implied-hint').hidden = !showImplied;
  // after the reveal of a level with noisy slopes: the true slope beside each noisy one
  const showTrue = state.guesses.some((g) => 'true_slope' in g);
  document.getElementById('true-slope-head').hidden = !showTrue;
  body.replaceChildren(...state.guesses.slice().reverse().map((g) => {
    const row = document.createElement('tr');
    if (state.best && g.seq === state.best.seq) row.className = 'best';
    // a step that stopped at the edge is marked ⇥, said once under the table
    const moved = steps ? move.cells(g, kind, `${kind.delta(before(g), g)}${g.clamped ? ' ⇥' : ''}`) : [];
    const implied = showImplied ? [g.seq === 1 ? '' : fmt(g.implied_eta)] : [];
    const truth = showTrue ? [kind.trueGradient(g)] : [];
    const batch = level.batch_max ? [g.batch ?? 1] : [];
    const cells = [g.seq, ...moved, ...kind.cells(g), ...truth, ...batch, ...implied,
      new Date(g.at).toLocaleTimeString([], { hour12: false })];
    for (const value of cells) {
      const cell = document.createElement('td');
      cell.textContent = value;
      row.append(cell);
    }
    return row;
  }));
  document.getElementById('no-guesses').hidden = state.guesses.length > 0;
  document.getElementById('clamped-hint').hidden = !state.guesses.some((g) => g.clamped);
  document.getElementById('left').textContent = state.guesses_left === null ? '∞' : state.guesses_left;
  document.getElementById('best').textContent = state.best ? fmt(state.best.fx) : '–';
  document.getElementById('best-x').textContent = state.best ? kind.point(state.best) : '–';
  drawPosition();
}

// The point a step started from: the guess before it, or the level's start.
const before = (g) => state.guesses.find((h) => h.seq === g.seq - 1) || state.position.start;

function drawPosition() {
  if (!steps || !state.position) return;
  const at = state.position;
  document.getElementById('position').textContent = kind.positionWords(state.position, text, move.momentum);
  previewStep();
}

function typedNumber(value) {
  // as the server reads it: full-width digits, a minus sign, a lone decimal comma
  const text = value.trim()
    .replace(/[\uFF10-\uFF19\uFF0B\uFF0D\uFF0E]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0xFEE0))
    .replace(/\u2212/g, '-');
  return Number(/^[^.,]*,[^.,]*$/.test(text) ? text.replace(',', '.') : text);
}

function previewStep() {
  // what the server will do with the typed η (and β), before the team presses Step
  const box = document.getElementById('step-preview');
  if (!box || !state.position) return;
  box.hidden = !isOpen();  // no step to preview on a closed level
  const at = state.position;
  const typed = fields.map((name) => inputs[name].value);
  const [eta, beta = 0] = typed.map(typedNumber);
  const out = outOfBounds(eta, beta, level, move);
  for (const name of fields) {
    if (out.some((o) => o.name === name)) inputs[name].setAttribute('aria-invalid', 'true');
    else inputs[name].removeAttribute('aria-invalid');
  }
  box.classList.toggle('warning', out.length > 0);
  if (typed.some((value) => !value.trim()) || !Number.isFinite(eta) || !Number.isFinite(beta)) {
    box.textContent = '';
    return;
  }
  box.textContent = out.length
    ? out.map((o) => fill(text[`${o.name}_out`], { high: fmt(o.high) })).join(' ')
    : kind.previewWords(at, eta, beta, level, text, move.momentum);
}

function showAnswer(guess, replayed) {
  answer.textContent = kind.answerWords(guess, steps ? before(guess) : null, text) + (replayed ? ` ${text.replayed}` : '');
  answer.hidden = false;
  announce(answer.textContent);
}

function redraw() {
  drawHistory();
  drawChart();
}

// ---- the form and its countdown -------------------------------------------------------

function isOpen() {
  return level.state === 'open';
}

let shownState = level.state;

function showState() {
  // everything on the page that says whether the level is open follows it here
  if (level.state !== shownState) {
    shownState = level.state;
    notice = null;
    answer.hidden = true;
  }
  const pill = document.getElementById('state-pill');
  pill.className = `pill pill-${level.state}`;
  pill.textContent = text[`state_${level.state}`] || level.state;
  form.hidden = !isOpen();
  previewStep();
  const hint = document.getElementById('tap-hint');
  if (hint) hint.hidden = !isOpen();
  document.getElementById('no-guess-open').hidden = !isOpen();
  document.getElementById('no-guess-closed').hidden = isOpen();
  tick();
}

// What a screen reader hears: each answer, a refusal, the cooldown starting and ending and
// the level's state; not the countdown's every second (the status line shows that).
const announcer = document.getElementById('announce');
let announced = '';

function announce(words) {
  if (words && words !== announced) { announced = words; announcer.textContent = words; }
}

function statusWords(open, remaining) {
  if (!open) return [level.state === 'revealed' ? text.revealed : text.closed, false];
  if (sending) return [notice.words, false];
  if (state.guesses_left === 0) return [text.used_up, false];
  if (remaining > 0) return [fill(text.next_in, { s: remaining }), false];
  return notice ? [notice.words, notice.error] : [text.ready, false];
}

function tick() {
  const remaining = nextAllowedAt ? Math.ceil((nextAllowedAt - serverNow()) / 1000) : 0;
  const open = isOpen();
  button.disabled = sending || !open || remaining > 0 || state.guesses_left === 0;
  button.textContent = open && remaining > 0 ? fill(text.wait, { s: remaining }) : text.guess;
  document.getElementById('reveal-link').hidden = level.state !== 'revealed';
  const [words, error] = statusWords(open, remaining);
  if (status.textContent !== words) {
    const counting = open && remaining > 0 && !sending && state.guesses_left !== 0;
    if (!counting || !status.dataset.counting) announce(words);  // a countdown once, at its start
    status.dataset.counting = counting ? '1' : '';
    status.textContent = words;
  }
  status.classList.toggle('error', error);
  const deadlineEl = document.getElementById('deadline');
  if (level.deadline && open) {
    const left = Math.max(0, Math.ceil((Date.parse(level.deadline) - serverNow()) / 1000));
    deadlineEl.hidden = false;
    deadlineEl.textContent = fill(text.closes_in, { t: `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}` });
    if (left === 0) { level.state = 'closed'; showState(); refresh(); live.refresh(); }
  } else {
    deadlineEl.hidden = true;
  }
}

function accept(body) {
  const guess = body.guess;
  if (!state.guesses.some((g) => g.seq === guess.seq)) state.guesses.push(guess);
  if (steps) {
    state.position = kind.follow(state.position, state.guesses[state.guesses.length - 1]);
  }
  state.best = body.best;
  state.guesses_left = body.guesses_left;
  clockOffset = Date.parse(body.server_now) - Date.now();
  nextAllowedAt = body.next_allowed_at ? Date.parse(body.next_allowed_at) : null;
  notice = null;
  status.dataset.counting = '1';  // the answer is what is said now, not the countdown's start
  showAnswer(guess, body.replayed);
  redraw();
}

function refuse(error, httpStatus) {
  if (httpStatus === 401) { window.location.assign('/'); return; }
  notice = { words: error ? error.message : text.error, error: true };
  answer.hidden = true;
  if (error && error.code === 'cooldown' && error.next_allowed_at) {
    nextAllowedAt = Date.parse(error.next_allowed_at);
  }
  if (error && (error.code === 'level_closed' || error.code === 'budget_used_up')) refresh();
}

const SEND_TIMEOUT = 10000;
const RETRIES = 4;

async function post(pending) {
  // a stalled Wi-Fi must not leave the button on "Sending…" for minutes
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), SEND_TIMEOUT);
  try {
    const response = await fetch(`/api/levels/${level.id}/guesses`, {
      method: 'POST',
      credentials: 'same-origin',
      signal: abort.signal,
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify({ ...Object.fromEntries(fields.map((name) => [name, pending[name]])), idempotency_key: pending.key }),
    });
    let body = null;
    try { body = await response.json(); } catch { body = null; }
    return { response, body };
  } finally {
    clearTimeout(timer);
  }
}

async function send(pending, attempt = 0) {
  sending = true;
  notice = { words: attempt ? text.retrying : text.sending, error: false };
  tick();
  let result = null;
  try { result = await post(pending); } catch { result = null; }
  // no answer, or the server failed: the guess may have been stored, so it stays pending
  // and every retry carries the same key; it is never spent twice
  if (!result || result.response.status >= 500) {
    if (attempt < RETRIES) {
      setTimeout(() => send(pending, attempt + 1), 1000 * 2 ** attempt);
      return;
    }
    sending = false;
    notice = { words: text.offline, error: true };
    tick();
    return;
  }
  sending = false;
  store.drop('pending');
  const { response, body } = result;
  if (response.ok && body) accept(body); else refuse(body && body.error, response.status);
  tick();
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  if (sending || button.disabled) return;
  const kept = readPending();
  // an unanswered guess of the same choice is resent with its key, so it is never spent twice
  const choice = Object.fromEntries(fields.map((name) => [name, inputs[name].value]));
  const same = kept && Object.entries(choice).every(([name, value]) => kept[name] === value);
  const pending = same ? kept : { ...choice, key: newKey(), at: Date.now() };
  store.set('pending', JSON.stringify(pending));
  send(pending);
});

for (const [name, box] of Object.entries(inputs)) {
  box.addEventListener('input', () => { store.set(draftKey(name), box.value); previewStep(); });
}

// ---- keeping up with the level ------------------------------------------------------
// The lesson's live stream (the projector's, as teams may see it) says within a second
// when a level opens, closes, is revealed or reset, and brings the standings; when this
// level changed, the page reads its own state again (its guesses, cooldown, budget).

async function refresh() {
  try {
    const response = await fetch(`/api/levels/${level.id}`, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
    if (response.status === 401) { window.location.assign('/'); return; }
    // reset (the team enters again) or gone: the page's own address says where to go now
    if (response.status === 403 || response.status === 404) { window.location.reload(); return; }
    if (!response.ok) return;
    const fresh = await response.json();
    newest = Math.max(newest, Date.parse(fresh.server_now));
    const wasRevealed = Boolean(state.reveal);
    Object.assign(level, fresh.level);
    state.guesses = fresh.guesses;
    state.best = fresh.best;
    state.guesses_left = fresh.guesses_left;
    state.reveal = fresh.reveal;
    state.position = fresh.position;
    voting.show(fresh.prediction);
    clockOffset = Date.parse(fresh.server_now) - Date.now();
    nextAllowedAt = fresh.next_allowed_at ? Date.parse(fresh.next_allowed_at) : null;
    if (!fresh.guesses.length) answer.hidden = true;  // a reset wiped the last answer's guess
    showState();
    if (wasRevealed !== Boolean(state.reveal)) redraw(); else drawHistory();
    tick();
  } catch { /* offline: the next event or poll catches up */ }
}

// what the page shows of the level besides its state: a change of these reloads the page
const SETTINGS = ['title', 'kind', 'mode', 'x_min', 'x_max', 'y_min', 'y_max', 'cooldown_seconds',
  'guess_budget', 'start_x', 'start_y', 'eta_max', 'beta_max', 'slope_noise', 'variants', 'note'];
const sameValue = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
let round = null;

function follows(mine) {
  // what to do with this level as the live view shows it: 'reload', 'refresh' or nothing
  if (!mine) return 'reload';  // gone back to a draft, or deleted
  if (SETTINGS.some((name) => !sameValue(mine[name], level[name]))) return 'reload';
  // a reset wiped the team's guesses and its entry: the page's address says where to go
  if (round !== null && mine.round !== round) return 'reload';
  round = mine.round;
  const moved = ['state', 'deadline', 'standings_visibility', 'prediction'].some((name) => !sameValue(mine[name], level[name]));
  return moved ? 'refresh' : null;
}

function onLive(view) {
  // the standings and the next level as the view has them (at most a second old)...
  drawStandings(view.standings);
  drawNext(view.levels.find((l) => l.id === view.announced));
  // ...but this level's state only from a view newer than what the page shows
  const at = Date.parse(view.server_now);
  if (at < newest) return;
  newest = at;
  const mine = view.levels.find((l) => l.id === level.id);
  const todo = follows(mine);
  if (todo === 'reload') { window.location.reload(); return; }
  if (todo === 'refresh') {
    Object.assign(level, { state: mine.state, deadline: mine.deadline, standings_visibility: mine.standings_visibility, prediction: mine.prediction });
    showState();  // at once; the team's own state follows
    refresh();
  }
}

function drawNext(announced) {
  // the level the instructor put on the projector, when it is not this one
  const box = document.getElementById('next-level');
  const go = announced && announced.id !== level.id && ['open', 'revealed'].includes(announced.state);
  box.hidden = !go;
  if (!go) return;
  const link = box.querySelector('a');
  const revealed = announced.state === 'revealed';
  link.href = `/levels/${announced.id}/${revealed ? 'reveal' : 'play'}`;
  link.textContent = fill(revealed ? text.next_revealed : text.next_open, { title: announced.title });
}

function muted(words) {
  const p = document.createElement('p');
  p.className = 'muted';
  p.textContent = words;
  return p;
}

function drawStandings(standings) {
  const box = document.getElementById('level-standings');
  if (!standings) {
    box.replaceChildren(muted(text.standings_hidden));
    return;
  }
  const table = document.createElement('table');
  table.className = 'standings';
  const head = table.createTHead().insertRow();
  for (const words of ['#', text.team, text.best_fx, text.guesses_col]) {
    const th = document.createElement('th');
    th.textContent = words;
    head.append(th);
  }
  const tbody = table.createTBody();
  for (const row of standings.rows) {
    const tr = tbody.insertRow();
    if (row.team_number === state.team.number) tr.className = 'mine';
    const rank = row.best_fx === null ? '–' : row.rank;
    for (const value of [rank, label(row.team_number, row.team_name), fmt(row.best_fx), row.guesses]) {
      tr.insertCell().textContent = value;
    }
  }
  const note = document.createElement('p');
  note.className = 'hint';
  note.textContent = standings.final ? text.final : standings.as_of ? text.frozen : '';
  const wrap = document.createElement('div');
  wrap.className = 'table-wrap';
  wrap.tabIndex = 0;  // a table wider than the screen scrolls from the keyboard too
  wrap.append(table);
  box.replaceChildren(note, wrap);
}

// ---- start ----------------------------------------------------------------------------

for (const [name, box] of Object.entries(inputs)) {
  const draft = store.get(draftKey(name));
  if (draft !== null && !box.value) box.value = draft;
}
const live = follow({
  stream: `/api/live/stream?level=${level.id}`,
  poll: `/api/live?level=${level.id}`,
  event: 'lesson',
  onData: onLive,
  onStatus: (status) => { document.querySelector('.play').dataset.live = status; },
});
redraw();
showState();
setInterval(tick, 250);
window.addEventListener('load', drawChart);
// a phone that slept may have missed events (or its stream): catch up when it wakes
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') { refresh(); live.refresh(); }
});

const unsent = readPending();
if (unsent && isOpen()) {
  // the page was reloaded while a guess was unanswered: ask again with the same key
  // (the box keeps whatever was typed since)
  send(unsent);
}
