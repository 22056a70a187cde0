// The level kinds the browser knows, by the server's name for them (app/game/domain.py's
// `kind`): every page asks `kindOf(level.kind)` for a kind's words and charts.

import * as interval from './interval.js';
import * as rectangle from './rectangle.js';

export const KINDS = { interval, rectangle };

// The kind named `name`; an unknown name is a server this page does not match.
export function kindOf(name) {
  const kind = KINDS[name];
  if (!kind) throw new Error(`unknown level kind: ${name}`);
  return kind;
}
