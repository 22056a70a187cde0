// A one-parameter level in the browser: f(x) over [x_min, x_max]. A point is its x, the
// gradient the slope f′(x), and the picture a curve with a tangent segment at each guess.
//
// Every page asks the level's kind (kinds/index.js, by the server's `kind`) for its words
// and charts instead of branching on it. A new kind is a module beside this one with the
// same exports, registered in kinds/index.js (the server's half is app/game/domain.py).

import { decimalsFor } from '../format.js';
import {
  narrowerDomain,
  clamp, emptyNote, fill, fmt, highlights, minimum, plotlyText, startPath,
} from '../chart.js';
import { teamColour, teamSymbol } from '../teams.js';

export const name = 'interval';
export const f = 'f(x)';
export const bestKey = 'best_fx'; // the page's words for a team's best value
export const coords = ['x']; // what a team types for a free guess

// ---- a point in words ---------------------------------------------------------------

export const point = (p) => fmt(p.x);
export const gradient = (p) => fmt(p.slope);
export const velocity = (p) => fmt(p.velocity);
export const trueGradient = (g) => fmt(g.true_slope);
export const cells = (g) => [fmt(g.x), fmt(g.fx), fmt(g.slope)]; // a history row's point
export const delta = (before, after) => fmt(after.x - before.x); // a step's move

// Where a stepping team stands after its latest step.
export const follow = (position, latest) => ({
  ...position, x: latest.x, fx: latest.fx, slope: latest.slope, velocity: latest.velocity || 0,
});

export function positionWords(at, text, momentum) {
  const words = fill(text.position, { x: fmt(at.x), fx: fmt(at.fx), slope: fmt(at.slope) });
  return momentum ? `${words} ${fill(text.velocity, { v: fmt(at.velocity) })}` : words;
}

// What the server will do with η (and β) from `at`, before the team presses Step.
export function previewWords(at, eta, beta, level, text, momentum) {
  const v = beta * at.velocity - eta * at.slope;
  const to = clamp(at.x + v, level.x_min, level.x_max);
  const values = { x: fmt(at.x), eta: fmt(eta), beta: fmt(beta), slope: fmt(at.slope), v: fmt(at.velocity), nv: fmt(v), to: fmt(to) };
  return fill(momentum ? text.preview_momentum : text.preview_step, values)
    + (to !== at.x + v ? ` — ${text.clamped_short}` : '');
}

// The answer to a guess; `before` is where a step started (null on a free-guess level).
export function answerWords(guess, before, text) {
  const b = guess.fx - guess.slope * guess.x;
  const line = `${fmt(guess.slope)}·x ${b < 0 ? '-' : '+'} ${fmt(Math.abs(b))}`;
  const values = { x: fmt(guess.x), fx: fmt(guess.fx), slope: fmt(guess.slope), line };
  if (!before) return fill(text.answer, values);
  return `${fill(text.step_answer, { ...values, dx: fmt(guess.x - before.x) })}${guess.clamped ? ` ${text.clamped}` : ''}`;
}

// A tap on the chart: the x under it, or null outside the plot (never half a point).
export function tap(full, px, py, level) {
  if (px < 0 || px > full._size.w) return null;
  return { x: full.xaxis.p2l(px).toFixed(decimalsFor(level.x_min, level.x_max)) };
}

// ---- the play page's chart ----------------------------------------------------------

// Tangent segments span 8% of the domain, each its own short dashed stroke (solid ones
// end to end would read as a curve, the hidden one); the y axis shows every point with
// room around it, and a steep tangent is cut at the edge of the plot instead of squashing it.
function segment(g, level) {
  const half = 0.04 * (level.x_max - level.x_min);
  const x0 = Math.max(level.x_min, g.x - half);
  const x1 = Math.min(level.x_max, g.x + half);
  return [x0, x1, g.fx + g.slope * (x0 - g.x), g.fx + g.slope * (x1 - g.x)];
}

function guessesRange(state, level, steps) {
  const guesses = steps && state.position ? [{ ...state.position.start, seq: 0 }, ...state.guesses] : state.guesses;
  const fxs = guesses.map((g) => g.fx);
  const low = Math.min(...fxs);
  const high = Math.max(...fxs);
  const ends = guesses.flatMap((g) => segment(g, level).slice(2));
  // one point: leave room for its tangent to show its real steepness across the plot
  const width = level.x_max - level.x_min;
  const room = high > low ? 0.75 * (high - low) : Math.max(Math.abs(guesses[0].slope) * 0.25 * width, 1);
  const bottom = Math.max(Math.min(...ends), low - room);
  const top = Math.min(Math.max(...ends), high + room);
  const pad = 0.08 * Math.max(top - bottom, 1e-9);
  return [Math.min(bottom, low - pad), Math.max(top, high + pad)];
}

