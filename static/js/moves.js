// What a team chooses on a level, by the server's `mode` (app/game/moves.py): a point on a
// free-guess level, a learning rate η (and a momentum β) on a stepping one, where the server
// moves the team. The play page asks the level's move instead of branching on the mode.

import { fmt } from './chart.js';

const free = {
  steps: false,
  momentum: false,
  fields: (kind) => kind.coords, // the inputs a team fills: its point
  cells: () => [], // what a history row says of the move: the point says it all
};

const learningRate = {
  steps: true,
  momentum: false,
  fields: () => ['eta'],
  cells: (g, kind, step) => [fmt(g.eta), step],
};

const momentum = {
  steps: true,
  momentum: true,
  fields: () => ['eta', 'beta'],
  cells: (g, kind, step) => [fmt(g.eta), fmt(g.beta), kind.velocity(g), step],
};

export const MOVES = { free, learning_rate: learningRate, momentum };

export function moveOf(mode) {
  const move = MOVES[mode];
  if (!move) throw new Error(`unknown mode: ${mode}`);
  return move;
}

// The bounds the server holds η and β to (app/game/guess.py: 0 < η ≤ η max, 0 ≤ β ≤ β
// max), so that the preview flags a value before the server refuses it: the names of the
// typed values out of bounds, with their bound.
export function outOfBounds(eta, beta, level, move) {
  const out = [];
  if (move.steps && level.eta_max != null && !(eta > 0 && eta <= level.eta_max)) {
    out.push({ name: 'eta', high: level.eta_max });
  }
  if (move.momentum && level.beta_max != null && !(beta >= 0 && beta <= level.beta_max)) {
    out.push({ name: 'beta', high: level.beta_max });
  }
  return out;
}
