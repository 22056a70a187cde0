// Teams read and colour the same on every screen: the palette comes from the page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { palette, teamColour, teamLabel } from '../../static/js/teams.js';

const page = (content) => ({
  querySelector: (selector) => (selector === 'meta[name="team-colours"]' && content !== null ? { content } : null),
});

test('the palette is the one the server wrote into the page', () => {
  assert.deepEqual(palette(page('#111111 #222222  #333333')), ['#111111', '#222222', '#333333']);
  assert.equal(palette(page(null)).length, 1); // a page without one still draws
});

test('a team keeps its colour by its place, the palette wrapping round', () => {
  const colours = ['#a', '#b', '#c'];
  assert.deepEqual([0, 1, 2, 3, 7].map((i) => teamColour(i, colours)), ['#a', '#b', '#c', '#a', '#b']);
});

test('a team is its number and name, or the page\'s words for a number alone', () => {
  assert.equal(teamLabel(3, 'Owls'), '3 · Owls');
  assert.equal(teamLabel(4, null, '第 {n} 隊'), '第 4 隊');
  assert.equal(teamLabel(5, ''), 'Team 5');
});

test('a team has a shape as well as a colour, from the page', async () => {
  const { teamSymbol } = await import('../../static/js/teams.js');
  assert.deepEqual([0, 1, 2, 3].map((i) => teamSymbol(i, ['circle', 'square', 'diamond'])), ['circle', 'square', 'diamond', 'circle']);
  assert.equal(teamSymbol(5), 'circle'); // no page: one shape for all
});