// The guesses with room around them; after the reveal, the whole curve as well.
function yRange(state, level, steps) {
  let range = state.guesses.length || (steps && state.position) ? guessesRange(state, level, steps) : null;
  if (state.reveal && state.reveal.window) return state.reveal.window.slice(2);  // app/game/view.py
  if (state.reveal) {
    const curve = state.reveal.curve.map((p) => p[1]);
    const pad = 0.05 * (Math.max(...curve) - Math.min(...curve) || 1);
    const [bottom, top] = range || [Infinity, -Infinity];
    range = [Math.min(bottom, Math.min(...curve) - pad), Math.max(top, Math.max(...curve) + pad)];
  }
  return range;
}

function playTraces(state, level, text, steps) {
  const guesses = state.guesses;
  const out = [];
  if (state.reveal) {
    out.push({
      name: text.curve, x: state.reveal.curve.map((p) => p[0]), y: state.reveal.curve.map((p) => p[1]),
      mode: 'lines', line: { color: '#9aa5b1', width: 2 }, hoverinfo: 'skip',
    });
  }
  if (steps && state.position) out.push(...startPath(state.position.start, guesses, 'fx', text, 'f(x)'));
  const tx = [];
  const ty = [];
  for (const g of guesses) {
    const [x0, x1, y0, y1] = segment(g, level);
    tx.push(x0, x1, null);
    ty.push(y0, y1, null);
  }
  out.push({ name: text.tangents, x: tx, y: ty, mode: 'lines', line: { color: '#e07b00', width: 2.5, dash: 'dash' }, hoverinfo: 'skip' });
  out.push({
    name: text.guesses, x: guesses.map((g) => g.x), y: guesses.map((g) => g.fx), mode: 'markers',
    marker: { size: 9, color: '#1f5fbf' },
    text: guesses.map((g) => `#${g.seq}`),
    hovertemplate: '%{text}<br>x = %{x}<br>f(x) = %{y}<extra></extra>',
  });
  out.push(...highlights(state, text, 'fx', 'f(x)'));
  return out;
}

// The play page's chart: { traces, layout } for Plotly.
export function playChart(state, level, text, steps) {
  const range = yRange(state, level, steps);
  const drawn = Boolean(state.guesses.length || state.reveal || steps);
  const layout = {
    margin: { l: 48, r: 12, t: 12, b: 40 },
    xaxis: {
      range: state.reveal?.window ? state.reveal.window.slice(0, 2) : [level.x_min, level.x_max],
      fixedrange: true, title: { text: 'x' }, zeroline: true, automargin: true,
    },
    yaxis: {
      fixedrange: true, title: { text: 'f(x)' }, zeroline: true, automargin: true,
      ...(range ? { range } : { range: [0, 1], showticklabels: false }),
    },
    showlegend: drawn,
    legend: { orientation: 'h', x: 0, y: 1.02, yanchor: 'bottom' },
    annotations: drawn ? [] : [emptyNote(text.empty_chart)],
    dragmode: false, hovermode: 'closest', paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: '#fff',
  };
  return { traces: playTraces(state, level, text, steps), layout };
}

// ---- the reveal (projector, monitor, the teams' reveal page) ---------------------------

function tangents(points, span) {
  const x = [];
  const y = [];
  for (const [gx, fx, slope] of points) {
    x.push(gx - span, gx + span, null);
    y.push(fx - slope * span, fx + slope * span, null);
  }
  return { x, y };
}

