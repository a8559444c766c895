// A stand-in for `wirewatch console` while developing the page: the console's files and fixtures.mjs's answers,
// and, a few seconds after the page subscribes, seed case 1's alert on the event stream (as if it had just reached
// ww.alerts). Usage: node fixture-server.mjs [PORT]   (then open http://127.0.0.1:PORT/)

import {execFileSync} from 'node:child_process';
import {createReadStream, existsSync, mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {createServer} from 'node:http';
import {extname, join, normalize} from 'node:path';
import {fileURLToPath} from 'node:url';
import * as fixtures from './fixtures.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const CONSOLE = join(here, '../../main/resources/console');
// The evidence: seed case 1's server capture, as pcapng like the real export (editcap comes with tshark).
const EVIDENCE = join(mkdtempSync(join(tmpdir(), 'console-fixtures-')), 'evidence.pcapng');
execFileSync('editcap', ['-F', 'pcapng', join(here, '../../../../deploy/samples/01-firewall-drop/server.pcap'), EVIDENCE]);
const LIVE_DELAY_MS = Number(process.env.FIXTURE_LIVE_DELAY_MS || 4000);
const TYPES = {'.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css'};
let liveSent = false;

const json = (response, status, body) => {
  response.writeHead(status, {'Content-Type': 'application/json'});
  response.end(JSON.stringify(body));
};

const server = createServer((request, response) => {
  const path = decodeURIComponent(new URL(request.url, 'http://x').pathname);
  const known = () => [...fixtures.alerts, ...(liveSent ? [fixtures.liveAlert] : [])];
  let match;
  if (path === '/api/alerts') return json(response, 200, {alerts: known()});
  if (path === '/api/sensors') return json(response, 200, fixtures.sensors());
  if (path === '/api/topology') return json(response, 200, fixtures.topology);
  if (path === '/api/events') {
    response.writeHead(200, {'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache'});
    response.write(': connected\n\n');
    const keepAlive = setInterval(() => response.write(': keep-alive\n\n'), 10000);
    const live = setTimeout(() => {
      liveSent = true;
      response.write(`event: alert\ndata: ${JSON.stringify(fixtures.liveAlert)}\n\n`);
    }, liveSent ? 1e9 : LIVE_DELAY_MS);
    request.on('close', () => { clearInterval(keepAlive); clearTimeout(live); });
    return undefined;
  }
  if ((match = /^\/api\/alerts\/([^/]+)\/evidence\.pcapng$/.exec(path))) {
    response.writeHead(200, {'Content-Type': 'application/octet-stream',
      'Content-Disposition': `attachment; filename="wirewatch-${match[1]}.pcapng"`});
    return createReadStream(EVIDENCE).pipe(response);
  }
  if ((match = /^\/api\/alerts\/([^/]+)\/ladder$/.exec(path))) {
    const ladder = fixtures.ladders[match[1]];
    if (ladder) return json(response, 200, ladder);
    const alert = known().find((candidate) => candidate.id === match[1]);
    return alert ? json(response, 200, {alert, vantages: [], start_micros: 0, arrows: [], summaries: [],
      evidence_url: `/api/alerts/${alert.id}/evidence.pcapng`}) : json(response, 404, {error: 'no such alert'});
  }
  if ((match = /^\/api\/alerts\/([^/]+)$/.exec(path))) {
    const alert = known().find((candidate) => candidate.id === match[1]);
    return alert ? json(response, 200, alert) : json(response, 404, {error: 'no such alert'});
  }
  const file = normalize(join(CONSOLE, path === '/' ? 'index.html' : path.replace(/^\/console\//, '/')));
  if (!file.startsWith(CONSOLE) || !existsSync(file)) return json(response, 404, {error: 'not found'});
  response.writeHead(200, {'Content-Type': TYPES[extname(file)] || 'application/octet-stream',
    'Content-Security-Policy': "default-src 'self'; img-src 'self' data:"});
  return createReadStream(file).pipe(response);
});

server.listen(Number(process.argv[2] || 0), '127.0.0.1', () => {
  console.log(`console: http://127.0.0.1:${server.address().port}/`);
});
