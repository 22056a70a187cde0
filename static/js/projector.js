// The projector: follows the lesson live (Server-Sent Events, polling as a fallback) and
// shows the welcome screen, the live race of the announced level, or its reveal.

import { fill } from './chart.js';
import { points, shown } from './format.js';
import { follow } from './live.js';
import { kindOf } from './kinds/index.js';
import { closestWords, voteCount } from './predict.js';
import { mirrorWords, mount } from './reveal.js';
import { teamColour, teamLabel } from './teams.js';

const data = JSON.parse(document.getElementById('projector-data').textContent);
const text = data.text;
const code = data.snapshot.lesson.join_code;
const $ = (id) => document.getElementById(id);
const fmt = (v) => shown(v);
const label = (row) => teamLabel(row.team_number, row.team_name, text.team_n);
const gap = (v) => shown(v, 3);
const dark = document.body.classList.contains('theme-dark');
const FINAL_ROWS = 8; // with the four algorithms and the overall top five, one screen
let snapshot = data.snapshot;
let skew = 0; // server clock minus this clock, in ms
let reveal = null;
let wakeTimer = null;
const previousRanks = new Map(); // team number -> rank, for the arrows
const arrows = new Map(); // team number -> {up, until}: an arrow shows for a few seconds
let boardLevel = null;

function show(id) {
  for (const view of ['welcome', 'live-view', 'reveal-view']) $(view).hidden = view !== id;
}

// the teams that have joined (logged in at least once) out of the teams made
function teamsIn(joined, teams) {
  if (joined === 0) return text.no_team_in;
  return (joined === 1 ? text.one_team_in : text.teams_in).replace('{n}', joined).replace('{total}', teams);
}

function cell(tag, content, className) {
  const element = document.createElement(tag);
  element.textContent = content;
  if (className) element.className = className;
  return element;
}

function drawBoard(standings, colours = new Map()) {
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
  const before = new Map([...board.children].map((li) => [li.dataset.team, li.getBoundingClientRect()]));
  const now = Date.now();
  board.replaceChildren(...standings.rows.map((row) => {
    const li = document.createElement('li');
    li.dataset.team = String(row.team_number);
    const previous = previousRanks.get(row.team_number);
    if (previous !== undefined && previous !== row.rank) {
      arrows.set(row.team_number, { up: row.rank < previous, until: now + 6000 });
    }
    previousRanks.set(row.team_number, row.rank);
    const shown = arrows.get(row.team_number);
    const arrow = shown && shown.until > now ? shown : null;
    const name = cell('span', label(row), 'name');
    if (colours.has(row.team_number)) {
      const dot = cell('span', '', 'dot');
      dot.style.background = teamColour(colours.get(row.team_number));
      name.prepend(dot);
    }
    li.append(cell('span', row.rank ?? '–', 'rank'), name,
      cell('span', fmt(row.best_fx), 'value'),
      cell('span', arrow ? (arrow.up ? '▲' : '▼') : '', `move ${arrow ? (arrow.up ? 'up' : 'down') : ''}`));
    return li;
  }));
  // FLIP: each row starts where it was (across columns too) and slides to its place; a
  // screen that asks for less motion gets the new order at once
  const moved = [];
  if (window.matchMedia?.('(prefers-reduced-motion: reduce)').matches) before.clear();
  for (const li of board.children) {
    const was = before.get(li.dataset.team);
    if (!was) continue;
    const is = li.getBoundingClientRect();
    const dx = was.left - is.left;
    const dy = was.top - is.top;
    if (!dx && !dy) continue;
    li.style.transition = 'none';
    li.style.transform = `translate(${dx}px, ${dy}px)`;
    moved.push(li);
  }
  if (moved.length) {
    board.getBoundingClientRect(); // apply the starting positions before sliding
    for (const li of moved) { li.style.transition = ''; li.style.transform = ''; }
  }
  const extra = [];
  if (standings.more) extra.push(text.more.replace('{n}', standings.more));
  if (standings.waiting) extra.push(text.waiting.replace('{n}', standings.waiting));
  if (extra.length) { more.textContent = extra.join(' · '); more.hidden = false; }
}

// ---- the race and who plays: what a team could see itself, made big --------------------

const ink = () => getComputedStyle(document.body).getPropertyValue('--ink').trim();
const line = () => getComputedStyle(document.body).getPropertyValue('--line').trim();

// each team's colour, as the race, the tiles and the reveal draw it (by number)
function colourIndexes(level) {
  const found = new Map();
  for (const tile of level.activity?.tiles || []) found.set(tile.number, tile.index);
  for (const race of level.race || []) found.set(race.team_number, race.team_index);
  return found;
}

