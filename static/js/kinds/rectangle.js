// A two-parameter level in the browser: f(x, y) over a rectangle. A point is (x, y), the
// gradient ∇f = (∂f/∂x, ∂f/∂y) (sent as `slope` and `gy`), and the picture a plane with an
// arrow along −∇f at each guess over, once f may be shown, a contour map of f (plane.js).
// The same exports as kinds/interval.js.

import { decimalsFor } from '../format.js';
import {
  clamp, emptyNote, fill, fmt, highlights, minimum, pair, plotlyText, startPath,
} from '../chart.js';
import { arrows, contour, layout as planeLayout, segments } from '../plane.js';
import { teamColour, teamSymbol } from '../teams.js';

export const name = 'rectangle';
export const f = 'f(x, y)';
export const bestKey = 'best_fxy';
export const coords = ['x', 'y'];

// ---- a point in words ---------------------------------------------------------------

export const point = (p) => (p.x === null || p.x === undefined ? fmt(null) : pair(p.x, p.y));
export const gradient = (p) => pair(p.slope, p.gy);
export const velocity = (p) => pair(p.velocity, p.velocity_y);
export const trueGradient = (g) => pair(g.true_slope, g.true_gy);
export const cells = (g) => [fmt(g.x), fmt(g.y), fmt(g.fx), fmt(g.slope), fmt(g.gy)];
export const delta = (before, after) => pair(after.x - before.x, after.y - before.y);

export const follow = (position, latest) => ({
  ...position, x: latest.x, fx: latest.fx, slope: latest.slope, velocity: latest.velocity || 0,
  y: latest.y, gy: latest.gy, velocity_y: latest.velocity_y || 0,
});

export function positionWords(at, text, momentum) {
  const words = fill(text.plane_position, { x: fmt(at.x), y: fmt(at.y), fx: fmt(at.fx), gx: fmt(at.slope), gy: fmt(at.gy) });
  return momentum ? `${words} ${fill(text.plane_velocity, { vx: fmt(at.velocity), vy: fmt(at.velocity_y) })}` : words;
}

// The same update coordinate by coordinate, each kept between its bounds.
export function previewWords(at, eta, beta, level, text, momentum) {
  const vx = beta * at.velocity - eta * at.slope;
  const vy = beta * at.velocity_y - eta * at.gy;
  const tx = clamp(at.x + vx, level.x_min, level.x_max);
  const ty = clamp(at.y + vy, level.y_min, level.y_max);
  const values = { x: fmt(at.x), y: fmt(at.y), eta: fmt(eta), beta: fmt(beta), gx: fmt(at.slope), gy: fmt(at.gy),
    vx: fmt(at.velocity), vy: fmt(at.velocity_y), nx: fmt(vx), ny: fmt(vy), tx: fmt(tx), ty: fmt(ty) };
  return fill(momentum ? text.plane_preview_momentum : text.plane_preview_step, values)
    + (tx !== at.x + vx || ty !== at.y + vy ? ` — ${text.clamped_short}` : '');
}

export function answerWords(guess, before, text) {
  const dx = before ? guess.x - before.x : 0;
  const dy = before ? guess.y - before.y : 0;
  const values = { x: fmt(guess.x), y: fmt(guess.y), fx: fmt(guess.fx), gx: fmt(guess.slope), gy: fmt(guess.gy), dx: fmt(dx), dy: fmt(dy) };
  if (!before) return fill(text.plane_answer, values);
  return `${fill(text.plane_step_answer, values)}${guess.clamped ? ` ${text.clamped}` : ''}`;
}

export function tap(full, px, py, level) {
  if (px < 0 || px > full._size.w || py < 0 || py > full._size.h) return null;
  return {
    x: full.xaxis.p2l(px).toFixed(decimalsFor(level.x_min, level.x_max)),
    y: full.yaxis.p2l(py).toFixed(decimalsFor(level.y_min, level.y_max)),
  };
}

// ---- the play page's chart ----------------------------------------------------------

const box = (level) => ({ x_min: level.x_min, x_max: level.x_max, y_min: level.y_min, y_max: level.y_max });

function playTraces(state, text, steps) {
  const guesses = state.guesses;
  const out = [];
  if (state.reveal) out.push(contour(state.reveal.plane, { name: text.curve }));
  if (steps && state.position) out.push(...startPath(state.position.start, guesses, 'y', text, 'y'));
  out.push({
    name: text.guesses, x: guesses.map((g) => g.x), y: guesses.map((g) => g.y), mode: 'markers',
    marker: { size: 9, color: '#1f5fbf', line: { color: '#fff', width: 1 } },
    text: guesses.map((g) => `#${g.seq}<br>f = ${fmt(g.fx)}`),
    hovertemplate: '%{text}<br>x = %{x}<br>y = %{y}<extra></extra>',
  });
  // a legend entry for the arrows, which are annotations
  out.push({ name: text.arrows, x: [null], y: [null], mode: 'lines', line: { color: '#e07b00', width: 2 } });
  out.push(...highlights(state, text, 'y', 'y'));
  return out;
}

