// Following a lesson live, for the projector and the monitor (and the phones): a Server-Sent
// Events stream, and polling the same snapshot as JSON whenever the stream cannot be had.
//
//   const live = follow({ stream, poll, event, onData, onStatus });
//   live.refresh();  // ask for a snapshot now (a freeze or a deadline changed what shows)
//   live.stop();
//
// The stream ends every minute and the browser reopens it by itself; after three failures
// in a row the client polls meanwhile. An HTTP error (a proxy's 502 during a restart)
// closes the stream for good: the client polls and opens a new one after a wait that
// doubles each time, up to 30 s. The first event stops the polling. onStatus hears
// 'connecting', 'live' or 'polling'. Every screen recovers the same way.

export const POLL_MS = 2000;
export const FIRST_RETRY_MS = 1000;
export const MAX_RETRY_MS = 30000;
const CLOSED = 2; // EventSource.CLOSED

export function follow({
  stream, poll, event, onData, onStatus = () => {},
  EventSourceImpl = globalThis.EventSource, fetchImpl = globalThis.fetch?.bind(globalThis),
  timers = globalThis,
}) {
  let source = null;
  let pollTimer = null;
  let streamTimer = null;
  let polling = false;
  let failures = 0;
  let retry = FIRST_RETRY_MS;
  let stopped = false;

  async function refresh() {
    try {
      const response = await fetchImpl(poll, { headers: { Accept: 'application/json' } });
      if (response.ok && !stopped) onData(await response.json());
    } catch { /* offline: the next poll or event catches up */ }
  }

  async function pollLoop() {
    await refresh();
    if (polling && !stopped) pollTimer = timers.setTimeout(pollLoop, POLL_MS);
  }

  function startPolling() {
    if (polling || stopped) return;
    polling = true;
    onStatus('polling');
    pollLoop();
  }

  function stopPolling() {
    polling = false;
    timers.clearTimeout(pollTimer);
  }

  function listen() {
    if (stopped) return;
    if (!EventSourceImpl) { startPolling(); return; }
    source = new EventSourceImpl(stream);
    source.addEventListener(event, (message) => {
      failures = 0;
      retry = FIRST_RETRY_MS;
      stopPolling();
      onStatus('live');
      onData(JSON.parse(message.data));
    });
    source.onerror = () => {
      failures += 1;
      if (source.readyState === CLOSED) {
        startPolling();
        streamTimer = timers.setTimeout(listen, retry);
        retry = Math.min(retry * 2, MAX_RETRY_MS);
        return;
      }
      if (failures >= 3) startPolling(); else if (!polling) onStatus('connecting');
    };
  }

  listen();
  return {
    refresh,
    stop() {
      stopped = true;
      source?.close();
      stopPolling();
      timers.clearTimeout(streamTimer);
    },
  };
}
