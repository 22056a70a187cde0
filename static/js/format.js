// How a number reads on every screen (the browser's half; app/numbers.py is the server's,
// with the same rules, so a value reads the same on a phone, the projector and the report).
//   shown(v, digits)  a value to `digits` significant digits (6), '–' for none
//   points(v)         a team's points, with one decimal
// Rounding is half away from zero on the value itself (toPrecision and toFixed).

export const NONE = '–';

export function shown(value, digits = 6) {
  if (value === null || value === undefined || !Number.isFinite(value)) return NONE;
  return String(Number(value.toPrecision(digits)));
}

export function points(value) {
  return Number.isFinite(value) ? value.toFixed(1) : NONE;
}

// The decimals a coordinate tapped on a chart needs: a thousandth of the domain's width.
export function decimalsFor(low, high) {
  return Math.max(0, Math.ceil(-Math.log10((high - low) / 1000)));
}
