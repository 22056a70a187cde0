// The reveal of a level: the true curve and minimum, every team's guesses in its own colour
// with their tangent segments, the reference players as dashed paths, and a replay of the
// guesses in the order they were made (play, pause, step, speed). Used by the projector,
// the instructor's monitor and the teams' reveal page. The level's kind (kinds/) draws its
// picture of f and the teams' guesses over it: a curve with tangents, or a contour map of
// f(x, y) with paths; on a level with noisy slopes, the true ones dotted beside them.

import { minimum } from './chart.js';
import { fitChart } from './fits.js';
import { kindOf } from './kinds/index.js';
import { teamLabel } from './teams.js';

const GHOST_COLOURS = {
  gradient_descent: '#5a6b7d', momentum: '#b5651d', random_search: '#8a8f98', tangent_intersection: '#2e7d5b',
  adam: '#c51b7d', rmsprop: '#4d9221', bayesian: '#2166ac',
};
const SPEEDS = [0.5, 1, 2, 4, 8];
const JUMPERS = ['random_search', 'bayesian'];  // players that jump rather than walk

// The method a team's guesses resemble (app/game/mirror.py), short: "bisection".
export function mirrorWords(mirror, text) {
  if (!mirror) return '';
  return (text.mirror[mirror.method] || mirror.method).replace('{eta}', String(mirror.eta));
}

export function mount(root, data, text, options = {}) {
  const chart = root.querySelector('[data-reveal-chart]');
  const fitsChart = root.querySelector('[data-reveal-fits]');  // a model's loss: its output over the data
  const controls = root.querySelector('[data-reveal-controls]');
  const label = (team) => teamLabel(team.number, team.name, text.team_n);
  const dark = Boolean(options.dark);
  const ink = dark ? '#e8edf3' : '#1b2330';
  const total = () => data.replay.length;
  const kind = () => kindOf(data.kind); // the level's kind draws it (a new level may be another)
  let shown = options.startAtEnd === false ? 0 : total();
  let speed = 1;
  let timer = null;
  let whole = false;  // the whole domain, or where the play happened

  function ghostTraces() {
    // the reference players as dashed paths, as far as the replay has come: [x, f] on a
    // curve, [x, y] on a plane (the first two numbers of each point either way)
    const fraction = total() ? shown / total() : 1;
    return data.ghosts.map((ghost) => {
      const path = ghost.path.slice(0, Math.max(1, Math.ceil(fraction * ghost.path.length)));
      return { name: text.ghosts[ghost.key], x: path.map((p) => p[0]), y: path.map((p) => p[1]),
        // jumps across the domain joined by lines would only draw noise: points alone
        mode: JUMPERS.includes(ghost.key) ? 'markers' : 'markers+lines', line: { color: GHOST_COLOURS[ghost.key], width: 2, dash: 'dash' },
        marker: { color: GHOST_COLOURS[ghost.key], size: 6, symbol: 'circle-open' }, visible: options.ghosts === false ? 'legendonly' : true };
    });
  }

  function startTrace() {
    // a learning-rate or momentum level: every team and player stepped from here
    if (!data.start) return [];
    return [{ name: text.start, x: [data.start[0]], y: [data.start[1]], mode: 'markers',
      marker: { symbol: 'square-open', size: 14, color: ink, line: { width: 2 } } }];
  }

  function traces() {
    // the kind's picture and each team's guesses as far as the replay has come, then the
    // level's start, the reference players and the true minimum
    const counts = data.teams.map(() => 0);
    for (let k = 0; k < shown; k += 1) counts[data.replay[k][0]] += 1;
    const look = {
      text, dark, ink, label, start: startTrace(),
      markerSize: options.markerSize || 10, teamLegend: options.teamLegend !== false,
    };
    const [x, up] = kind().minimumAt(data);
    return [...kind().revealTraces(data, counts, look), ...ghostTraces(), minimum(text.minimum, x, up, 18)];
  }

  // on a phone the legends go under the charts, in small print, so the charts keep their height
  const isNarrow = () => Boolean(window.matchMedia?.('(max-width: 540px)').matches);  // as app.css

  function layout() {
    const grid = dark ? '#2c3a4b' : '#e5e9ef';
    const { xaxis, yaxis } = kind().revealAxes(data, whole);
    const narrow = isNarrow();
    const legend = narrow
      ? { orientation: 'h', traceorder: 'normal', x: 0, y: -0.16, yanchor: 'top', font: { size: 11 }, bgcolor: 'rgba(0,0,0,0)' }
      : { orientation: 'h', traceorder: 'normal', x: 0, y: 1.02, yanchor: 'bottom', bgcolor: 'rgba(0,0,0,0)' };
    return {
      margin: { l: 56, r: 16, t: 8, b: narrow ? 215 : 52 },
      paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: 'rgba(0,0,0,0)',
      font: { color: ink, size: options.fontSize || 14 },
      xaxis: { ...xaxis, gridcolor: grid }, yaxis: { ...yaxis, gridcolor: grid },
      legend,
      hovermode: 'closest', dragmode: false, showlegend: true,
    };
  }

  function drawFits(config) {
    if (!fitsChart || !data.fits || !window.Plotly) return;
    const drawn = fitChart(data.fits, {
      text, ink, label, teams: data.teams, ghosts: data.ghosts, ghostColours: GHOST_COLOURS,
      grid: dark ? '#2c3a4b' : '#e5e9ef', fontSize: options.fontSize, teamLegend: options.teamLegend !== false,
      narrow: isNarrow(),
    });
    window.Plotly.react(fitsChart, drawn.traces, drawn.layout, config);
  }

  function draw() {
    const config = { responsive: true, displayModeBar: false, staticPlot: Boolean(options.staticPlot) };
    const resized = fitsChart && fitsChart.hidden !== !data.fits;
    if (fitsChart) fitsChart.hidden = !data.fits;  // beside the chart on the projector: first
    if (window.Plotly) window.Plotly.react(chart, traces(), layout(), config);
    if (resized && window.Plotly && chart.data) window.Plotly.Plots.resize(chart);
    drawFits(config);
    if (controls) {
      controls.querySelector('[data-reveal-count]').textContent = text.step.replace('{k}', shown).replace('{n}', total());
      controls.querySelector('[data-reveal-play]').textContent = timer ? text.pause : (shown >= total() ? text.replay : text.play);
      controls.querySelector('[data-reveal-speed]').textContent = `${speed}×`;
      const view = controls.querySelector('[data-reveal-view]');
      view.hidden = !data.window;
      view.textContent = whole ? text.play_area : text.whole_domain;
      view.setAttribute('aria-pressed', String(whole));
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
    controls.querySelector('[data-reveal-view]').addEventListener('click', () => { whole = !whole; draw(); });
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

