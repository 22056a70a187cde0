// The instructor's live monitor: a snapshot of every team on a level, redrawn on each
// Server-Sent Event; when a stream cannot be kept open, it polls instead (live.js).

import { shown as fmt } from './format.js';
import { follow } from './live.js';
import { kindOf } from './kinds/index.js';
import { teamLabel } from './teams.js';

const data = JSON.parse(document.getElementById('monitor-data').textContent);
const text = data.text;
const status = document.getElementById('live-status');
const label = (team) => teamLabel(team.number, team.name, text.team_n);

function draw(snapshot) {
  if (snapshot.level.state !== data.snapshot.level.state) {
    // opened, closed or revealed (here or anywhere): the page's moves and the reveal follow
    window.location.reload();
    return;
  }
  const pill = document.getElementById('state-pill');
  pill.className = `pill pill-${snapshot.level.state}`;
  pill.textContent = text[`state_${snapshot.level.state}`];
  document.getElementById('guess-count').textContent = text.guesses.replace('{n}', snapshot.guesses);
  const ranked = snapshot.teams.slice().sort((a, b) =>
    (a.best_fx === null) - (b.best_fx === null) || (a.best_fx ?? 0) - (b.best_fx ?? 0) || a.number - b.number);
  document.querySelector('#monitor-table tbody').replaceChildren(...ranked.map((team) => {
    const row = document.createElement('tr');
    row.dataset.team = team.number;
    const last = team.last_guess_at ? new Date(team.last_guess_at).toLocaleTimeString([], { hour12: false }) : '–';
    const at = kindOf(snapshot.kind).point({ x: team.best_x, y: team.best_y });
    for (const value of [label(team), team.guesses, fmt(team.best_fx), at, last]) {
      row.insertCell().textContent = value;
    }
    return row;
  }));
  if (!window.Plotly) return;
  const { traces, layout } = kindOf(snapshot.kind).monitorChart(snapshot, { text, label });
  window.Plotly.react('chart', traces, layout, { responsive: true, displayModeBar: false });
}

function say(state) {
  status.dataset.live = state;
  status.textContent = text[state];
}

draw(data.snapshot);
window.addEventListener('load', () => draw(data.snapshot));
follow({
  stream: `/instructor/levels/${data.level_id}/monitor/stream`,
  poll: `/instructor/levels/${data.level_id}/monitor.json`,
  event: 'monitor',
  onData: draw,
  onStatus: say,
});
