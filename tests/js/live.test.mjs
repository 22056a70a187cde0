// The live client every screen uses: a stream first, polling while it cannot be had, and
// back to the stream with a doubling wait after an HTTP error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { follow, FIRST_RETRY_MS, MAX_RETRY_MS, POLL_MS } from '../../static/js/live.js';

function fakes() {
  const sources = [];
  class FakeSource {
    constructor(url) { this.url = url; this.readyState = 0; this.listeners = {}; this.closed = false; sources.push(this); }
    addEventListener(name, listener) { this.listeners[name] = listener; }
    close() { this.closed = true; this.readyState = 2; }
    emit(name, data) { this.readyState = 1; this.listeners[name]({ data: JSON.stringify(data) }); }
    fail(closed) { this.readyState = closed ? 2 : 0; this.onerror(); }
  }
  const timers = {
    queue: [],
    setTimeout(fn, ms) { this.queue.push({ fn, ms }); return this.queue.length; },
    clearTimeout(id) { if (id && this.queue[id - 1]) this.queue[id - 1].fn = () => {}; },
    next() { const timer = this.queue.shift(); return timer; },
  };
  const polls = [];
  const fetchImpl = async (url) => { polls.push(url); return { ok: true, json: async () => ({ polled: polls.length }) }; };
  return { sources, FakeSource, timers, polls, fetchImpl };
}

function start(f, seen, statuses) {
  return follow({
    stream: '/stream', poll: '/state.json', event: 'snapshot',
    onData: (data) => seen.push(data), onStatus: (status) => statuses.push(status),
    EventSourceImpl: f.FakeSource, fetchImpl: f.fetchImpl, timers: f.timers,
  });
}

test('events from the stream reach the page and say it is live', () => {
  const f = fakes(); const seen = []; const statuses = [];
  start(f, seen, statuses);
  f.sources[0].emit('snapshot', { version: 1 });
  assert.deepEqual(seen, [{ version: 1 }]);
  assert.deepEqual(statuses, ['live']);
  assert.equal(f.polls.length, 0);
});

test('a stream that keeps failing is helped by polling until it comes back', async () => {
  const f = fakes(); const seen = []; const statuses = [];
  start(f, seen, statuses);
  f.sources[0].fail(false);
  f.sources[0].fail(false);
  assert.deepEqual(statuses, ['connecting', 'connecting']);
  f.sources[0].fail(false);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(statuses.at(-1), 'polling');
  assert.deepEqual(f.polls, ['/state.json']);
  assert.deepEqual(seen, [{ polled: 1 }]);
  assert.equal(f.timers.queue.at(-1).ms, POLL_MS);
  f.sources[0].emit('snapshot', { version: 2 }); // the browser's own reconnect got through
  assert.equal(statuses.at(-1), 'live');
  f.timers.next().fn(); // the pending poll does not go on
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(f.polls.length, 1);
});

test('after an HTTP error a new stream opens with a doubling wait', async () => {
  const f = fakes(); const seen = []; const statuses = [];
  start(f, seen, statuses);
  const waits = [];
  for (let attempt = 0; attempt < 7; attempt += 1) {
    f.sources.at(-1).fail(true);
    const reopen = f.timers.queue.pop(); // queued at once; a poll's wait comes after its fetch
    waits.push(reopen.ms);
    reopen.fn();
  }
  assert.deepEqual(waits, [1, 2, 4, 8, 16, 30, 30].map((s) => Math.min(s * FIRST_RETRY_MS, MAX_RETRY_MS)));
  assert.equal(f.sources.length, 8);
  assert.ok(f.sources.every((source) => source.url === '/stream'));
  assert.equal(statuses[0], 'polling'); // polling meanwhile, from the first error
  f.sources.at(-1).emit('snapshot', { version: 3 });
  assert.equal(statuses.at(-1), 'live');
});

test('a browser without EventSource polls from the start', async () => {
  const f = fakes(); const seen = []; const statuses = [];
  follow({ stream: '/s', poll: '/p', event: 'e', onData: (d) => seen.push(d), onStatus: (s) => statuses.push(s), EventSourceImpl: undefined, fetchImpl: f.fetchImpl, timers: f.timers });
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(statuses, ['polling']);
  assert.deepEqual(f.polls, ['/p']);
});
