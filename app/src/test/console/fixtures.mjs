// Hand-written answers in the shape of the console's JSON API, for developing the page without a broker
// (fixture-server.mjs serves them). The browser test itself runs against the real server (ConsoleInBrowserTest).

const iso = (micros) => new Date(micros / 1000).toISOString().replace('Z', `${String(micros % 1000).padStart(3, '0')}Z`);
const INJECTION = '<img src=x onerror=alert(1)>';

// Seed case 1 as its captures hold it: six SYNs to 198.51.100.20:8080, seen leaving the client and arriving at the
// server, never answered.
const CASE1_SYNS = [
  [1796294349039946, 1796294349039975, 3367705515], [1796294350059465, 1796294350059507, 3367706535],
  [1796294351079491, 1796294351079557, 3367707555], [1796294352103481, 1796294352103522, 3367708579],
  [1796294353127470, 1796294353127512, 3367709603], [1796294354151462, 1796294354151504, 3367710627],
];

export const liveAlert = {
  id: 'a1f0c3d2e4b5a697', type: 'UNANSWERED_SYN', revision: 1, severity: 'warning', cause: 'DROPPED_AT_SERVER_HOST',
  host: 'server', client: '198.51.100.10:34951', server: '198.51.100.20:8080', observed_by: ['client', 'server'],
  first_seen: iso(CASE1_SYNS[0][0]), last_seen: iso(CASE1_SYNS[5][0]), count: 6,
  community_id: '1:mBsfuVrVDnKiS1mRvi0yFhbu+Cw=',
  summary: 'server (198.51.100.20) received 6 SYNs from 198.51.100.10:34951 to port 8080 and sent no SYN-ACK: '
    + 'dropped at the server host.',
  hint: 'Check the server host\'s firewall for port 8080: `iptables -S INPUT`, `nft list ruleset`.',
  evidence: CASE1_SYNS.slice(0, 2).flatMap(([client, server]) => [
    {host: 'client', iface: 'eth0', ts: iso(client), line: '198.51.100.10:34951 → 198.51.100.20:8080 [S] seq=1718195453'},
    {host: 'server', iface: 'eth0', ts: iso(server), line: '198.51.100.10:34951 → 198.51.100.20:8080 [S] seq=1718195453'},
  ]),
  resolved: false,
};

const syn = ([client, server, tsval]) => ({
  direction: 'to_server', flags: 'S', seq: 1718195453, ack: 0, tsval, len: 0,
  src: '198.51.100.10:34951', dst: '198.51.100.20:8080',
  hops: [{vantage: 'client/eth0', ts_micros: client}, {vantage: 'server/eth0', ts_micros: server}], lost_after: null,
});

// A SYN-ACK lost on its way back through a router, with three vantages and a control-mode summary.
const T0 = 1796290000000000;
const lostReturn = {
  id: '5bd2c0ffee001122', type: 'UNANSWERED_SYN', revision: 2, severity: 'critical', cause: 'SYNACK_LOST_ON_RETURN',
  host: 'router', client: '10.1.0.5:51000', server: '10.2.0.7:443', observed_by: ['client', 'router', 'server'],
  first_seen: iso(T0), last_seen: iso(T0 + 3_020_000), count: 3,
  summary: 'server 10.2.0.7 answered 3 SYNs from 10.1.0.5:51000 with SYN-ACKs that left router/eth1 and never reached the client.',
  hint: 'Check router\'s return path to 10.1.0.0/24: `ip route get 10.1.0.5` on router, and its reverse-path filter (rp_filter).',
  evidence: [], resolved: false,
};
const hop = (vantage, micros) => ({vantage, ts_micros: micros});
const lostReturnLadder = {
  alert: lostReturn,
  vantages: [{id: 'client/eth0', host: 'client', iface: 'eth0'}, {id: 'router/eth1', host: 'router', iface: 'eth1'},
    {id: 'server/eth0', host: 'server', iface: 'eth0'}],
  start_micros: T0,
  arrows: [0, 1_000_000, 3_020_000].flatMap((offset, attempt) => [
    {direction: 'to_server', flags: 'S', seq: 900100, ack: 0, tsval: 4000 + offset / 1000, len: 0,
      src: '10.1.0.5:51000', dst: '10.2.0.7:443',
      hops: [hop('client/eth0', T0 + offset), hop('router/eth1', T0 + offset + 180), hop('server/eth0', T0 + offset + 410)],
      lost_after: null},
    {direction: 'to_client', flags: 'SA', seq: 7700, ack: 900101, tsval: 88000 + attempt, len: 0,
      src: '10.2.0.7:443', dst: '10.1.0.5:51000',
      hops: [hop('server/eth0', T0 + offset + 520), hop('router/eth1', T0 + offset + 760)], lost_after: 'router/eth1'},
  ]),
  summaries: [{vantage: 'server/eth0', from_micros: T0 + 4_000_000, to_micros: T0 + 64_000_000,
    text: 'control mode: 212 packets of this flow counted, not sent (sensor over its rate budget)'}],
  evidence_url: `/api/alerts/${lostReturn.id}/evidence.pcapng`,
};

