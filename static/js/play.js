// The play page: the guess form, its countdown, the chart of guesses and tangents, the
// history table and the level's standings. The server decides everything; this script
// only draws what it answered and keeps a typed or unsent guess safe across reloads.

import { decimalsFor, shown } from './format.js';
import { arrows, contour, layout as planeLayout } from './plane.js';
import { teamLabel } from './teams.js';

const state = JSON.parse(document.getElementById('play-state').textContent);
const text = JSON.parse(document.getElementById('play-text').textContent);
const csrf = document.querySelector('meta[name="csrf-token"]').content;
const level = state.level;
const storageKey = `downhill:${state.team.number}:${level.id}`;

// on a stepping level the team chooses η (and β) and the server moves it
const steps = level.mode !== 'free';
// on a two-parameter level a guess is a point (x, y) and each answer a gradient
const plane = Boolean(level.plane);
const form = document.getElementById('guess-form');
const input = document.getElementById(steps ? 'eta' : 'x');
const yInput = document.getElementById('y');
const betaInput = document.getElementById('beta');
const button = document.getElementById('submit');
const status = document.getElementById('status');
const answer = document.getElementById('answer');
const chart = document.getElementById('chart');

let clockOffset = Date.parse(state.server_now) - Date.now();
let nextAllowedAt = state.next_allowed_at ? Date.parse(state.next_allowed_at) : null;
let sending = false;

const fill = (template, values) =>
  template.replace(/\{(\w+)\}/g, (_, name) => (name in values ? values[name] : `{${name}}`));
const fmt = (value) => shown(value);
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

// Tangent segments span 10% of the domain; the y axis shows every point with room
// around it, and a steep tangent is cut at the edge of the plot instead of squashing it.
const halfWidth = () => 0.05 * (level.x_max - level.x_min);

function segment(g) {
  const x0 = Math.max(level.x_min, g.x - halfWidth());
  const x1 = Math.min(level.x_max, g.x + halfWidth());
  return [x0, x1, g.fx + g.slope * (x0 - g.x), g.fx + g.slope * (x1 - g.x)];
}

function guessesRange() {
  const guesses = steps && state.position ? [{ ...state.position.start, seq: 0 }, ...state.guesses] : state.guesses;
  const fxs = guesses.map((g) => g.fx);
  const low = Math.min(...fxs);
  const high = Math.max(...fxs);
  const ends = guesses.flatMap((g) => segment(g).slice(2));
  // one point: leave room for its tangent to show its real steepness across the plot
  const width = level.x_max - level.x_min;
  const room = high > low ? 0.75 * (high - low) : Math.max(Math.abs(guesses[0].slope) * 0.25 * width, 1);
  const bottom = Math.max(Math.min(...ends), low - room);
  const top = Math.min(Math.max(...ends), high + room);
  const pad = 0.08 * Math.max(top - bottom, 1e-9);
  return [Math.min(bottom, low - pad), Math.max(top, high + pad)];
}

function yRange() {
  // the guesses with room around them; after the reveal, the whole curve as well
  let range = state.guesses.length || (steps && state.position) ? guessesRange() : null;
  if (state.reveal) {
    const curve = state.reveal.curve.map((p) => p[1]);
    const pad = 0.05 * (Math.max(...curve) - Math.min(...curve) || 1);
    const [bottom, top] = range || [Infinity, -Infinity];
    range = [Math.min(bottom, Math.min(...curve) - pad), Math.max(top, Math.max(...curve) + pad)];
  }
  return range;
}

