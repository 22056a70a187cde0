// The reveal of a level: the true curve and minimum, every team's guesses in its own colour
// with their tangent segments, the reference players as dashed paths, and a replay of the
// guesses in the order they were made (play, pause, step, speed). Used by the projector,
// the instructor's monitor and the teams' reveal page. On a level with noisy slopes, the
// true tangents are drawn dotted beside the noisy ones the teams received. On a
// two-parameter level the paths are drawn over a contour map of f(x, y) (plane.js).

import * as format from './format.js';
import { contour, layout as planeLayout, segments } from './plane.js';
import { teamColour, teamLabel } from './teams.js';

const GHOST_COLOURS = { gradient_descent: '#5a6b7d', momentum: '#b5651d', random_search: '#8a8f98', tangent_intersection: '#2e7d5b' };
const SPEEDS = [0.5, 1, 2, 4, 8];
const plotlyText = (value) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function mount(root, data, text, options = {}) {
  const chart = root.querySelector('[data-reveal-chart]');
  const controls = root.querySelector('[data-reveal-controls]');
  const label = (team) => teamLabel(team.number, team.name, text.team_n);
  const dark = Boolean(options.dark);
  const ink = dark ? '#e8edf3' : '#1b2330';
  const total = () => data.replay.length;
  let shown = options.startAtEnd === false ? 0 : total();
  let speed = 1;
  let timer = null;

  function tangents(points, span) {
    const x = [];
    const y = [];
    for (const [gx, fx, slope] of points) {
      x.push(gx - span, gx + span, null);
      y.push(fx - slope * span, fx + slope * span, null);
    }
    return { x, y };
  }

  function ghostTraces() {
    // the reference players as dashed paths, as far as the replay has come: [x, f] on a
    // curve, [x, y] on a plane (the first two numbers of each point either way)
    const fraction = total() ? shown / total() : 1;
    return data.ghosts.map((ghost) => {
      const path = ghost.path.slice(0, Math.max(1, Math.ceil(fraction * ghost.path.length)));
      return { name: text.ghosts[ghost.key], x: path.map((p) => p[0]), y: path.map((p) => p[1]),
        // random guesses joined by lines would only draw noise: points alone
        mode: ghost.key === 'random_search' ? 'markers' : 'markers+lines', line: { color: GHOST_COLOURS[ghost.key], width: 2, dash: 'dash' },
        marker: { color: GHOST_COLOURS[ghost.key], size: 6, symbol: 'circle-open' }, visible: options.ghosts === false ? 'legendonly' : true };
    });
  }

  function startTrace() {
    // a learning-rate or momentum level: every team and player stepped from here
    if (!data.start) return [];
    return [{ name: text.start, x: [data.start[0]], y: [data.start[1]], mode: 'markers',
      marker: { symbol: 'square-open', size: 14, color: ink, line: { width: 2 } } }];
  }

  function planeTraces(counts) {
    // a two-parameter level: the contour map, each team's path over it, the players' paths
    const out = [contour(data.plane, { name: text.curve }), ...startTrace()];
    data.teams.forEach((team, i) => {
      const points = team.guesses.slice(0, counts[i]);
      if (!points.length) return;
      const colour = teamColour(i);
      out.push({ name: plotlyText(label(team)), x: points.map((p) => p[0]), y: points.map((p) => p[1]),
        mode: 'markers+lines', line: { color: colour, width: 2 },
        marker: { color: colour, size: options.markerSize || 10, line: { color: '#fff', width: 1 } },
        text: points.map((p) => `f = ${format.shown(p[2])}`),
        hovertemplate: '%{text}<br>x = %{x}<br>y = %{y}<extra></extra>',
        showlegend: options.teamLegend !== false });
    });
    // a level with noisy gradients: at each guess −∇f as the team received it, and dotted
    // the true one ([x, y, f, gx, gy, true gx, true gy])
    const made = data.teams.flatMap((team, i) => team.guesses.slice(0, counts[i]));
    const noisy = made.filter((p) => p.length > 5);
    if (noisy.length) {
      const box = { x_min: data.x_min, x_max: data.x_max, y_min: data.y_min, y_max: data.y_max };
      const received = segments(noisy.map((p) => ({ x: p[0], y: p[1], gx: p[3], gy: p[4] })), box);
      const truth = segments(noisy.map((p) => ({ x: p[0], y: p[1], gx: p[5], gy: p[6] })), box);
      out.push({ name: text.received_gradients, ...received, mode: 'lines', hoverinfo: 'skip', line: { color: '#e07b00', width: 2 } });
      out.push({ name: text.true_gradients, ...truth, mode: 'lines', hoverinfo: 'skip', line: { color: ink, width: 2, dash: 'dot' } });
    }
    out.push(...ghostTraces());
    out.push({ name: text.minimum, x: [data.x_star], y: [data.y_star], mode: 'markers',
      marker: { symbol: 'diamond', size: 18, color: '#6a3fb5', line: { color: '#fff', width: 1 } } });
    return out;
  }

  function traces() {
    const span = (data.x_max - data.x_min) / 30;
    const counts = data.teams.map(() => 0);
    for (let k = 0; k < shown; k += 1) counts[data.replay[k][0]] += 1;
    if (data.plane) return planeTraces(counts);
    const out = [{
      name: text.curve, x: data.curve.map((p) => p[0]), y: data.curve.map((p) => p[1]),
      mode: 'lines', line: { color: dark ? '#9fb0c3' : '#9aa5b1', width: 3 }, hoverinfo: 'skip',
    }];
    out.push(...startTrace());
    data.teams.forEach((team, i) => {
      const points = team.guesses.slice(0, counts[i]);
      if (!points.length) return;
      const colour = teamColour(i);
      const t = tangents(points, span);
      out.push({ x: t.x, y: t.y, mode: 'lines', line: { color: colour, width: 3 }, opacity: 0.7,
        hoverinfo: 'skip', showlegend: false, legendgroup: `team-${i}` });
      out.push({ name: plotlyText(label(team)), x: points.map((p) => p[0]), y: points.map((p) => p[1]),
        mode: 'markers+lines', legendgroup: `team-${i}`, line: { color: colour, width: 1.5 },
        marker: { color: colour, size: options.markerSize || 10 }, showlegend: options.teamLegend !== false });
    });
    // a level with noisy slopes: the true tangents, dotted, beside the noisy ones received
    const truth = [];
    data.teams.forEach((team, i) => {
      for (const p of team.guesses.slice(0, counts[i])) if (p.length > 3) truth.push([p[0], p[1], p[3]]);
    });
    if (truth.length) {
      const t = tangents(truth, span);
      out.push({ name: text.true_slopes, x: t.x, y: t.y, mode: 'lines', hoverinfo: 'skip',
        line: { color: ink, width: 2, dash: 'dot' } });
    }
    out.push(...ghostTraces());
    out.push({ name: text.minimum, x: [data.x_star], y: [data.f_star], mode: 'markers',
      marker: { symbol: 'diamond', size: 18, color: '#6a3fb5', line: { color: '#fff', width: 1 } } });
    return out;
  }

  function layout() {
    if (data.plane) {
      const grid = dark ? '#2c3a4b' : '#e5e9ef';
      return planeLayout(data, {
        margin: { l: 56, r: 16, t: 8, b: 52 }, paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: 'rgba(0,0,0,0)',
        font: { color: ink, size: options.fontSize || 14 },
        xaxis: { range: [data.x_min, data.x_max], title: { text: 'x' }, gridcolor: grid, zeroline: false },
        yaxis: { range: [data.y_min, data.y_max], title: { text: 'y' }, gridcolor: grid, zeroline: false },
        legend: { orientation: 'h', traceorder: 'normal', x: 0, y: 1.02, yanchor: 'bottom', bgcolor: 'rgba(0,0,0,0)' },
        showlegend: true,
      });
    }
    const ys = data.curve.map((p) => p[1]);
    const low = Math.min(...ys);
    const high = Math.max(...ys);
    const pad = (high - low) * 0.08 || 1;
    return {
      margin: { l: 56, r: 16, t: 8, b: 52 },
      paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: 'rgba(0,0,0,0)',
      font: { color: ink, size: options.fontSize || 14 },
      xaxis: { range: [data.x_min, data.x_max], title: { text: 'x' }, gridcolor: dark ? '#2c3a4b' : '#e5e9ef', zeroline: false },
      yaxis: { range: [low - pad, high + pad], title: { text: 'f(x)' }, gridcolor: dark ? '#2c3a4b' : '#e5e9ef', zeroline: false },
      legend: { orientation: 'h', traceorder: 'normal', x: 0, y: 1.02, yanchor: 'bottom', bgcolor: 'rgba(0,0,0,0)' },
      hovermode: 'closest', dragmode: false, showlegend: true,
    };
  }

  function draw() {
    if (window.Plotly) window.Plotly.react(chart, traces(), layout(), { responsive: true, displayModeBar: false, staticPlot: Boolean(options.staticPlot) });
    if (controls) {
      controls.querySelector('[data-reveal-count]').textContent = text.step.replace('{k}', shown).replace('{n}', total());
      controls.querySelector('[data-reveal-play]').textContent = timer ? text.pause : (shown >= total() ? text.replay : text.play);
      controls.querySelector('[data-reveal-speed]').textContent = `${speed}×`;
    }
  }

  function stop() {
    clearInterval(timer);
    timer = null;
  }

  function tick() {
    if (shown >= total()) { stop(); draw(); return; }
    shown += 1;
    draw();
  }

  function play() {
    if (timer) { stop(); draw(); return; }
    if (shown >= total()) shown = 0;
    timer = setInterval(tick, 700 / speed);
    draw();
  }

  if (controls) {
    controls.querySelector('[data-reveal-play]').addEventListener('click', play);
    controls.querySelector('[data-reveal-step]').addEventListener('click', () => { stop(); if (shown < total()) shown += 1; draw(); });
    controls.querySelector('[data-reveal-back]').addEventListener('click', () => { stop(); if (shown > 0) shown -= 1; draw(); });
    controls.querySelector('[data-reveal-speed]').addEventListener('click', () => {
      speed = SPEEDS[(SPEEDS.indexOf(speed) + 1) % SPEEDS.length];
      if (timer) { stop(); play(); } else draw();
    });
  }
  draw();
  return {
    update(next) {
      // another level: stop its replay and start from its whole picture
      const sameLevel = next.level_id === data.level_id;
      if (!sameLevel) stop();
      const atEnd = shown >= total();
      data = next;
      shown = !sameLevel || (atEnd && !timer) ? total() : Math.min(shown, total());
      draw();
    },
    get shown() { return shown; },
    play,
  };
}