// The curve, each team's guesses ([x, f, slope(, true slope)]) with their tangents as far
// as the replay has come (`counts`), and on a noisy level the true tangents dotted.
export function revealTraces(data, counts, look) {
  const span = (data.x_max - data.x_min) / 30;
  const out = [{
    name: look.text.curve, x: data.curve.map((p) => p[0]), y: data.curve.map((p) => p[1]),
    mode: 'lines', line: { color: look.dark ? '#9fb0c3' : '#9aa5b1', width: 3 }, hoverinfo: 'skip',
  }];
  out.push(...look.start);
  const truth = [];
  data.teams.forEach((team, i) => {
    const points = team.guesses.slice(0, counts[i]);
    if (!points.length) return;
    const colour = teamColour(i);
    const t = tangents(points, span);
    out.push({ x: t.x, y: t.y, mode: 'lines', line: { color: colour, width: 2.5, dash: 'dash' }, opacity: 0.8,
      hoverinfo: 'skip', showlegend: false, legendgroup: `team-${i}` });
    out.push({ name: plotlyText(look.label(team)), x: points.map((p) => p[0]), y: points.map((p) => p[1]),
      mode: 'markers+lines', legendgroup: `team-${i}`, line: { color: colour, width: 1.5 },
      marker: { color: colour, size: look.markerSize, symbol: teamSymbol(i) }, showlegend: look.teamLegend });
    for (const p of points) if (p.length > 3) truth.push([p[0], p[1], p[3]]);
  });
  if (truth.length) {
    const t = tangents(truth, span);
    out.push({ name: look.text.true_slopes, x: t.x, y: t.y, mode: 'lines', hoverinfo: 'skip',
      line: { color: look.ink, width: 2, dash: 'dot' } });
  }
  return out;
}

// The true minimum's place on the chart: (x*, f*).
export const minimumAt = (data) => [data.x_star, data.f_star];

// The whole domain, or (unless `whole`) the window where the play happened (the server's
// rule, app/game/view.py): the curve is clipped to it, never the points.
export function revealAxes(data, whole = false) {
  if (!whole && data.window) {
    const [x0, x1, y0, y1] = data.window;
    return {
      xaxis: { range: [x0, x1], title: { text: 'x' }, zeroline: false, automargin: true },
      yaxis: { range: [y0, y1], title: { text: 'f(x)' }, zeroline: false, automargin: true },
    };
  }
  const ys = data.curve.map((p) => p[1]);
  const low = Math.min(...ys);
  const high = Math.max(...ys);
  const pad = (high - low) * 0.08 || 1;
  return {
    xaxis: { range: [data.x_min, data.x_max], title: { text: 'x' }, zeroline: false, automargin: true },
    yaxis: { range: [low - pad, high + pad], title: { text: 'f(x)' }, zeroline: false, automargin: true },
  };
}

// ---- the instructor's monitor and editor ------------------------------------------------

// The curve and each team's points ([x, f]) over it.
export function monitorChart(snapshot, look) {
  const traces = [{
    name: look.text.curve, x: snapshot.curve.map((p) => p[0]), y: snapshot.curve.map((p) => p[1]),
    mode: 'lines', line: { color: '#9aa5b1', width: 2 }, hoverinfo: 'skip',
  }];
  snapshot.teams.forEach((team, i) => {
    if (!team.points.length) return;
    traces.push({
      name: plotlyText(look.label(team)), x: team.points.map((p) => p[0]), y: team.points.map((p) => p[1]),
      mode: 'markers+lines', line: { width: 1, color: teamColour(i) },
      marker: { size: 8, color: teamColour(i), symbol: teamSymbol(i) },
    });
  });
  traces.push(minimum(look.text.minimum, snapshot.level.x_star, snapshot.level.f_star));
  return {
    traces,
    layout: {
      margin: { l: 48, r: 12, t: 12, b: 36 }, xaxis: { range: [snapshot.level.x_min, snapshot.level.x_max] },
      legend: { orientation: 'v' }, hovermode: 'closest',
    },
  };
}

// The editor's preview: f and f′ over the domain and the true minimum, with its facts.
export function previewChart(body, text) {
  const narrower = narrowerDomain(body);
  return {
    facts: fill(text.facts, { x: fmt(body.x_star), f: fmt(body.f_star), median: fmt(body.f_median) }),
    warning: narrower && fill(text.too_wide, { from: fmt(narrower[0]), to: fmt(narrower[1]) }),
    traces: [
      { x: body.x, y: body.f, name: text.f, mode: 'lines', line: { color: '#1f5fbf', width: 2 } },
      { x: body.x, y: body.df, name: text.df, mode: 'lines', yaxis: 'y2', line: { color: '#e07b00', width: 1.5, dash: 'dot' } },
      minimum(text.minimum, body.x_star, body.f_star, 12),
    ],
    layout: {
      margin: { l: 48, r: 48, t: 24, b: 36 },
      xaxis: { range: [body.x[0], body.x[body.x.length - 1]], fixedrange: true },
      yaxis: { fixedrange: true, title: { text: 'f(x)' } },
      yaxis2: { overlaying: 'y', side: 'right', fixedrange: true, showgrid: false, title: { text: 'f′(x)' } },
      legend: { orientation: 'h', y: 1.12 }, dragmode: false,
    },
  };
}