// The latest guess, the best so far and, once revealed, the true minimum, with ``up`` as
// the vertical coordinate: 'fx' on a curve, 'y' on a plane.
function highlights(up) {
  const out = [];
  const guesses = state.guesses;
  const label = up === 'y' ? 'y' : 'f(x)';
  if (guesses.length) {
    const latest = guesses[guesses.length - 1];
    out.push({
      name: text.latest, x: [latest.x], y: [latest[up]], mode: 'markers',
      marker: { size: 18, color: 'rgba(0,0,0,0)', line: { color: '#d1003f', width: 3 } }, hoverinfo: 'skip',
    });
  }
  if (state.best) {
    out.push({
      name: text.best, x: [state.best.x], y: [state.best[up]], mode: 'markers',
      marker: { symbol: 'star', size: 16, color: '#0b7a3e', line: { color: '#fff', width: 1 } },
      hovertemplate: `${text.best}<br>x = %{x}<br>${label} = %{y}<extra></extra>`,
    });
  }
  if (state.reveal) {
    out.push({
      name: text.minimum, x: [state.reveal.x_star], y: [up === 'y' ? state.reveal.y_star : state.reveal.f_star], mode: 'markers',
      marker: { symbol: 'diamond', size: 14, color: '#6a3fb5', line: { color: '#fff', width: 1 } },
    });
  }
  return out;
}

function traces() {
  const guesses = state.guesses;
  const out = [];
  if (state.reveal) {
    out.push({
      name: text.curve, x: state.reveal.curve.map((p) => p[0]), y: state.reveal.curve.map((p) => p[1]),
      mode: 'lines', line: { color: '#9aa5b1', width: 2 }, hoverinfo: 'skip',
    });
  }
  const fxs = guesses.map((g) => g.fx);
  if (steps && state.position) {
    const start = state.position.start;
    out.push({
      name: text.path, x: [start.x, ...guesses.map((g) => g.x)], y: [start.fx, ...fxs],
      mode: 'lines', line: { color: '#1f5fbf', width: 1, dash: 'dot' }, hoverinfo: 'skip',
    });
    out.push({
      name: text.start, x: [start.x], y: [start.fx], mode: 'markers',
      marker: { symbol: 'square-open', size: 12, color: '#1f5fbf', line: { width: 2 } },
      hovertemplate: `${text.start}<br>x = %{x}<br>f(x) = %{y}<extra></extra>`,
    });
  }
  const tx = [];
  const ty = [];
  for (const g of guesses) {
    const [x0, x1, y0, y1] = segment(g);
    tx.push(x0, x1, null);
    ty.push(y0, y1, null);
  }
  out.push({ name: text.tangents, x: tx, y: ty, mode: 'lines', line: { color: '#e07b00', width: 2 }, hoverinfo: 'skip' });
  out.push({
    name: text.guesses, x: guesses.map((g) => g.x), y: fxs, mode: 'markers',
    marker: { size: 9, color: '#1f5fbf' },
    text: guesses.map((g) => `#${g.seq}`),
    hovertemplate: '%{text}<br>x = %{x}<br>f(x) = %{y}<extra></extra>',
  });
  out.push(...highlights('fx'));
  return out;
}

const box = () => ({ x_min: level.x_min, x_max: level.x_max, y_min: level.y_min, y_max: level.y_max });

function planeTraces() {
  // the plane: the contour map once revealed, the path, every guess, an arrow along −∇f
  const guesses = state.guesses;
  const out = [];
  if (state.reveal) out.push(contour(state.reveal.plane, { name: text.curve }));
  if (steps && state.position) {
    const start = state.position.start;
    out.push({
      name: text.path, x: [start.x, ...guesses.map((g) => g.x)], y: [start.y, ...guesses.map((g) => g.y)],
      mode: 'lines', line: { color: '#1f5fbf', width: 1, dash: 'dot' }, hoverinfo: 'skip',
    });
    out.push({
      name: text.start, x: [start.x], y: [start.y], mode: 'markers',
      marker: { symbol: 'square-open', size: 12, color: '#1f5fbf', line: { width: 2 } },
      hovertemplate: `${text.start}<br>x = %{x}<br>y = %{y}<extra></extra>`,
    });
  }
  out.push({
    name: text.guesses, x: guesses.map((g) => g.x), y: guesses.map((g) => g.y), mode: 'markers',
    marker: { size: 9, color: '#1f5fbf', line: { color: '#fff', width: 1 } },
    text: guesses.map((g) => `#${g.seq}<br>f = ${fmt(g.fx)}`),
    hovertemplate: '%{text}<br>x = %{x}<br>y = %{y}<extra></extra>',
  });
  // a legend entry for the arrows, which are annotations
  out.push({ name: text.arrows, x: [null], y: [null], mode: 'lines', line: { color: '#e07b00', width: 2 } });
  out.push(...highlights('y'));
  return out;
}