const arpMoved = {
  id: '77aa0011bb22cc33', type: 'ARP_IP_MOVED', revision: 1, severity: 'warning', protocol: 'ARP', ip: '192.0.2.1',
  mac_before: '02:00:00:00:00:01', mac_after: '02:00:00:00:00:02', observed_by: ['gw-a', 'gw-b'],
  first_seen: iso(T0 - 600_000_000), last_seen: iso(T0 - 590_000_000), count: 4,
  summary: '192.0.2.1 moved from 02:00:00:00:00:01 to 02:00:00:00:00:02 (gratuitous ARP).',
  hint: 'A failover, or someone answering for the gateway: check which host holds 02:00:00:00:00:02.',
  evidence: [{host: 'gw-b', iface: 'eth0', ts: iso(T0 - 590_000_000), line: 'ARP reply 192.0.2.1 is at 02:00:00:00:00:02'}],
  resolved: true,
};

const hostile = {
  id: 'e1e1e1e1e1e1e1e1', type: 'SENSOR_NOT_IN_TOPOLOGY', revision: 1, severity: 'info', host: INJECTION,
  observed_by: [INJECTION], first_seen: iso(T0 - 30_000_000), last_seen: iso(T0 - 30_000_000), count: 1,
  summary: `A sensor ticks as ${INJECTION}, which is no host of the topology.`,
  hint: `Start it with --host NAME as the topology names the host, or add ${INJECTION} to the topology.`,
  evidence: [], resolved: false,
};

export const alerts = [arpMoved, hostile, lostReturn];

export const ladders = {
  [liveAlert.id]: {alert: liveAlert, vantages: [{id: 'client/eth0', host: 'client', iface: 'eth0'},
    {id: 'server/eth0', host: 'server', iface: 'eth0'}], start_micros: CASE1_SYNS[0][0], arrows: CASE1_SYNS.map(syn),
  summaries: [], evidence_url: `/api/alerts/${liveAlert.id}/evidence.pcapng`},
  [lostReturn.id]: lostReturnLadder,
};

const now = () => new Date().toISOString();
export const sensors = () => ({sensors: [
  {host: 'client', state: 'live', reason: null, interfaces: ['eth0'], not_capturing: [], last_tick: now(),
    last_status: now(), packets_per_second: 12.5, records_per_second: 3.2, capture_drops: 0, kafka_unacknowledged_ms: 0},
  {host: 'server', state: 'degraded', reason: 'CAPTURE_DROPS', interfaces: ['eth0'], not_capturing: ['eth1'],
    last_tick: now(), last_status: now(), packets_per_second: 4120, records_per_second: 180.4, capture_drops: 37,
    kafka_unacknowledged_ms: 120},
  {host: INJECTION, state: 'live', reason: null, interfaces: ['eth0'], not_capturing: [], last_tick: now(),
    last_status: now(), packets_per_second: 0, records_per_second: 0.1, capture_drops: 0, kafka_unacknowledged_ms: 0},
]});

export const topology = {
  hosts: [
    {name: 'client', interfaces: [{name: 'eth0', addresses: ['198.51.100.10/24', '198.51.100.11/24'],
      mac: '02:00:00:00:00:0a', gateway: null}], capture: []},
    {name: 'server', interfaces: [{name: 'eth0', addresses: ['198.51.100.20/24'], mac: '02:00:00:00:00:14', gateway: '198.51.100.1'},
      {name: 'eth1', addresses: ['10.9.0.2/24'], mac: '02:00:00:00:00:15', gateway: null}], capture: ['eth0']},
  ],
  segments: {lan: ['client:eth0', 'server:eth0']},
  nat: [{public: '203.0.113.7:443', private: '198.51.100.20:8080'}],
};
