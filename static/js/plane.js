// Charts of two-parameter levels, shared by every page that draws one: the plane of the
// rectangle, guesses as points with an arrow along −∇f, and (once the function may be
// shown) a contour map of f(x, y) sampled by the server.

import { shown } from './format.js';

const SHADES = [[0, '#6baed6'], [0.3, '#c6dbef'], [1, '#ffffff']];

// A contour map of the server's grid { x, y, z } (z: one row per y; null where f is
// undefined). The shading and the lines follow log(1 + f − min f): a long, flat valley
// such as a mean squared error shows its floor instead of one flat colour; hovering reads
// the true f.
export function contour(grid, options = {}) {
  const values = grid.z.flat().filter((v) => v !== null);
  const low = Math.min(...values);
  return {
    type: 'contour', x: grid.x, y: grid.y, name: options.name || 'f(x, y)',
    z: grid.z.map((row) => row.map((v) => (v === null ? null : Math.log1p(v - low)))),
    text: grid.z.map((row) => row.map((v) => shown(v))),
    // darker is lower, like a valley, and light enough for every marker to show on it
    colorscale: SHADES, ncontours: 24, showscale: false,
    contours: { coloring: 'heatmap', showlines: true },
    line: { width: 0.5, color: 'rgba(255,255,255,0.6)' },
    hovertemplate: 'x = %{x}<br>y = %{y}<br>f = %{text}<extra></extra>', connectgaps: false,
    showlegend: false,
  };
}

// The axes of the rectangle, square to the screen only as the page allows.
export function layout(box, extra = {}) {
  const xs = box.x_min !== undefined ? [box.x_min, box.x_max] : [box.x[0], box.x[box.x.length - 1]];
  const ys = box.y_min !== undefined ? [box.y_min, box.y_max] : [box.y[0], box.y[box.y.length - 1]];
  return {
    margin: { l: 48, r: 12, t: 12, b: 36 },
    xaxis: { range: xs, fixedrange: true, title: { text: 'x' }, zeroline: false },
    yaxis: { range: ys, fixedrange: true, title: { text: 'y' }, zeroline: false },
    dragmode: false, hovermode: 'closest', paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: '#fff',
    legend: { orientation: 'h', x: 0, y: -0.16, yanchor: 'top', font: { size: 11 } },
    ...extra,
  };
}

// An arrow along −∇f at each point, all of one length (a tenth of the rectangle's
// smaller side, in its own units along each axis): the direction is the lesson, the size
// is in the table. Plotly annotations draw arrows in data coordinates.
// Where an arrow along −∇f from p ends, a tenth of the rectangle long on the screen: the
// gradient is taken in units of the rectangle, so it points where a step would go. None
// where the gradient is zero or not a number.
function downhill(p, box, share = 0.1) {
  const ux = -p.gx / (box.x_max - box.x_min);
  const uy = -p.gy / (box.y_max - box.y_min);
  const norm = Math.hypot(ux, uy);
  if (!Number.isFinite(norm) || norm === 0) return null;
  return [p.x + (share * (box.x_max - box.x_min) * ux) / norm, p.y + (share * (box.y_max - box.y_min) * uy) / norm];
}

export function arrows(points, box, color = '#e07b00') {
  const out = [];
  for (const p of points) {
    const end = downhill(p, box);
    if (!end) continue;
    out.push({
      x: end[0], y: end[1], ax: p.x, ay: p.y,
      xref: 'x', yref: 'y', axref: 'x', ayref: 'y', text: '', showarrow: true,
      arrowhead: 2, arrowsize: 1, arrowwidth: 2, arrowcolor: color,
    });
  }
  return out;
}

// The same directions as one line trace's x and y (segments split by nulls): many arrows
// at once, as the reveal draws them.
export function segments(points, box, share = 0.06) {
  const x = [];
  const y = [];
  for (const p of points) {
    const end = downhill(p, box, share);
    if (end) { x.push(p.x, end[0], null); y.push(p.y, end[1], null); }
  }
  return { x, y };
}