function drawPlane() {
  const points = state.guesses.map((g) => ({ x: g.x, y: g.y, gx: g.slope, gy: g.gy }));
  if (steps && state.position && !state.guesses.length) {
    const start = state.position.start;
    points.push({ x: start.x, y: start.y, gx: start.slope, gy: start.gy });
  }
  const empty = !(state.guesses.length || state.reveal || steps);
  const layout = planeLayout(box(), {
    showlegend: !empty,
    annotations: [...arrows(points, box()), ...(empty ? [{
      text: text.empty_chart, showarrow: false, xref: 'paper', yref: 'paper', x: 0.5, y: 0.5,
      font: { color: '#5b6b7b', size: 14 },
    }] : [])],
  });
  window.Plotly.react(chart, planeTraces(), layout, { responsive: true, displayModeBar: false });
}

function drawChart() {
  if (!window.Plotly) return;
  if (plane) { drawPlane(); return; }
  const range = yRange();
  const layout = {
    margin: { l: 48, r: 12, t: 12, b: 40 },
    xaxis: { range: [level.x_min, level.x_max], fixedrange: true, title: { text: 'x' }, zeroline: true },
    yaxis: {
      fixedrange: true, title: { text: 'f(x)' }, zeroline: true,
      ...(range ? { range } : { range: [0, 1], showticklabels: false }),
    },
    showlegend: Boolean(state.guesses.length || state.reveal || steps),
    legend: { orientation: 'h', x: 0, y: 1.02, yanchor: 'bottom' },
    annotations: state.guesses.length || state.reveal || steps ? [] : [{
      text: text.empty_chart, showarrow: false, xref: 'paper', yref: 'paper', x: 0.5, y: 0.5,
      font: { color: '#5b6b7b', size: 14 },
    }],
    dragmode: false, hovermode: 'closest', paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: '#fff',
  };
  window.Plotly.react(chart, traces(), layout, { responsive: true, displayModeBar: false });
}

chart.addEventListener('click', (event) => {
  if (steps) return; // the server chooses x
  const full = chart._fullLayout;
  if (!full || !full.xaxis) return;
  const rect = chart.getBoundingClientRect();
  const px = event.clientX - rect.left - full._size.l;
  const py = event.clientY - rect.top - full._size.t;
  // outside the plot (on an axis or the legend) a tap fills nothing: never half a point
  if (px < 0 || px > full._size.w || (plane && (py < 0 || py > full._size.h))) return;
  input.value = full.xaxis.p2l(px).toFixed(decimalsFor(level.x_min, level.x_max));
  store.set('draft', input.value);
  if (plane) {
    yInput.value = full.yaxis.p2l(py).toFixed(decimalsFor(level.y_min, level.y_max));
    store.set('draft-y', yInput.value);
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
    const velocity = plane ? pair(g.velocity, g.velocity_y) : fmt(g.velocity);
    const moved = steps ? [fmt(g.eta), ...(level.mode === 'momentum' ? [fmt(g.beta), velocity] : []),
      `${stepText(g)}${g.clamped ? ` (${text.clamped_short})` : ''}`] : [];
    const implied = showImplied ? [g.seq === 1 ? '' : fmt(g.implied_eta)] : [];
    const truth = showTrue ? [plane ? pair(g.true_slope, g.true_gy) : fmt(g.true_slope)] : [];
    const where = plane ? [fmt(g.x), fmt(g.y), fmt(g.fx), fmt(g.slope), fmt(g.gy)] : [fmt(g.x), fmt(g.fx), fmt(g.slope)];
    const cells = [g.seq, ...moved, ...where, ...truth, ...implied,
      new Date(g.at).toLocaleTimeString([], { hour12: false })];
    for (const value of cells) {
      const cell = document.createElement('td');
      cell.textContent = value;
      row.append(cell);
    }
    return row;
  }));
  document.getElementById('no-guesses').hidden = state.guesses.length > 0;
  document.getElementById('left').textContent = state.guesses_left === null ? '∞' : state.guesses_left;
  document.getElementById('best').textContent = state.best ? fmt(state.best.fx) : '–';
  document.getElementById('best-x').textContent = !state.best ? '–' : plane ? pair(state.best.x, state.best.y) : fmt(state.best.x);
  drawPosition();
}

