// #/alerts/ID: one finding with a link that stays valid: its summary and hint beside the ladder of its flow, its
// fields, its evidence lines and the evidence pcapng to download.

import {ApiError, alertPath, getJson} from './api.js';
import {el, replace} from './dom.js';
import {utc} from './format.js';
import {ladderFigure} from './ladder.js';
import {severityBadge} from './alerts.js';
import {subscribe} from './store.js';

// Shown on their own, above the field list.
const LEAD_FIELDS = new Set(['summary', 'hint', 'evidence', 'type', 'severity', 'resolved', 'received_at', 'live']);

export function renderAlert(main, id) {
  replace(main, el('p', {class: 'loading'}, 'Loading alert…'));
  let shownRevision = null;
  const load = async () => {
    try {
      const ladder = await getJson(`${alertPath(id)}/ladder`).catch(async (error) => {
        // An alert without a flow (ARP, VRRP, ICMP) or a server without the ladder: the alert alone.
        if (error instanceof ApiError && error.status === 404) {
          return {alert: await getJson(alertPath(id)), vantages: [], arrows: [], summaries: []};
        }
        throw error;
      });
      shownRevision = ladder.alert.revision;
      replace(main, view(ladder));
    } catch (error) {
      replace(main, el('h1', {}, 'Alert'), el('p', {class: 'error', role: 'alert'},
        error.status === 404 ? `No alert with id ${id}.` : `Could not load the alert: ${error.message}`),
      el('p', {}, el('a', {href: '#/alerts'}, 'All alerts')));
    }
  };
  // A revision of this finding (a higher count, a precise cause, resolved) redraws the page.
  const unsubscribe = subscribe((kind, alert) => {
    if (kind === 'alert' && alert.id === id && alert.revision !== shownRevision) load();
  });
  load();
  return unsubscribe;
}

function view(ladder) {
  const alert = ladder.alert;
  const evidenceUrl = ladder.evidence_url || `${alertPath(alert.id)}/evidence.pcapng`;
  const hasArrows = (ladder.arrows || []).length > 0 || (ladder.summaries || []).length > 0;
  return el('article', {class: 'alert-page', 'data-id': alert.id},
    el('p', {class: 'crumbs'}, el('a', {href: '#/alerts'}, '← All alerts')),
    el('h1', {}, severityBadge(alert.severity), ' ', alert.type,
      alert.cause ? el('small', {}, ` ${alert.cause}`) : null,
      alert.resolved === true ? el('span', {class: 'badge resolved'}, 'resolved') : null),
    el('div', {class: 'alert-layout'},
      el('div', {class: 'diagram'},
        hasArrows ? ladderFigure(ladder)
          : el('p', {class: 'no-ladder'}, 'No packets of a flow to draw for this alert: its evidence lines are below.')),
      el('aside', {class: 'explanation'},
        el('h2', {}, 'What happened'), el('p', {class: 'alert-summary'}, alert.summary || ''),
        el('h2', {}, 'What to check'), el('p', {class: 'alert-hint'}, alert.hint || ''),
        el('p', {}, el('a', {class: 'button download', href: evidenceUrl, download: `wirewatch-${alert.id}.pcapng`},
          'Download the evidence (pcapng)')),
        fields(alert))),
    evidence(alert.evidence || []));
}

function fields(alert) {
  const rows = Object.entries(alert).filter(([name, value]) => !LEAD_FIELDS.has(name) && value !== null && value !== undefined);
  return el('dl', {class: 'fields'}, rows.map(([name, value]) => [
    el('dt', {}, name),
    el('dd', {}, name === 'explained_by' ? el('a', {href: `#/alerts/${encodeURIComponent(value)}`}, String(value))
      : Array.isArray(value) ? value.join(', ') : String(value)),
  ]));
}

function evidence(lines) {
  if (!lines.length) return null;
  return el('section', {class: 'evidence'}, el('h2', {}, 'Evidence'),
    el('table', {},
      el('thead', {}, el('tr', {}, ['Host', 'Interface', 'Time', 'Packet'].map((name) => el('th', {scope: 'col'}, name)))),
      el('tbody', {}, lines.map((line) => el('tr', {},
        el('td', {}, line.host ?? ''), el('td', {}, line.iface ?? line.interface ?? ''),
        el('td', {class: 'time'}, utc(line.ts ?? line.time)), el('td', {class: 'mono'}, line.line ?? ''))))));
}
