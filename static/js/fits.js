// A model's output over its data (a level whose f is the loss of a line, a ReLU neuron or
// a sigmoid neuron over a data set, app/game/fitting.py): the points (u, v), the output of
// the best (a, b) as a thick line, each team's best in its colour and the reference players'
// dashed. The reveal draws it under the loss's contour map; the editor under its preview.

import { teamColour } from './teams.js';

// The traces and layout of `fits` (the server's FitsOut). `look` gives the words (`text`,
// the reveal's or the editor's), the ink, the teams (`teams`, for their labels), the
// players (`ghosts` with `names` and `colours`) and whether teams show in the legend.
export function fitChart(fits, look) {
  const words = look.text.fits;
  const ink = look.ink || '#1b2330';
  const line = (y, extra) => ({ x: fits.u, y, mode: 'lines', hoverinfo: 'name', ...extra });
  const traces = [{
    name: words.data, x: fits.data.map((p) => p[0]), y: fits.data.map((p) => p[1]), mode: 'markers',
    marker: { color: ink, size: look.markerSize || 8, symbol: 'circle-open', line: { width: 2 } },
  }];
  (fits.teams || []).forEach((row, i) => {
    if (!row) return;
    const team = look.teams?.[i];
    traces.push(line(row, {
      name: team ? look.label(team) : String(i + 1), showlegend: look.teamLegend !== false,
      line: { color: teamColour(i), width: 2 },
    }));
  });
  // the players' models, one tap away in the legend (none where nobody taps: the projector)
  if (look.teamLegend !== false) (fits.ghosts || []).forEach((row, i) => {
    const key = look.ghosts?.[i]?.key;
    traces.push(line(row, {
      name: look.text.ghosts?.[key] || key, line: { color: look.ghostColours?.[key] || '#8a8f98', width: 2, dash: 'dash' },
      visible: 'legendonly',  // one tap on the legend shows a player's model
    }));
  });
  traces.push(line(fits.best, { name: words.best, line: { color: ink, width: 4 } }));
  const yTitle = fits.model === 'neuron' ? words.probability : 'v';
  // on a phone the legend goes under the chart, in small print (as the reveal's)
  const legend = look.narrow
    ? { orientation: 'h', x: 0, y: -0.2, yanchor: 'top', font: { size: 11 }, bgcolor: 'rgba(0,0,0,0)' }
    : { orientation: 'h', x: 0, y: 1.02, yanchor: 'bottom', bgcolor: 'rgba(0,0,0,0)' };
  return {
    traces,
    layout: {
      margin: { l: 56, r: 16, t: 8, b: look.narrow ? 150 : 48 },
      paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: 'rgba(0,0,0,0)',
      font: { color: ink, size: look.fontSize || 14 },
      xaxis: { title: { text: 'u' }, zeroline: false, gridcolor: look.grid || '#e5e9ef', automargin: true },
      yaxis: { title: { text: yTitle }, zeroline: false, gridcolor: look.grid || '#e5e9ef', automargin: true },
      legend,
      hovermode: 'closest', dragmode: false, showlegend: true,
    },
  };
}