const pair = (a, b) => `(${fmt(a)}, ${fmt(b)})`;

function stepOf(g) {
  // the point the step started from: the guess before it, or the level's start
  const before = state.guesses.find((h) => h.seq === g.seq - 1) || state.position.start;
  return { dx: g.x - before.x, dy: plane ? g.y - before.y : 0 };
}

function stepText(g) {
  const { dx, dy } = stepOf(g);
  return plane ? pair(dx, dy) : fmt(dx);
}

function drawPosition() {
  if (!steps || !state.position) return;
  const at = state.position;
  let words = plane
    ? fill(text.plane_position, { x: fmt(at.x), y: fmt(at.y), fx: fmt(at.fx), gx: fmt(at.slope), gy: fmt(at.gy) })
    : fill(text.position, { x: fmt(at.x), fx: fmt(at.fx), slope: fmt(at.slope) });
  if (level.mode === 'momentum') {
    words += ` ${plane ? fill(text.plane_velocity, { vx: fmt(at.velocity), vy: fmt(at.velocity_y) }) : fill(text.velocity, { v: fmt(at.velocity) })}`;
  }
  document.getElementById('position').textContent = words;
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
  const eta = typedNumber(input.value);
  const beta = betaInput ? typedNumber(betaInput.value) : 0;
  if (!input.value.trim() || !Number.isFinite(eta) || (betaInput && (!betaInput.value.trim() || !Number.isFinite(beta)))) {
    box.textContent = '';
    return;
  }
  if (plane) {
    const vx = beta * at.velocity - eta * at.slope;
    const vy = beta * at.velocity_y - eta * at.gy;
    const tx = Math.min(Math.max(at.x + vx, level.x_min), level.x_max);
    const ty = Math.min(Math.max(at.y + vy, level.y_min), level.y_max);
    const values = { x: fmt(at.x), y: fmt(at.y), eta: fmt(eta), beta: fmt(beta), gx: fmt(at.slope), gy: fmt(at.gy),
      vx: fmt(at.velocity), vy: fmt(at.velocity_y), nx: fmt(vx), ny: fmt(vy), tx: fmt(tx), ty: fmt(ty) };
    box.textContent = fill(betaInput ? text.plane_preview_momentum : text.plane_preview_step, values)
      + (tx !== at.x + vx || ty !== at.y + vy ? ` — ${text.clamped_short}` : '');
    return;
  }
  const v = beta * at.velocity - eta * at.slope;
  const to = Math.min(Math.max(at.x + v, level.x_min), level.x_max);
  const values = { x: fmt(at.x), eta: fmt(eta), beta: fmt(beta), slope: fmt(at.slope), v: fmt(at.velocity), nv: fmt(v), to: fmt(to) };
  box.textContent = fill(betaInput ? text.preview_momentum : text.preview_step, values)
    + (to !== at.x + v ? ` — ${text.clamped_short}` : '');
}

