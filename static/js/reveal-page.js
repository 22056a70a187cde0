// Mounts the reveal (static/js/reveal.js) on a page that shows one: the instructor's
// monitor of a revealed level, a team's reveal page.

import { mount } from './reveal.js';

window.addEventListener('load', () => {
  const data = JSON.parse(document.getElementById('reveal-data').textContent);
  const root = document.querySelector('[data-reveal-root]');
  if (root) mount(root, data.reveal, data.text, { teamLegend: window.innerWidth >= 720 });
});