function drawRace(level) {
  const box = $('race');
  const lines = (level.race || []).filter((line) => line.points.length);
  box.hidden = !lines.length || !window.Plotly;
  if (box.hidden) return;
  const nowMinutes = level.race_start ? (Date.now() + skew - Date.parse(level.race_start)) / 60000 : null;
  const frozen = level.standings.frozen_at ? (Date.parse(level.standings.frozen_at) - Date.parse(level.race_start)) / 60000 : null;
  const end = level.state === 'open' ? (frozen ?? nowMinutes) : null;
  const size = Math.round(window.innerHeight / 50);
  const traces = lines.map((line) => {
    const x = line.points.map((p) => p[0]);
    const y = line.points.map((p) => p[1]);
    if (end !== null && end > x[x.length - 1]) { x.push(end); y.push(y[y.length - 1]); }  // still the best
    const colour = teamColour(line.team_index);
    // a dot where each line ends: the team's best now (and a team of one guess shows at all)
    const ends = x.map((_, i) => (i === x.length - 1 ? size * 0.9 : 0));
    return {
      x, y, mode: 'lines+markers', line: { shape: 'hv', color: colour, width: 4 },
      marker: { color: colour, size: ends }, hoverinfo: 'skip', showlegend: false,
    };
  });
  window.Plotly.react($('race-chart'), traces, {
    margin: { l: size * 4, r: size, t: size / 2, b: size * 3 },
    paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: 'rgba(0,0,0,0)',
    font: { color: ink(), size },
    xaxis: { title: { text: text.minutes }, gridcolor: line(), zeroline: false, rangemode: 'tozero', automargin: true },
    yaxis: { title: { text: text[level.plane ? 'best_fxy' : 'best_fx'] }, gridcolor: line(), zeroline: false, automargin: true },
  }, { displayModeBar: false, staticPlot: true, responsive: true });
}

const DENSE_TILES = 12; // past this many, a tile is one line: the name and its state

function drawActivity(level) {
  const act = level.activity;
  $('activity').hidden = !act;
  if (!act) return;
  const now = Date.now() + skew;
  const tiles = act.tiles || [];
  const cooling = act.tiles ? tiles.filter((t) => t.ready_at && Date.parse(t.ready_at) > now).length : act.cooling;
  $('activity-head').textContent = fill(text.activity, { joined: act.joined, teams: act.teams, played: act.played, cooling });
  $('tiles').hidden = !act.tiles;
  $('tiles').classList.toggle('dense', tiles.length > DENSE_TILES);
  $('tiles').replaceChildren(...tiles.map((tile) => {
    const li = document.createElement('li');
    const left = tile.ready_at ? Math.ceil((Date.parse(tile.ready_at) - now) / 1000) : 0;
    li.className = !tile.joined ? 'out' : left > 0 ? 'cooling' : 'ready';
    const dot = cell('span', '', 'dot');
    dot.style.background = teamColour(tile.index);
    const name = cell('span', teamLabel(tile.number, tile.name, text.team_n), 'tile-name');
    const state = !tile.joined ? text.not_in : left > 0 ? `${left} s` : text.ready;
    const made = tile.guesses === 1 ? text.one_guess : tile.guesses ? fill(text.guesses_n, { n: tile.guesses }) : '';
    li.append(dot, name, cell('span', made, 'tile-guesses'), cell('span', state, 'tile-state'));
    return li;
  }));
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
  if (next.length) wakeTimer = setTimeout(() => live.refresh(), Math.min(...next) + 1500);
}

