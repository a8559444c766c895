// #/alerts: every finding, newest first, live; filters in the URL; each row a link to the alert's own page.

import {el, replace} from './dom.js';
import {SEVERITIES, ago, number, utc} from './format.js';
import {filtersHash, matcher, readFilters, sinceMillis} from './filters.js';
import {allAlerts, connectionState, isLoaded, subscribe} from './store.js';

// The types of docs/ALERTS.md, offered before any has arrived; types seen in the stream are added.
const KNOWN_TYPES = ['UNANSWERED_SYN', 'CONNECTION_REFUSED', 'INJECTED_RST', 'PAWS_SYN_DROP', 'ROUTE_MISMATCH',
  'HALF_OPEN_SESSION', 'KEEPALIVE_UNANSWERED', 'ARP_IP_MOVED', 'ARP_CONFLICT', 'ANNOUNCEMENT_NOT_PROPAGATED',
  'VRRP_SPLIT_BRAIN', 'ICMP_REDIRECT_IGNORED', 'SENSOR_COVERAGE_GAP', 'SENSOR_DEGRADED', 'SENSOR_NOT_IN_TOPOLOGY',
  'HOST_NOT_MONITORED'];

export function renderAlerts(main, query) {
  const filters = readFilters(query);
  const tbody = el('tbody');
  const count = el('p', {class: 'count', id: 'alert-count'});
  const announcer = el('p', {class: 'visually-hidden', 'aria-live': 'polite'});
  const table = el('table', {class: 'alerts', 'aria-describedby': 'alert-count'},
    el('thead', {}, el('tr', {},
      ['Severity', 'Type', 'Host', 'Summary', 'Last seen', 'Count', 'State'].map((name) => el('th', {scope: 'col'}, name)))),
    tbody);
  const form = filterForm(filters, () => {
    history.replaceState(null, '', filtersHash(filters));
    draw();
  });
  replace(main, el('h1', {}, 'Alerts'), form, count, announcer, el('div', {class: 'table-wrap'}, table));

  function draw() {
    const focusedId = document.activeElement?.closest?.('tr')?.dataset.id;
    const everything = allAlerts();
    const shown = everything.filter(matcher(filters));
    replace(tbody, shown.map(row));
    if (!shown.length) {
      replace(tbody, el('tr', {}, el('td', {colspan: 7, class: 'empty'},
        isLoaded() ? 'No alert matches.' : 'Loading…')));
    }
    replace(count, `${shown.length} of ${everything.length} alerts · `,
      el('span', {class: `connection ${connectionState().split(':')[0]}`}, connectionLabel()));
    table.toggleAttribute('data-loaded', isLoaded());
    addTypes(form.querySelector('select[name=type]'), everything);
    if (focusedId) tbody.querySelector(`tr[data-id="${CSS.escape(focusedId)}"] a`)?.focus();
  }

  const unsubscribe = subscribe((kind, alert) => {
    if (kind === 'alert' && matcher(filters)(alert)) {
      announcer.textContent = `New ${alert.severity} alert: ${alert.type} on ${alert.host || alert.server || ''}`;
    }
    draw();
  });
  // Relative times ("12 s ago") and a relative "since" filter move with the clock.
  const ticker = setInterval(draw, 15000);
  draw();
  return () => {
    unsubscribe();
    clearInterval(ticker);
  };
}

function row(alert) {
  const resolved = alert.resolved === true;
  return el('tr', {
    'data-id': alert.id, 'data-type': alert.type, 'data-severity': alert.severity, 'data-server': alert.server,
    'data-received-at': alert.received_at, class: [resolved ? 'resolved' : '', alert.live ? 'live' : ''].join(' ').trim(),
  },
  el('td', {}, severityBadge(alert.severity)),
  el('td', {class: 'type'}, alert.type, alert.cause ? el('small', {}, alert.cause) : null),
  el('td', {}, alert.host || '—'),
  el('td', {class: 'summary'}, el('a', {href: `#/alerts/${encodeURIComponent(alert.id)}`}, alert.summary || alert.id)),
  el('td', {class: 'time'}, el('time', {datetime: alert.last_seen, title: utc(alert.last_seen)}, ago(alert.last_seen))),
  el('td', {class: 'number'}, number(alert.count)),
  el('td', {}, resolved ? el('span', {class: 'badge resolved'}, 'resolved') : el('span', {class: 'badge open'}, 'open')));
}

export function severityBadge(severity) {
  return el('span', {class: `badge severity ${SEVERITIES.includes(severity) ? severity : 'unknown'}`}, severity || '?');
}

function filterForm(filters, changed) {
  const field = (label, control) => el('label', {}, el('span', {}, label), control);
  const type = el('select', {name: 'type'}, el('option', {value: ''}, 'any'),
    KNOWN_TYPES.map((name) => el('option', {value: name}, name)));
  const severity = el('select', {name: 'severity'}, el('option', {value: ''}, 'any'),
    SEVERITIES.map((name) => el('option', {value: name}, `${name} or above`)));
  const host = el('input', {name: 'host', type: 'search', placeholder: 'name or address', autocomplete: 'off'});
  const since = el('input', {name: 'since', type: 'text', placeholder: '1h, 2d or 2024-05-01T10:00',
    autocomplete: 'off', 'aria-describedby': 'since-help'});
  const form = el('form', {class: 'filters', role: 'search', 'aria-label': 'Filter alerts'},
    field('Type', type), field('Severity', severity), field('Host', host),
    field('Since (UTC)', since), el('small', {id: 'since-help', class: 'help'}, 'last seen at or after'),
    el('button', {type: 'reset'}, 'Clear'));
  addTypes(type, filters.type ? [{type: filters.type}] : []);
  for (const control of [type, severity, host, since]) control.value = filters[control.name] || '';
  form.addEventListener('submit', (event) => event.preventDefault());
  form.addEventListener('input', update);
  form.addEventListener('reset', () => setTimeout(update));
  function update() {
    for (const control of [type, severity, host, since]) filters[control.name] = control.value.trim();
    const badSince = filters.since && Number.isNaN(sinceMillis(filters.since));
    since.setCustomValidity(badSince ? 'a duration such as 1h or 2d, or a UTC time such as 2024-05-01T10:00' : '');
    since.toggleAttribute('aria-invalid', Boolean(badSince));
    if (!badSince) changed();
  }
  return form;
}

// Adds to the type menu the types that arrived but the console did not list (new detectors).
function addTypes(select, alerts) {
  const present = new Set([...select.options].map((option) => option.value));
  for (const {type} of alerts) {
    if (type && !present.has(type)) {
      select.append(el('option', {value: type}, type));
      present.add(type);
    }
  }
}

function connectionLabel() {
  const state = connectionState();
  if (state === 'live') return 'live';
  if (state === 'connecting') return 'connecting…';
  if (state === 'reconnecting') return 'reconnecting… (the list may be behind)';
  return state;
}
