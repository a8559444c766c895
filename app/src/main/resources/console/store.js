// The alerts the page knows: the server's list, then every alert or revision that the event stream brings. One
// entry per id (a revision replaces the earlier one), so every view reads the same state.

import {getJson} from './api.js';

const alerts = new Map();
const listeners = new Set();
let connection = 'connecting';
let loaded = false;

/** Alerts newest first (by last_seen, then by arrival). */
export function allAlerts() {
  return [...alerts.values()].sort((a, b) => String(b.last_seen).localeCompare(String(a.last_seen)));
}

export const alertById = (id) => alerts.get(id);
export const connectionState = () => connection;
/** Whether the server's list has arrived once. */
export const isLoaded = () => loaded;

/** Calls back on every change: (kind, alert?) with kind 'alert', 'reload' or 'connection'. */
export function subscribe(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * Loads the list and keeps it live. The list is loaded again whenever the stream (re)opens: what was written before
 * the stream opened comes with the list, what came after with the stream, so nothing falls between.
 */
export function start() {
  reload();
  const events = new EventSource('/api/events');
  events.addEventListener('open', () => {
    setConnection('live');
    reload();
  });
  events.addEventListener('error', () => setConnection('reconnecting'));
  events.addEventListener('alert', (event) => {
    let alert;
    try {
      alert = JSON.parse(event.data);
    } catch {
      return; // a garbled event must not stop the stream
    }
    if (!alert || typeof alert.id !== 'string') return;
    const known = alerts.get(alert.id);
    if (known && Number(known.revision) > Number(alert.revision)) return;
    // When the page received it: the browser test compares this with the record's time on ww.alerts.
    alerts.set(alert.id, {...alert, received_at: Date.now(), live: true});
    notify('alert', alert);
  });
}

async function reload() {
  try {
    const {alerts: list, error} = await getJson('/api/alerts');
    for (const alert of list || []) {
      const known = alerts.get(alert.id);
      if (!known || Number(known.revision) <= Number(alert.revision)) {
        alerts.set(alert.id, {...alert, received_at: known?.received_at, live: known?.live});
      }
    }
    loaded = true;
    notify('reload');
    if (error) setConnection(`error: ${error}`); // the server stopped reading ww.alerts: say so, not just "live"
  } catch (error) {
    setConnection(`error: ${error.message}`);
  }
}

function setConnection(state) {
  connection = state;
  notify('connection');
}

function notify(kind, alert) {
  for (const listener of listeners) listener(kind, alert);
}
