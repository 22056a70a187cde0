// The team's list of levels, live: when a level opens, closes, is revealed or reset the
// list shows it within a second (the lesson's live stream, as the play page follows it).
// A password being typed is never thrown away: then a button offers the new list.

import { follow } from './live.js';

const list = document.querySelector('ol.levels');
const changed = document.getElementById('levels-changed');
// when the server drew this list: a live view older than it (a snapshot shared for up to
// a second) would undo what the page shows, and is passed over
const drawn = Date.parse(list.dataset.now);

const shown = () => [...list.querySelectorAll('li.level')]
  .map((li) => `${li.dataset.level}:${li.dataset.state}`).join(' ');
let seenRounds = null;
const typing = () => [...list.querySelectorAll('input[name=password]')].some((box) => box.value);

follow({
  stream: '/api/live/stream',
  poll: '/api/live',
  event: 'lesson',
  onData(view) {
    if (Date.parse(view.server_now) < drawn) return;
    const rounds = view.levels.map((l) => `${l.id}:${l.round}`).join(' ');
    const reset = seenRounds !== null && rounds !== seenRounds;  // entered levels are no more
    seenRounds = rounds;
    if (!reset && view.levels.map((l) => `${l.id}:${l.state}`).join(' ') === shown()) return;
    if (typing()) changed.hidden = false; else window.location.reload();
  },
  onStatus(status) { list.dataset.live = status; },
});

changed.querySelector('button').addEventListener('click', () => window.location.reload());
