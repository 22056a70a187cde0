// What every kind's charts and words share: filling a sentence, a number and a pair as they
// read, a team's name made safe for Plotly, the marks of the best guess and the true minimum.

import { shown } from './format.js';

// "{x} and {fx}" with the values given; an unknown name is left as written.
export const fill = (template, values) =>
  template.replace(/\{(\w+)\}/g, (_, name) => (name in values ? values[name] : `{${name}}`));

export const fmt = (value) => shown(value);

export const pair = (a, b) => `(${fmt(a)}, ${fmt(b)})`;

// Plotly reads <b>, <a href> and the like in trace names: a team's name is shown as typed.
export const plotlyText = (value) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export const MINIMUM = { symbol: 'diamond', color: '#6a3fb5' };

// The true minimum as a marker at (x, up): up is f* on a curve, y* on a plane.
export function minimum(name, x, up, size = 14) {
  return { name, x: [x], y: [up], mode: 'markers', marker: { ...MINIMUM, size, line: { color: '#fff', width: 1 } } };
}

// The play page's marks: the latest guess, the best so far and, once revealed, the true
// minimum, with `up` the vertical coordinate of a guess ('fx' on a curve, 'y' on a plane).
export function highlights(state, text, up, upLabel) {
  const out = [];
  const guesses = state.guesses;
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
      hovertemplate: `${text.best}<br>x = %{x}<br>${upLabel} = %{y}<extra></extra>`,
    });
  }
  if (state.reveal) {
    const r = state.reveal;
    out.push(minimum(text.minimum, r.x_star, up === 'y' ? r.y_star : r.f_star));
  }
  return out;
}

// A stepping level's path from its start: a dotted line and the start's square.
export function startPath(start, guesses, up, text, upLabel) {
  return [
    {
      name: text.path, x: [start.x, ...guesses.map((g) => g.x)], y: [start[up], ...guesses.map((g) => g[up])],
      mode: 'lines', line: { color: '#1f5fbf', width: 1, dash: 'dot' }, hoverinfo: 'skip',
    },
    {
      name: text.start, x: [start.x], y: [start[up]], mode: 'markers',
      marker: { symbol: 'square-open', size: 12, color: '#1f5fbf', line: { width: 2 } },
      hovertemplate: `${text.start}<br>x = %{x}<br>${upLabel} = %{y}<extra></extra>`,
    },
  ];
}

// The words in the middle of an empty chart.
export function emptyNote(words) {
  return {
    text: words, showarrow: false, xref: 'paper', yref: 'paper', x: 0.5, y: 0.5,
    font: { color: '#5b6b7b', size: 14 },
  };
}

export const clamp = (value, low, high) => Math.min(Math.max(value, low), high);

// A domain much wider than where f is interesting: half of it sits in the bottom tenth of
// the chart (the median of f is that close to its minimum), so the wells look flat.
// Suggests the x around the minimum where they would not, rounded out; null when fine.
function flatness(points) {
  const fs = points.map((p) => p[1]).sort((a, b) => a - b);
  const [low, top, median] = [fs[0], fs[fs.length - 1], fs[Math.floor(fs.length / 2)]];
  return { low, height: median - low, flat: top > low && median - low < 0.1 * (top - low) };
}

export function narrowerDomain(body) {
  let points = body.x.map((x, i) => [x, body.f[i]]).filter((p) => Number.isFinite(p[1]));
  if (points.length < 8 || !flatness(points).flat) return null;
  for (let round = 0; round < 8; round += 1) {
    const { low, height, flat } = flatness(points);
    if (!flat) break;
    const near = points.filter((p) => p[1] - low <= 2 * height);
    if (near.length < 8 || near.length === points.length) break;
    points = near;
  }
  const xs = points.map((p) => p[0]);
  const span = Math.max(...xs) - Math.min(...xs);
  const step = 10 ** Math.floor(Math.log10(span || 1)) / 10;
  return [Math.floor(Math.min(...xs) / step) * step, Math.ceil(Math.max(...xs) / step) * step];
}
