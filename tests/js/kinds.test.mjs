// Level kinds and moves in the browser: every page asks them instead of branching on a
// flag, so every kind must answer the same questions, and each answers them its own way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KINDS, kindOf } from '../../static/js/kinds/index.js';
import { MOVES, moveOf, outOfBounds } from '../../static/js/moves.js';

const text = {
  position: 'at {x}: f={fx}, slope {slope}.', velocity: 'v={v}.',
  plane_position: 'at ({x}, {y}): f={fx}, ∇f=({gx}, {gy}).', plane_velocity: 'v=({vx}, {vy}).',
  preview_step: '{x} − {eta}·{slope} → {to}', preview_momentum: 'v={nv} → {to}',
  plane_preview_step: '→ ({tx}, {ty})', plane_preview_momentum: 'v=({nx}, {ny}) → ({tx}, {ty})',
  answer: 'f({x}) = {fx}; tangent y = {line}', step_answer: 'moved {dx} to {x}: f = {fx}',
  plane_answer: 'f({x}, {y}) = {fx}, ∇f = ({gx}, {gy})', plane_step_answer: 'moved ({dx}, {dy}) to ({x}, {y})',
  clamped: '(stopped at the edge)', clamped_short: 'edge',
  facts: 'min at {x}: {f}; median {median}', plane_facts: 'min at ({x}, {y}): {f}; median {median}',
  curve: 'curve', minimum: 'minimum', f: 'f', df: 'df', empty_chart: 'empty', tangents: 't', guesses: 'g',
  latest: 'latest', best: 'best', path: 'path', start: 'start', arrows: 'arrows',
  true_slopes: 'true', received_gradients: 'received', true_gradients: 'true',
};
const line = { x_min: -10, x_max: 10 };
const square = { x_min: -2, x_max: 2, y_min: -1, y_max: 1 };

test('every kind answers what the pages ask, under the name the server gives it', () => {
  const asked = Object.keys(KINDS.interval).sort();
  for (const [name, kind] of Object.entries(KINDS)) {
    assert.equal(kind.name, name);
    assert.deepEqual(Object.keys(kind).sort(), asked, `${name} exports what interval exports`);
  }
  assert.equal(kindOf('rectangle'), KINDS.rectangle);
  assert.throws(() => kindOf('cube'), /unknown level kind: cube/);
});

test('a point, its gradient and a step read in the kind\'s own coordinates', () => {
  const g = { x: 1.5, y: -0.25, fx: 3, slope: 2, gy: -4, velocity: 0.5, velocity_y: 1, true_slope: 2.1, true_gy: -3.9 };
  assert.equal(kindOf('interval').point(g), '1.5');
  assert.equal(kindOf('rectangle').point(g), '(1.5, -0.25)');
  assert.equal(kindOf('rectangle').point({ x: null, y: null }), '–'); // a team with no guess yet
  assert.deepEqual(kindOf('interval').cells(g), ['1.5', '3', '2']);
  assert.deepEqual(kindOf('rectangle').cells(g), ['1.5', '-0.25', '3', '2', '-4']);
  assert.equal(kindOf('rectangle').trueGradient(g), '(2.1, -3.9)');
  assert.equal(kindOf('interval').delta({ x: 1 }, { x: 0.25 }), '-0.75');
  assert.equal(kindOf('rectangle').delta({ x: 1, y: 1 }, { x: 0.5, y: 2 }), '(-0.5, 1)');
});

test('the step preview is the server\'s update, stopped at the walls', () => {
  const at = { x: 2, fx: 1, slope: 4, velocity: 1, y: 0.5, gy: -10, velocity_y: 0 };
  assert.equal(kindOf('interval').previewWords(at, 0.5, 0, line, text, false), '2 − 0.5·4 → 0');
  // v ← 0.9·1 − 0.5·4 = −1.1: x goes to 0.9
  assert.equal(kindOf('interval').previewWords(at, 0.5, 0.9, line, text, true), 'v=-1.1 → 0.9');
  assert.equal(kindOf('interval').previewWords(at, -5, 0, line, text, false), '2 − -5·4 → 10 — edge');
  // y: 0.5 + 0.1·10 = 1.5, kept at 1
  assert.equal(kindOf('rectangle').previewWords(at, 0.1, 0, square, text, false), '→ (1.6, 1) — edge');
});

test('an answer names the tangent on a curve and the gradient on a plane', () => {
  const g = { x: 2, y: 1, fx: 5, slope: 3, gy: -1, clamped: true };
  assert.equal(kindOf('interval').answerWords(g, null, text), 'f(2) = 5; tangent y = 3·x - 1');
  assert.equal(kindOf('interval').answerWords(g, { x: 1.5 }, text), 'moved 0.5 to 2: f = 5 (stopped at the edge)');
  assert.equal(kindOf('rectangle').answerWords(g, null, text), 'f(2, 1) = 5, ∇f = (3, -1)');
  assert.equal(kindOf('rectangle').answerWords(g, { x: 2, y: 2 }, text), 'moved (0, -1) to (2, 1) (stopped at the edge)');
});

