// Predictions before the reveal (app/game/prediction.py): once a level is closed the
// instructor may ask which reference player gets closest to the minimum. A phone votes
// (and may change its vote until the reveal); the projector counts the votes, never what
// they are; the reveal says which player got closest and which teams predicted it.

import { fill } from './chart.js';

// "Adam η=0.2 β₁=0.9 β₂=0.999": a player as the reveal names it (`words` is the reveal's text).
export function playerName(choice, words) {
  const params = Object.entries(choice.params || {}).map(([k, v]) => `${words.params[k] || k}=${v}`).join(' ');
  return `${words.ghosts[choice.key] || choice.key} ${params}`.trim();
}

// "12 of 20 teams voted."
export function voteCount(prediction, text) {
  return fill(text.predict_count, { n: prediction.votes, total: prediction.teams });
}

// "Adam got closest." (every player tied with the closest), or '' before the reveal.
export function closestWords(prediction, text, words) {
  const result = prediction?.result;
  if (!result || !result.closest.length) return '';
  const names = result.closest.map((key) => words.ghosts[key] || key).join(', ');
  return fill(text.predict_closest, { names });
}

// The voting box on a team's play page: `root` holds a form with `[data-choices]` and
// `[data-status]`; `show(prediction)` draws it from the state the server sent (None hides).
export function mountVoting(root, { levelId, csrf, text, words }) {
  const form = root.querySelector('form');
  const choices = root.querySelector('[data-choices]');
  const status = root.querySelector('[data-status]');
  let current = null;

  function line(prediction) {
    const mine = prediction.choices.find((c) => c.key === prediction.mine);
    const name = mine ? (words.ghosts[mine.key] || mine.key) : '';
    if (prediction.result) {
      if (!mine) return `${closestWords(prediction, text, words)} ${text.predict_no_vote}`;
      const right = prediction.result.closest.includes(mine.key);
      const said = right
        ? fill(prediction.result.points ? text.predict_right_points : text.predict_right, { name, points: prediction.result.points })
        : fill(text.predict_wrong, { name });
      return `${closestWords(prediction, text, words)} ${said}`;
    }
    const own = mine ? fill(text.predict_mine, { name }) : text.predict_none;
    return `${own} ${voteCount(prediction, text)}`;
  }

  function show(prediction) {
    current = prediction;
    root.hidden = !prediction;
    if (!prediction) return;
    form.hidden = !prediction.open;
    const chosen = form.querySelector('input:checked')?.value || prediction.mine;
    choices.replaceChildren(...prediction.choices.map((choice) => {
      const label = document.createElement('label');
      label.className = 'choice';
      const input = document.createElement('input');
      Object.assign(input, { type: 'radio', name: 'choice', value: choice.key, checked: choice.key === chosen });
      label.append(input, ` ${playerName(choice, words)}`);
      return label;
    }));
    status.textContent = line(prediction);
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const choice = form.querySelector('input:checked')?.value;
    if (!choice) { status.textContent = text.predict_choose; return; }
    try {
      const response = await fetch(`/api/levels/${levelId}/prediction`, {
        method: 'POST', credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': csrf },
        body: JSON.stringify({ choice }),
      });
      const body = await response.json();
      if (response.ok) show(body); else status.textContent = body.error?.message || text.predict_failed;
    } catch { status.textContent = text.predict_failed; }
  });

  return { show, get prediction() { return current; } };
}
