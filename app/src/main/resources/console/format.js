// How values read in the console: severities in order, times in UTC as the alerts carry them.

export const SEVERITIES = ['info', 'warning', 'critical'];

/** The rank of a severity (unknown values rank lowest, so a filter never hides them by mistake as higher). */
export const severityRank = (severity) => SEVERITIES.indexOf(String(severity).toLowerCase());

/** "2024-05-01 10:00:03.240 UTC" from an ISO-8601 time; anything else as it came. */
export function utc(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso ?? '');
  return `${date.toISOString().replace('T', ' ').replace('Z', '')} UTC`;
}

/** "12 s ago", "3 min ago": how long before now. */
export function ago(iso, now = Date.now()) {
  const seconds = Math.round((now - new Date(iso).getTime()) / 1000);
  if (!Number.isFinite(seconds)) return '';
  if (seconds < 90) return `${Math.max(seconds, 0)} s ago`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 172800) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86400)} d ago`;
}

/** A number with thin grouping, or an em dash when the server had none. */
export function number(value, digits = 0) {
  if (value === undefined || value === null || value === '') return '—';
  const parsed = Number(value);
  if (!Number.isFinite(parsed)) return String(value);
  return parsed.toLocaleString('en-GB', {maximumFractionDigits: digits});
}