function showAnswer(guess, replayed) {
  if (plane) {
    const { dx, dy } = steps ? stepOf(guess) : { dx: 0, dy: 0 };
    const values = { x: fmt(guess.x), y: fmt(guess.y), fx: fmt(guess.fx), gx: fmt(guess.slope), gy: fmt(guess.gy), dx: fmt(dx), dy: fmt(dy) };
    answer.textContent = (steps
      ? `${fill(text.plane_step_answer, values)}${guess.clamped ? ` ${text.clamped}` : ''}`
      : fill(text.plane_answer, values)) + (replayed ? ` ${text.replayed}` : '');
    answer.hidden = false;
    return;
  }
  const b = guess.fx - guess.slope * guess.x;
  const line = `${fmt(guess.slope)}·x ${b < 0 ? '-' : '+'} ${fmt(Math.abs(b))}`;
  const values = { x: fmt(guess.x), fx: fmt(guess.fx), slope: fmt(guess.slope), line };
  answer.textContent = (steps
    ? `${fill(text.step_answer, { ...values, dx: fmt(stepOf(guess).dx) })}${guess.clamped ? ` ${text.clamped}` : ''}`
    : fill(text.answer, values))
    + (replayed ? ` ${text.replayed}` : '');
  answer.hidden = false;
}

function redraw() {
  drawHistory();
  drawChart();
}

// ---- the form and its countdown -------------------------------------------------------

function isOpen() {
  return level.state === 'open';
}

function showState() {
  const pill = document.getElementById('state-pill');
  pill.className = `pill pill-${level.state}`;
  pill.textContent = text[`state_${level.state}`] || level.state;
  form.hidden = !isOpen();
  previewStep();
  const hint = document.getElementById('tap-hint');
  if (hint) hint.hidden = !isOpen();
}

function tick() {
  const remaining = nextAllowedAt ? Math.ceil((nextAllowedAt - serverNow()) / 1000) : 0;
  const open = isOpen();
  button.disabled = sending || !open || remaining > 0 || state.guesses_left === 0;
  button.textContent = open && remaining > 0 ? fill(text.wait, { s: remaining }) : text.guess;
  document.getElementById('reveal-link').hidden = level.state !== 'revealed';
  if (!open) {
    status.textContent = level.state === 'revealed' ? text.revealed : text.closed;
  } else if (remaining > 0) {
    status.textContent = fill(text.next_in, { s: remaining });
    status.dataset.countdown = String(remaining);
  } else if (status.dataset.countdown) {
    delete status.dataset.countdown;
    status.textContent = text.ready;
  }
  const deadlineEl = document.getElementById('deadline');
  if (level.deadline && open) {
    const left = Math.max(0, Math.ceil((Date.parse(level.deadline) - serverNow()) / 1000));
    deadlineEl.hidden = false;
    deadlineEl.textContent = fill(text.closes_in, { t: `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}` });
    if (left === 0) { level.state = 'closed'; showState(); refresh(); }
  } else {
    deadlineEl.hidden = true;
  }
}

function accept(body) {
  const guess = body.guess;
  if (!state.guesses.some((g) => g.seq === guess.seq)) state.guesses.push(guess);
  if (steps) {
    const latest = state.guesses[state.guesses.length - 1];
    state.position = { ...state.position, x: latest.x, fx: latest.fx, slope: latest.slope, velocity: latest.velocity || 0 };
    if (plane) Object.assign(state.position, { y: latest.y, gy: latest.gy, velocity_y: latest.velocity_y || 0 });
  }
  state.best = body.best;
  state.guesses_left = body.guesses_left;
  clockOffset = Date.parse(body.server_now) - Date.now();
  nextAllowedAt = body.next_allowed_at ? Date.parse(body.next_allowed_at) : null;
  status.dataset.countdown = '1';
  showAnswer(guess, body.replayed);
  redraw();
  loadStandings();
}

function refuse(error, httpStatus) {
  if (httpStatus === 401) { window.location.assign('/'); return; }
  status.textContent = error ? error.message : text.error;
  status.classList.add('error');
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
      body: JSON.stringify(steps
        ? { eta: pending.eta, ...(betaInput ? { beta: pending.beta } : {}), idempotency_key: pending.key }
        : { x: pending.x, ...(plane ? { y: pending.y } : {}), idempotency_key: pending.key }),
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
  tick();
  status.classList.remove('error');
  status.textContent = attempt ? text.retrying : text.sending;
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
    status.textContent = text.offline;
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
  const choice = steps ? { eta: input.value, beta: betaInput ? betaInput.value : undefined }
    : { x: input.value, ...(plane ? { y: yInput.value } : {}) };
  const same = kept && Object.entries(choice).every(([name, value]) => kept[name] === value);
  const pending = same ? kept : { ...choice, key: newKey(), at: Date.now() };
  store.set('pending', JSON.stringify(pending));
  send(pending);
});