test('a tap fills the point under it, and nothing off the plot', () => {
  const full = { _size: { w: 200, h: 100 }, xaxis: { p2l: (px) => px / 10 - 10 }, yaxis: { p2l: (py) => 1 - py / 50 } };
  assert.deepEqual(kindOf('interval').tap(full, 105, 500, line), { x: '0.50' });
  assert.equal(kindOf('interval').tap(full, -1, 50, line), null);
  assert.deepEqual(kindOf('rectangle').tap(full, 100, 25, square), { x: '0.000', y: '0.500' });
  assert.equal(kindOf('rectangle').tap(full, 100, 101, square), null);
});

test('each kind draws the play page, the monitor and the editor\'s preview', () => {
  const guess = { seq: 1, x: 1, y: 0.5, fx: 2, slope: 1, gy: 1 };
  const state = { guesses: [guess], best: guess, reveal: null, position: null };
  const curve = kindOf('interval').playChart(state, line, text, false);
  assert.ok(curve.traces.some((t) => t.name === 't'), 'tangents on a curve');
  assert.deepEqual(curve.layout.xaxis.range, [-10, 10]);
  const plane = kindOf('rectangle').playChart(state, square, text, false);
  assert.equal(plane.layout.annotations.length, 1, 'an arrow along −∇f at the guess');
  const body = { x: [0, 1], f: [1, 2], df: [1, 1], x_star: 0, f_star: 1, f_median: 1.5 };
  assert.equal(kindOf('interval').previewChart(body, text).facts, 'min at 0: 1; median 1.5');
  const grid = { x: [0, 1], y: [0, 1], z: [[1, 2], [3, null]] };
  const drawn = kindOf('rectangle').previewChart({ ...body, y_star: 0, plane: grid }, text);
  assert.equal(drawn.traces[0].type, 'contour');
});

test('a move says what a team chooses and what its history rows add', () => {
  const g = { eta: 0.1, beta: 0.9, velocity: -0.2 };
  assert.deepEqual(moveOf('free').fields(kindOf('rectangle')), ['x', 'y']);
  assert.deepEqual(moveOf('momentum').fields(kindOf('rectangle')), ['eta', 'beta']);
  assert.deepEqual(moveOf('learning_rate').cells(g, kindOf('interval'), '-0.2'), ['0.1', '-0.2']);
  assert.deepEqual(moveOf('momentum').cells(g, kindOf('interval'), '-0.2'), ['0.1', '0.9', '-0.2', '-0.2']);
  assert.equal(Object.values(MOVES).filter((m) => m.steps).length, 2);
  assert.throws(() => moveOf('teleport'), /unknown mode/);
});

test('the preview flags an η or a β the server would refuse, before it is sent', () => {
  const level = { eta_max: 0.5, beta_max: 0.95 };
  const names = (eta, beta, mode) => outOfBounds(eta, beta, level, moveOf(mode)).map((o) => o.name);
  assert.deepEqual(names(0.5, 0, 'learning_rate'), []);
  assert.deepEqual(names(0.51, 0, 'learning_rate'), ['eta']);
  assert.deepEqual(names(0, 0, 'learning_rate'), ['eta']); // η must be above 0
  assert.deepEqual(names(-1, 2, 'learning_rate'), ['eta']); // β is not this level's
  assert.deepEqual(names(0.1, 0.95, 'momentum'), []);
  assert.deepEqual(names(0.1, 0.96, 'momentum'), ['beta']);
  assert.deepEqual(names(1, -0.1, 'momentum'), ['eta', 'beta']);
  assert.deepEqual(outOfBounds(1, 0, level, moveOf('learning_rate'))[0].high, 0.5);
  assert.deepEqual(names(100, 100, 'free'), []); // nothing to bound on a free guess
});

test('the editor suggests a narrower domain when the wells would look flat', async () => {
  const { narrowerDomain: tooWide } = await import('../../static/js/chart.js');
  const sample = (f, lo, hi) => {
    const x = Array.from({ length: 401 }, (_, i) => lo + (i * (hi - lo)) / 400);
    const fx = x.map(f);
    const sorted = [...fx].sort((a, b) => a - b);
    return { x, f: fx, f_star: sorted[0], f_median: sorted[200] };
  };
  const quartic = (x) => 0.1 * x ** 4 - x ** 2 + 0.5 * x + 4;
  const [from, to] = tooWide(sample(quartic, -10, 10));
  assert.ok(from >= -7 && from <= -3 && to >= 3 && to <= 7, `${from}..${to}`);
  assert.equal(tooWide(sample(quartic, from, to)), null);
  assert.equal(tooWide(sample((x) => (x - 1) ** 2, -10, 10)), null);
});
