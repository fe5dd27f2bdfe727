// Live status: one GET /events stream for the whole studio, resumed with Last-Event-ID after
// a drop. Pages subscribe with onLive(handler) and get each event ({event, data}); without an
// events endpoint (404) the studio polls: handlers get {event: "tick"} every few seconds.

import { ApiError, eventStream, session } from "./api.js";

const handlers = new Set();
let controller = null;
let lastId = "";
let mode = "off"; // "stream", "poll" or "off"
let pollTimer = null;
export const POLL_MS = 2500;
// While streaming, a slow tick too: a page still waiting on something re-reads it now and
// then, in case an event was never sent (pages ignore ticks when nothing is in progress).
export const SAFETY_MS = 10000;

export function onLive(handler) {
  handlers.add(handler);
  start();
  return () => handlers.delete(handler);
}

export const liveMode = () => mode;

const MODE_TEXT = {
  stream: ["● Live", "Changes show as they happen"],
  poll: ["Updating", "Changes show within a few seconds (this server sends no live events)"],
};

// The header's indicator (data-mode says which, for people and for tests alike).
function setMode(next) {
  mode = next;
  const badge = document.getElementById("live");
  if (!badge) return;
  badge.dataset.mode = next;
  badge.hidden = !(next in MODE_TEXT);
  if (next in MODE_TEXT) [badge.textContent, badge.title] = MODE_TEXT[next];
}

function emit(message) {
  for (const handler of [...handlers]) {
    try {
      handler(message);
    } catch (error) {
      console.error(error);
    }
  }
}

function poll() {
  if (mode === "poll") return;
  setMode("poll");
  pollTimer = setInterval(() => emit({ event: "tick", data: null }), POLL_MS);
}

export function stop() {
  controller?.abort();
  controller = null;
  clearInterval(pollTimer);
  setMode("off");
}

async function start() {
  if (controller || mode === "poll" || !session.signedIn) return;
  controller = new AbortController();
  const { signal } = controller;
  setMode("stream");
  const safety = setInterval(() => emit({ event: "tick", data: null }), SAFETY_MS);
  signal.addEventListener("abort", () => clearInterval(safety));
  let failures = 0;
  while (!signal.aborted && session.signedIn) {
    try {
      for await (const message of eventStream(signal, lastId)) {
        failures = 0;
        if (message.id) lastId = message.id;
        emit(message);
      }
    } catch (error) {
      if (signal.aborted) break;
      if (error instanceof ApiError && (error.status === 404 || error.status === 405)) {
        clearInterval(safety);
        controller = null;
        poll();
        return;
      }
      failures += 1;
    }
    // The stream ended or broke: catch up on what changed, then reconnect (backing off).
    emit({ event: "reconnect", data: null });
    await new Promise((r) => setTimeout(r, Math.min(30000, 1000 * 2 ** Math.min(failures, 5))));
  }
  clearInterval(safety);
  controller = null;
  if (mode === "stream") setMode("off");
}
