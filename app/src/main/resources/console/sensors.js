// #/sensors: each sensor's health as its last status said it (refreshed every few seconds), and the topology the
// console was given: hosts with their interfaces and what is captured, segments, NAT.

import {getJson} from './api.js';
import {el, replace} from './dom.js';
import {ago, number, utc} from './format.js';

const REFRESH_MS = 5000;

export function renderSensors(main) {
  const sensorsPart = el('section', {class: 'sensors', 'aria-labelledby': 'sensors-title'},
    el('h2', {id: 'sensors-title'}, 'Sensors'), el('p', {class: 'loading'}, 'Loading…'));
  const topologyPart = el('section', {class: 'topology', 'aria-labelledby': 'topology-title'});
  replace(main, el('h1', {}, 'Sensors and topology'), sensorsPart, topologyPart);
  let timer = null;
  let stopped = false;
  // The next refresh is planned when this one has its answer: a slow server never gets a pile of requests.
  const refresh = async () => {
    try {
      replace(sensorsPart, sensorTable((await getJson('/api/sensors')).sensors || []));
    } catch (error) {
      replace(sensorsPart, el('h2', {id: 'sensors-title'}, 'Sensors'),
        el('p', {class: 'error', role: 'alert'}, `Could not load the sensors: ${error.message}`));
    }
    if (!stopped) timer = setTimeout(refresh, REFRESH_MS);
  };
  getJson('/api/topology').then((topology) => replace(topologyPart, topologyView(topology)))
    .catch((error) => replace(topologyPart, el('h2', {id: 'topology-title'}, 'Topology'),
      el('p', {class: 'error'}, `Could not load the topology: ${error.message}`)));
  refresh();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

function sensorTable(sensors) {
  const head = ['Host', 'State', 'Captures', 'Not capturing', 'Last tick', 'Packets/s', 'Records/s', 'Capture drops',
    'Kafka unacknowledged'];
  return [
    el('h2', {id: 'sensors-title'}, 'Sensors'),
    sensors.length === 0 ? el('p', {class: 'empty'}, 'No sensor has reported yet.')
      : el('div', {class: 'table-wrap'}, el('table', {class: 'sensor-table'},
        el('thead', {}, el('tr', {}, head.map((name) => el('th', {scope: 'col'}, name)))),
        el('tbody', {}, [...sensors].sort((a, b) => String(a.host).localeCompare(String(b.host))).map(sensorRow)))),
  ];
}

function sensorRow(sensor) {
  const state = ['live', 'degraded', 'silent', 'stopped'].includes(sensor.state) ? sensor.state : 'unknown';
  return el('tr', {'data-host': sensor.host, 'data-state': state},
    el('th', {scope: 'row', class: 'host'}, sensor.host ?? ''),
    el('td', {}, el('span', {class: `badge state ${state}`}, sensor.state ?? '?'),
      sensor.reason ? el('small', {class: 'reason'}, sensor.reason) : null),
    el('td', {}, list(sensor.interfaces)),
    el('td', {class: (sensor.not_capturing || []).length ? 'warn' : ''}, list(sensor.not_capturing)),
    el('td', {class: 'time'}, sensor.last_tick
      ? el('time', {datetime: sensor.last_tick, title: utc(sensor.last_tick)}, ago(sensor.last_tick)) : '—'),
    el('td', {class: 'number'}, number(sensor.packets_per_second, 1)),
    el('td', {class: 'number'}, number(sensor.records_per_second, 1)),
    el('td', {class: `number${Number(sensor.capture_drops) > 0 ? ' warn' : ''}`}, number(sensor.capture_drops)),
    el('td', {class: 'number'}, sensor.kafka_unacknowledged_ms == null ? '—' : `${number(sensor.kafka_unacknowledged_ms)} ms`));
}

function topologyView(topology) {
  const hosts = topology.hosts || [];
  const segments = Object.entries(topology.segments || {});
  const nat = topology.nat || [];
  if (!hosts.length && !segments.length && !nat.length) {
    return [el('h2', {id: 'topology-title'}, 'Topology'),
      el('p', {class: 'empty'}, 'No topology: start the console with --topology FILE to see hosts, segments and NAT.')];
  }
  return [
    el('h2', {id: 'topology-title'}, 'Topology'),
    el('div', {class: 'host-cards'}, hosts.map(hostCard)),
    segments.length ? el('div', {}, el('h3', {}, 'Segments'), el('ul', {class: 'segments'},
      segments.map(([name, members]) => el('li', {}, el('strong', {}, name), ': ', list(members))))) : null,
    nat.length ? el('div', {}, el('h3', {}, 'NAT'), el('table', {class: 'nat'},
      el('thead', {}, el('tr', {}, el('th', {scope: 'col'}, 'Public'), el('th', {scope: 'col'}, 'Private'))),
      el('tbody', {}, nat.map((entry) => el('tr', {}, el('td', {}, entry.public ?? ''), el('td', {}, entry.private ?? ''))))))
      : null,
  ];
}

function hostCard(host) {
  const captured = new Set(host.capture || []);
  return el('article', {class: 'host-card', 'data-host': host.name},
    el('h3', {}, host.name ?? ''),
    el('ul', {}, (host.interfaces || []).map((iface) => el('li', {},
      el('strong', {}, iface.name ?? ''),
      captured.size === 0 || captured.has(iface.name)
        ? el('span', {class: 'badge captured'}, 'captured') : el('span', {class: 'badge not-captured'}, 'not captured'),
      el('div', {class: 'mono'}, list(iface.addresses)),
      iface.mac ? el('div', {class: 'mono muted'}, iface.mac) : null,
      iface.gateway ? el('div', {class: 'muted'}, `gateway ${iface.gateway}`) : null))));
}

function list(values) {
  return values && values.length ? values.join(', ') : '—';
}
