// The alert list's filters: read from and written to the URL (#/alerts?type=...&severity=...&host=...&since=...),
// so a copied link shows the same list.

import {severityRank} from './format.js';

export const FILTER_NAMES = ['type', 'severity', 'host', 'since'];

/** The filters in a route's query, blanks dropped. */
export function readFilters(query) {
  const filters = {};
  for (const name of FILTER_NAMES) {
    const value = (query.get(name) || '').trim();
    if (value) filters[name] = value;
  }
  return filters;
}

/** "#/alerts?type=..." for these filters. */
export function filtersHash(filters) {
  const query = new URLSearchParams();
  for (const name of FILTER_NAMES) {
    if (filters[name]) query.set(name, filters[name]);
  }
  const text = query.toString();
  return text ? `#/alerts?${text}` : '#/alerts';
}

/** A predicate for alerts; `now` makes relative times ("1h") testable. */
export function matcher(filters, now = Date.now()) {
  const minimum = filters.severity ? severityRank(filters.severity) : -1;
  const host = (filters.host || '').toLowerCase();
  const since = filters.since ? sinceMillis(filters.since, now) : null;
  return (alert) => {
    if (filters.type && alert.type !== filters.type) return false;
    if (minimum >= 0 && severityRank(alert.severity) < minimum) return false;
    if (host && !hostsOf(alert).some((name) => name.toLowerCase().includes(host))) return false;
    if (since !== null && !(new Date(alert.last_seen).getTime() >= since)) return false;
    return true;
  };
}

/** "30m", "2h", "7d" before now, or an ISO-8601 time (UTC when it names no zone); NaN when unreadable. */
export function sinceMillis(text, now = Date.now()) {
  const relative = /^(\d+)\s*([smhd])$/i.exec(text.trim());
  if (relative) {
    const unit = {s: 1e3, m: 60e3, h: 3600e3, d: 86400e3}[relative[2].toLowerCase()];
    return now - Number(relative[1]) * unit;
  }
  const zoned = /(Z|[+-]\d\d:?\d\d)$/i.test(text.trim()) ? text.trim() : `${text.trim()}Z`;
  return new Date(zoned).getTime();
}

// Where a host filter looks: the host at fault, the hosts that saw it, and the addresses of the flow.
function hostsOf(alert) {
  return [alert.host, alert.missing_at, alert.client, alert.server, alert.ip, alert.dst_ip,
    ...(alert.observed_by || [])].filter((value) => typeof value === 'string');
}
