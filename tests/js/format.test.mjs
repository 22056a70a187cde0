// The browser's number formatting reads as the server's (app/numbers.py): the same cases
// are checked there, in tests/test_numbers.py.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shown, points, decimalsFor, NONE } from '../../static/js/format.js';
import { readFileSync } from 'node:fs';

const cases = JSON.parse(readFileSync(new URL('./number_cases.json', import.meta.url), 'utf8'));

test('values read as the server writes them', () => {
  for (const [value, digits, text] of cases.shown) {
    assert.equal(shown(value, digits), text, `shown(${value}, ${digits})`);
  }
});

test('points have one decimal, rounded as the server rounds them', () => {
  for (const [value, text] of cases.points) assert.equal(points(value), text, `points(${value})`);
});

test('nothing to show is a dash', () => {
  for (const value of [null, undefined, NaN, Infinity]) assert.equal(shown(value), NONE);
});

test('a tapped coordinate keeps a thousandth of the domain', () => {
  assert.equal(decimalsFor(-10, 10), 2);
  assert.equal(decimalsFor(0, 1000), 0);
  assert.equal(decimalsFor(-0.5, 0.5), 3);
});
