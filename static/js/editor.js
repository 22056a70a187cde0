// The level editor: presets fill the function, and f, f' and the true minimum are drawn
// (on a two-parameter level, a contour map of f(x, y)) while the instructor types, with the place of any mistake marked in the text.

import { fill } from './chart.js';
import { fitChart } from './fits.js';
import { kindOf } from './kinds/index.js';

const data = JSON.parse(document.getElementById('editor-data').textContent);
const csrf = document.querySelector('meta[name="csrf-token"]').content;
const expression = document.getElementById('expression');
const xMin = document.getElementById('x_min');
const xMax = document.getElementById('x_max');
const yMin = document.getElementById('y_min');
const yMax = document.getElementById('y_max');
const caret = document.getElementById('expression-caret');
const error = document.getElementById('expression-error');
const facts = document.getElementById('preview-facts');
const chart = document.getElementById('preview');
const params = document.getElementById('preset-params');
const warning = document.getElementById('preview-warning');
const fitsChart = document.getElementById('preview-fits');
const fit = document.getElementById('fit');  // f is a model's loss over data, not typed
const fitFields = ['fit_data', 'fit_c', 'fit_d'].map((id) => document.getElementById(id));
const fitError = document.createElement('p');  // a preview's complaint about the data
fitError.className = 'error field-error';
fitError.setAttribute('role', 'alert');
fitError.hidden = true;
document.getElementById('fit_data').after(fitError);
let timer = null;
let asked = 0;

function showError(message, position) {
  error.textContent = message;
  error.hidden = false;
  if (position === null || position === undefined) { caret.hidden = true; return; }
  const text = expression.value;
  const mark = document.createElement('mark');
  mark.textContent = text.slice(position, position + 1) || ' ';
  caret.replaceChildren(text.slice(0, position), mark, text.slice(position + 1));
  caret.hidden = false;
}

function drawFits(body) {
  fitsChart.hidden = !body.fits;
  if (!body.fits || !window.Plotly) return;
  const drawn = fitChart(body.fits, { text: data.text, teams: [] });
  window.Plotly.react(fitsChart, drawn.traces, drawn.layout, { responsive: true, displayModeBar: false });
}

function showFitError(message) {
  clear();
  fitError.textContent = message;
  fitError.hidden = false;
}

function draw(body) {
  error.hidden = true;
  caret.hidden = true;
  fitError.hidden = true;
  chart.hidden = false;
  drawFits(body);
  const drawn = kindOf(body.kind).previewChart(body, data.text);
  facts.textContent = drawn.facts;
  warning.textContent = drawn.warning || '';
  warning.hidden = !drawn.warning;
  if (window.Plotly) window.Plotly.react(chart, drawn.traces, drawn.layout, { responsive: true, displayModeBar: false });
}

function clear() {
  // nothing typed yet: no chart, and no mistake to point at
  error.hidden = true;
  caret.hidden = true;
  fitError.hidden = true;
  chart.hidden = true;
  fitsChart.hidden = true;
  warning.hidden = true;
  facts.textContent = '';
}

async function preview() {
  const ask = ++asked;
  const model = fit.value;
  if (model ? !fitFields[0].value.trim() : !expression.value.trim()) { clear(); return; }
  const body = { expression: expression.value, x_min: Number(xMin.value), x_max: Number(xMax.value) };
  if (model) Object.assign(body, { fit: model, fit_data: fitFields[0].value, fit_c: fitFields[1].value, fit_d: fitFields[2].value });
  if (!Number.isFinite(body.x_min) || !Number.isFinite(body.x_max)) return;
  if (yMin.value.trim() && yMax.value.trim()) {
    body.y_min = Number(yMin.value);
    body.y_max = Number(yMax.value);
    if (!Number.isFinite(body.y_min) || !Number.isFinite(body.y_max)) return;
  }
  try {
    const response = await fetch('/instructor/preview', {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify(body),
    });
    const answer = await response.json();
    if (ask !== asked) return; // a newer preview is on its way
    if (answer.error?.field) showFitError(answer.error.message);
    else if (answer.error) showError(answer.error.message, answer.error.position);
    else draw(answer);
  } catch { /* offline: the saved form is checked on the server anyway */ }
}