// The plane: the contour map once revealed, the path, every guess, an arrow along −∇f.
export function playChart(state, level, text, steps) {
  const points = state.guesses.map((g) => ({ x: g.x, y: g.y, gx: g.slope, gy: g.gy }));
  if (steps && state.position && !state.guesses.length) {
    const start = state.position.start;
    points.push({ x: start.x, y: start.y, gx: start.slope, gy: start.gy });
  }
  const empty = !(state.guesses.length || state.reveal || steps);
  const layout = planeLayout(box(level), {
    showlegend: !empty,
    annotations: [...arrows(points, box(level)), ...(empty ? [emptyNote(text.empty_chart)] : [])],
  });
  return { traces: playTraces(state, text, steps), layout };
}

// ---- the reveal -----------------------------------------------------------------------

// The contour map and each team's path over it ([x, y, f, gx, gy(, true gx, true gy)]);
// on a level with noisy gradients, −∇f at each guess as received and, dotted, the true one.
export function revealTraces(data, counts, look) {
  const out = [contour(data.plane, { name: look.text.curve }), ...look.start];
  data.teams.forEach((team, i) => {
    const points = team.guesses.slice(0, counts[i]);
    if (!points.length) return;
    const colour = teamColour(i);
    out.push({ name: plotlyText(look.label(team)), x: points.map((p) => p[0]), y: points.map((p) => p[1]),
      mode: 'markers+lines', line: { color: colour, width: 2 },
      marker: { color: colour, size: look.markerSize, symbol: teamSymbol(i), line: { color: '#fff', width: 1 } },
      text: points.map((p) => `f = ${fmt(p[2])}`),
      hovertemplate: '%{text}<br>x = %{x}<br>y = %{y}<extra></extra>',
      showlegend: look.teamLegend });
  });
  const made = data.teams.flatMap((team, i) => team.guesses.slice(0, counts[i]));
  const noisy = made.filter((p) => p.length > 5);
  if (noisy.length) {
    const received = segments(noisy.map((p) => ({ x: p[0], y: p[1], gx: p[3], gy: p[4] })), box(data));
    const truth = segments(noisy.map((p) => ({ x: p[0], y: p[1], gx: p[5], gy: p[6] })), box(data));
    out.push({ name: look.text.received_gradients, ...received, mode: 'lines', hoverinfo: 'skip', line: { color: '#e07b00', width: 2 } });
    out.push({ name: look.text.true_gradients, ...truth, mode: 'lines', hoverinfo: 'skip', line: { color: look.ink, width: 2, dash: 'dot' } });
  }
  return out;
}

export const minimumAt = (data) => [data.x_star, data.y_star];

export function revealAxes(data, whole = false) {
  // the whole rectangle, or (unless `whole`) where the play happened (app/game/view.py)
  const [x0, x1, y0, y1] = !whole && data.window ? data.window : [data.x_min, data.x_max, data.y_min, data.y_max];
  return {
    xaxis: { range: [x0, x1], title: { text: 'x' }, zeroline: false, automargin: true },
    yaxis: { range: [y0, y1], title: { text: 'y' }, zeroline: false, automargin: true },
  };
}

// ---- the instructor's monitor and editor ------------------------------------------------

// Each team's path of points ([x, y, f]) over the contour map of f.
export function monitorChart(snapshot, look) {
  const traces = [contour(snapshot.plane, { name: look.text.curve })];
  snapshot.teams.forEach((team, i) => {
    if (!team.points.length) return;
    traces.push({
      name: plotlyText(look.label(team)), x: team.points.map((p) => p[0]), y: team.points.map((p) => p[1]),
      mode: 'markers+lines', line: { width: 1.5, color: teamColour(i) },
      marker: { size: 8, color: teamColour(i), symbol: teamSymbol(i), line: { color: '#fff', width: 1 } },
    });
  });
  traces.push(minimum(look.text.minimum, snapshot.level.x_star, snapshot.level.y_star));
  return {
    traces,
    layout: planeLayout(snapshot.level, { margin: { l: 48, r: 12, t: 12, b: 36 }, legend: { orientation: 'v' } }),
  };
}

export function previewChart(body, text) {
  return {
    facts: fill(text.plane_facts, { x: fmt(body.x_star), y: fmt(body.y_star), f: fmt(body.f_star), median: fmt(body.f_median) }),
    traces: [contour(body.plane), minimum(text.minimum, body.x_star, body.y_star, 12)],
    layout: planeLayout(body.plane, { margin: { l: 48, r: 12, t: 24, b: 36 }, legend: { orientation: 'h', y: 1.12 } }),
  };
}