input.addEventListener('input', () => { store.set('draft', input.value); previewStep(); });
if (betaInput) betaInput.addEventListener('input', () => { store.set('draft-beta', betaInput.value); previewStep(); });
if (yInput) yInput.addEventListener('input', () => { store.set('draft-y', yInput.value); });

// ---- keeping up with the level ------------------------------------------------------

async function refresh() {
  try {
    const response = await fetch(`/api/levels/${level.id}`, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
    if (response.status === 401) { window.location.assign('/'); return; }
    if (!response.ok) return;
    const fresh = await response.json();
    const wasRevealed = Boolean(state.reveal);
    Object.assign(level, fresh.level);
    state.guesses = fresh.guesses;
    state.best = fresh.best;
    state.guesses_left = fresh.guesses_left;
    state.reveal = fresh.reveal;
    state.position = fresh.position;
    clockOffset = Date.parse(fresh.server_now) - Date.now();
    nextAllowedAt = fresh.next_allowed_at ? Date.parse(fresh.next_allowed_at) : null;
    showState();
    if (!wasRevealed && state.reveal) redraw(); else drawHistory();
    tick();
  } catch { /* offline: the next refresh will catch up */ }
  loadStandings();
}

async function loadStandings() {
  const box = document.getElementById('level-standings');
  if (level.standings_visibility === 'hidden' && level.state === 'open') {
    // hidden until the level closes: say so without asking (a refused request is noise)
    const p = document.createElement('p');
    p.className = 'muted';
    p.textContent = text.standings_hidden;
    box.replaceChildren(p);
    return;
  }
  try {
    const response = await fetch(box.dataset.url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
    const body = await response.json();
    if (!response.ok) {
      const p = document.createElement('p');
      p.className = 'muted';
      p.textContent = body.error.message;
      box.replaceChildren(p);
      return;
    }
    const table = document.createElement('table');
    table.className = 'standings';
    const head = table.createTHead().insertRow();
    for (const label of ['#', text.team, text.best_fx, text.guesses_col]) {
      const th = document.createElement('th');
      th.textContent = label;
      head.append(th);
    }
    const tbody = table.createTBody();
    for (const row of body.rows) {
      const tr = tbody.insertRow();
      if (row.team_number === state.team.number) tr.className = 'mine';
      const rank = row.best_fx === null ? '–' : row.rank;
      for (const value of [rank, label(row.team_number, row.team_name), fmt(row.best_fx), row.guesses]) {
        tr.insertCell().textContent = value;
      }
    }
    const note = document.createElement('p');
    note.className = 'hint';
    note.textContent = body.final ? text.final : body.as_of ? text.frozen : '';
    const wrap = document.createElement('div');
    wrap.className = 'table-wrap';
    wrap.append(table);
    box.replaceChildren(note, wrap);
  } catch { /* offline: keep the last standings */ }
}

// ---- start ----------------------------------------------------------------------------

const draft = store.get('draft');
if (draft !== null && !input.value) input.value = draft;
const draftBeta = store.get('draft-beta');
if (betaInput && draftBeta !== null && !betaInput.value) betaInput.value = draftBeta;
const draftY = store.get('draft-y');
if (yInput && draftY !== null && !yInput.value) yInput.value = draftY;
redraw();
tick();
loadStandings();
setInterval(tick, 250);
setInterval(refresh, 15000);
window.addEventListener('load', drawChart);

const unsent = readPending();
if (unsent && isOpen()) {
  // the page was reloaded while a guess was unanswered: ask again with the same key
  // (the box keeps whatever was typed since)
  send(unsent);
}
