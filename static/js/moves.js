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