function drawReveal(level) {
  const r = level.reveal;
  $('reveal-title').textContent = `${text.level_n.replace('{n}', level.position)} · ${level.title}`;
  const kind = kindOf(r.kind);
  $('reveal-expression').textContent = `${kind.f} = ${r.expression}`;
  $('final-best').textContent = text[kind.bestKey];
  const played = r.standings.filter((row) => row.best_fx !== null);
  const rows = played.slice(0, FINAL_ROWS).map((row) => {
    const tr = document.createElement('tr');
    const name = cell('td', label(row));
    const swatch = cell('span', '', 'swatch');
    swatch.style.background = teamColour(row.team_index);
    name.prepend(swatch);
    const searched = mirrorWords(r.teams[row.team_index]?.mirror, data.reveal_text);
    if (searched) name.append(cell('span', searched, 'searched'));
    const batches = r.teams[row.team_index]?.batches;  // where teams chose a batch size
    if (batches?.length) name.append(cell('span', fill(text.batches, { sizes: batches.join(' · ') }), 'searched'));
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
    const params = Object.entries(ghost.params).map(([k, v]) => `${data.reveal_text.params[k] || k}=${v}`).join(' ');
    tr.append(cell('td', '·'), cell('td', `${data.reveal_text.ghosts[ghost.key]} ${params}`.trim()), cell('td', fmt(ghost.best_fx), 'num'), cell('td', gap(ghost.gap), 'num'));
    rows.push(tr);
  }
  $('final-rows').replaceChildren(...rows);
  const overall = snapshot.overall ? snapshot.overall.rows.map((row) => { // the server picks them
    const tr = document.createElement('tr');
    tr.append(cell('td', row.rank), cell('td', label(row)), cell('td', text.points.replace('{n}', points(row.total)), 'num'));
    return tr;
  }) : [];
  $('overall-rows').replaceChildren(...overall);
  drawPredictionResult(level.prediction, r);
  // one reveal component for the page's life: a new level updates it (and stops the
  // previous level's replay) instead of mounting a second one on the same buttons
  if (!reveal) {
    reveal = mount($('reveal-root'), r, data.reveal_text, { dark, teamLegend: false, fontSize: Math.round(window.innerHeight / 45), markerSize: Math.round(window.innerHeight / 70) });
  } else {
    reveal.update(r);
  }
}

function drawPredictionResult(prediction, r) {
  // which algorithm got closest, and the teams that predicted it (named as on the board)
  const box = $('prediction-result');
  box.hidden = !prediction?.result;
  if (!prediction?.result) return;
  const names = new Map(r.standings.map((row) => [row.team_number, label(row)]));
  const right = prediction.result.right.map((n) => names.get(n) || text.team_n.replace('{n}', n));
  const said = !right.length ? text.predict_nobody
    : fill(prediction.result.points ? text.predict_right_points : text.predict_right, { teams: right.join(', '), points: prediction.result.points });
  box.textContent = `${closestWords(prediction, text, data.reveal_text)} ${said}`;
}

function drawPredictionBanner(level) {
  // while the level is closed and the instructor asks: how many voted, never what
  const asked = level.prediction;
  const banner = $('prediction-banner');
  banner.hidden = !asked?.open;
  if (asked?.open) banner.textContent = `${text.predict_ask} ${voteCount(asked, text)}`;
}

// The race's chart fits its box whenever the box changes size: the tiles below it and the
// banner above it take room from it (Plotly itself follows only the window's size).
new ResizeObserver(() => {
  const race = $('race-chart');
  if (window.Plotly && race.data) window.Plotly.Plots.resize(race);
}).observe($('race-chart'));

function receive(next) {
  skew = Date.parse(next.server_now) - Date.now(); // once per snapshot received
  draw(next);
}

function draw(next) {
  snapshot = next;
  $('lesson-name').textContent = next.lesson.name;
  $('teams-in').textContent = teamsIn(next.lesson.joined, next.lesson.teams);
  const level = next.level;
  if (!level) { show('welcome'); wakeAt([]); return; }
  if (level.state === 'revealed' && level.reveal) {
    show('reveal-view');
    if (window.Plotly) drawReveal(level);
    wakeAt([]);
    return;
  }
  show('live-view');
  if (boardLevel !== level.id) { previousRanks.clear(); arrows.clear(); boardLevel = level.id; }
  $('level-title').textContent = `${text.level_n.replace('{n}', level.position)} · ${level.title}`;
  $('level-state').textContent = text[level.state] || level.state;
  const rules = [text[`kind_${level.kind}`], text[`mode_${level.mode}`],
    level.slope_noise ? text.noisy_slopes.replace('{size}', fmt(level.slope_noise)) : null,
    level.variants ? text.variants : null].filter(Boolean);
  $('mode-rule').hidden = !rules.length;
  $('mode-rule').textContent = rules.join(' ');
  $('level-state').dataset.state = level.state;
  $('password-fact').hidden = !level.password;
  $('password').textContent = level.password || '';
  $('guess-total').textContent = level.guesses;
  drawPredictionBanner(level);
  drawBoard(level.standings, colourIndexes(level));
  drawActivity(level);
  drawRace(level);
  if (level.state === 'closed' && !level.standings.hidden) {
    $('standings-notice').textContent = text.closed_wait;
    $('standings-notice').hidden = false;
  }
  tickCountdown();
  wakeAt([level.freeze_at, level.deadline]);
}

function say(state) { $('live').dataset.live = state; }

setInterval(() => {
  tickCountdown();
  const level = snapshot.level;
  if (level && level.state === 'open' && !$('live-view').hidden) drawActivity(level);  // the cooldowns run
}, 1000);
receive(snapshot);
window.addEventListener('load', () => draw(snapshot));
const live = follow({
  stream: `/projector/${encodeURIComponent(code)}/stream`,
  poll: `/projector/${encodeURIComponent(code)}/state.json`,
  event: 'projector',
  onData: receive,
  onStatus: say,
});
