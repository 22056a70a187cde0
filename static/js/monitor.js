// The instructor's live monitor: a snapshot of every team on a level, redrawn on each
// Server-Sent Event; when a stream cannot be kept open, it polls instead (live.js).

import { shown as fmt } from './format.js';
import { follow } from './live.js';
import { contour, layout as planeLayout } from './plane.js';
import { teamColour, teamLabel } from './teams.js';

const data = JSON.parse(document.getElementById('monitor-data').textContent);
const text = data.text;
const status = document.getElementById('live-status');
// plotly reads <b>, <a href> and the like in trace names: a team's name is shown as typed
const plotlyText = (value) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const label = (team) => teamLabel(team.number, team.name, text.team_n);

function draw(snapshot) {
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
    const at = snapshot.plane && team.best_y !== null ? `(${fmt(team.best_x)}, ${fmt(team.best_y)})` : fmt(team.best_x);
    for (const value of [label(team), team.guesses, fmt(team.best_fx), at, last]) {
      row.insertCell().textContent = value;
    }
    return row;
  }));
  if (!window.Plotly) return;
  if (snapshot.plane) { drawPlane(snapshot); return; }
  const traces = [{
    name: text.curve, x: snapshot.curve.map((p) => p[0]), y: snapshot.curve.map((p) => p[1]),
    mode: 'lines', line: { color: '#9aa5b1', width: 2 }, hoverinfo: 'skip',
  }];
  snapshot.teams.forEach((team, i) => {
    if (!team.points.length) return;
    traces.push({
      name: plotlyText(label(team)), x: team.points.map((p) => p[0]), y: team.points.map((p) => p[1]),
      mode: 'markers+lines', line: { width: 1, color: teamColour(i) },
      marker: { size: 8, color: teamColour(i) },
    });
  });
  traces.push({ name: text.minimum, x: [snapshot.level.x_star], y: [snapshot.level.f_star], mode: 'markers',
    marker: { symbol: 'diamond', size: 14, color: '#6a3fb5' } });
  window.Plotly.react('chart', traces, {
    margin: { l: 48, r: 12, t: 12, b: 36 }, xaxis: { range: [snapshot.level.x_min, snapshot.level.x_max] },
    legend: { orientation: 'v' }, hovermode: 'closest',
  }, { responsive: true, displayModeBar: false });
}

function drawPlane(snapshot) {
  // a two-parameter level: each team's path of points over the contour map of f
  const traces = [contour(snapshot.plane, { name: text.curve })];
  snapshot.teams.forEach((team, i) => {
    if (!team.points.length) return;
    traces.push({
      name: plotlyText(label(team)), x: team.points.map((p) => p[0]), y: team.points.map((p) => p[1]),
      mode: 'markers+lines', line: { width: 1.5, color: teamColour(i) },
      marker: { size: 8, color: teamColour(i), line: { color: '#fff', width: 1 } },
    });
  });
  traces.push({ name: text.minimum, x: [snapshot.level.x_star], y: [snapshot.level.y_star], mode: 'markers',
    marker: { symbol: 'diamond', size: 14, color: '#6a3fb5' } });
  window.Plotly.react('chart', traces, planeLayout(snapshot.level, {
    margin: { l: 48, r: 12, t: 12, b: 36 }, legend: { orientation: 'v' },
  }), { responsive: true, displayModeBar: false });
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