function later() {
  clearTimeout(timer);
  timer = setTimeout(preview, 300);
}

function usePreset(preset, values) {
  const shown = {};
  for (const [name, value] of Object.entries(values)) shown[name] = value < 0 ? `(${value})` : String(value);
  // the same tidying as the server's presets: x - (-2) reads x + 2
  expression.value = fill(preset.template, shown)
    .replace(/([+-]) \((-)([^()]+)\)(?!\s*(?:\^|\*\*))/g, (_, sign, __, rest) => `${sign === '-' ? '+' : '-'} ${rest}`);
  later();
}

document.querySelectorAll('button[data-preset]').forEach((button) => {
  button.addEventListener('click', () => {
    const preset = data.presets.find((p) => p.key === button.dataset.preset);
    const values = { ...preset.defaults };
    fit.value = '';  // a preset is a function to type
    showFitFields();
    xMin.value = preset.x_min;
    xMax.value = preset.x_max;
    yMin.value = preset.y_min === null ? '' : preset.y_min;
    yMax.value = preset.y_max === null ? '' : preset.y_max;
    showModeFields();
    params.replaceChildren(...Object.keys(values).map((name) => {
      const label = document.createElement('label');
      const input = document.createElement('input');
      input.value = values[name];
      input.inputMode = 'decimal';
      input.dataset.param = name;
      input.addEventListener('input', () => {
        const value = Number(input.value);
        if (input.value.trim() !== '' && Number.isFinite(value)) { values[name] = value; usePreset(preset, values); }
      });
      label.append(`${name} = `, input);
      return label;
    }));
    params.hidden = false;
    document.querySelectorAll('button[data-preset]').forEach((b) => b.classList.toggle('chosen', b === button));
    usePreset(preset, values);
  });
});

const WORDS = ['valley', 'slope', 'summit', 'ridge', 'canyon', 'basin', 'meadow', 'river', 'delta',
  'plateau', 'crater', 'dune', 'lagoon', 'mesa', 'gorge', 'cliff', 'glacier', 'hollow'];
document.getElementById('generate-password').addEventListener('click', () => {
  const pick = new Uint32Array(2);
  crypto.getRandomValues(pick);
  document.getElementById('password').value = `${WORDS[pick[0] % WORDS.length]}${10 + (pick[1] % 90)}`;
});

// the start and the bounds on η and β matter only when teams move by learning rate
const mode = document.getElementById('mode');
function showModeFields() {
  document.querySelectorAll('[data-steps]').forEach((el) => { el.hidden = mode.value === 'free'; });
  document.querySelectorAll('[data-momentum]').forEach((el) => { el.hidden = mode.value !== 'momentum'; });
  // the kind the bounds describe, as the server reads them (app/game/domain.py domain_of)
  const kind = kindOf(yMin.value.trim() || yMax.value.trim() ? 'rectangle' : 'interval');
  document.querySelectorAll('[data-plane]').forEach((el) => { el.hidden = mode.value === 'free' || !kind.coords.includes('y'); });
  document.getElementById('expression-label').textContent = `${kind.f} =`;
}
mode.addEventListener('change', showModeFields);

// a model's loss: the data and (for a ReLU) its fixed c and d, instead of a typed function
function showFitFields() {
  document.getElementById('fit-fields').hidden = !fit.value;
  document.getElementById('expression-fields').hidden = Boolean(fit.value);
  document.querySelectorAll('[data-fit-fixed]').forEach((el) => { el.hidden = fit.value !== 'relu'; });
}
fit.addEventListener('change', () => { showFitFields(); later(); });
for (const input of fitFields) input.addEventListener('input', later);
for (const input of [yMin, yMax]) input.addEventListener('input', () => { showModeFields(); later(); });
showModeFields();

for (const input of [expression, xMin, xMax]) input.addEventListener('input', later);
window.addEventListener('load', preview);
