// The console in a real browser (Debian's Chromium, headless), checked as a person would use it. One line per check
// ("ok (a) ..." or "FAIL (a) ..."), exit 1 if any failed. ConsoleInBrowserTest runs it against `wirewatch console`
// and makes the alert happen only after this script printed "ready:", so the alert can only arrive live.
//
// Settings (environment):
//   CONSOLE_URL      the console, e.g. http://127.0.0.1:8080/ (or the first argument)
//   EXPECT_TYPE      the alert type that must arrive live (UNANSWERED_SYN)
//   EXPECT_SERVER    its server field, to tell it from others (optional, e.g. 198.51.100.20:8080)
//   CLIENT_HOST, SERVER_HOST   the hosts of the client's and the server's vantages in its ladder (client, server)
//   INJECTED_HOST    a host name that must render as text (<img src=x onerror=alert(1)>)
//   DOWNLOAD_DIR     where the evidence pcapng is saved (a temporary directory)
//   SCREENSHOT_DIR   where alerts.png, ladder.png and sensors.png go (docs/screenshots of this repository)
//   LIVE_TIMEOUT_MS  how long to wait for the live alert and for the injected host (180000)

import {mkdirSync, mkdtempSync, readFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {chromium} from 'playwright-core';

const env = process.env;
const base = env.CONSOLE_URL || process.argv[2];
if (!base) {
  console.error('usage: CONSOLE_URL=http://127.0.0.1:PORT/ node console-check.mjs');
  process.exit(2);
}
const expectType = env.EXPECT_TYPE || 'UNANSWERED_SYN';
const clientHost = env.CLIENT_HOST || 'client';
const serverHost = env.SERVER_HOST || 'server';
const injected = env.INJECTED_HOST || '<img src=x onerror=alert(1)>';
const downloads = env.DOWNLOAD_DIR || mkdtempSync(join(tmpdir(), 'wirewatch-console-'));
const screenshots = env.SCREENSHOT_DIR || fileURLToPath(new URL('../../../../docs/screenshots/', import.meta.url));
const timeout = Number(env.LIVE_TIMEOUT_MS || 180000);
const results = [];
const dialogs = []; // every dialog the page opened: an injected script's alert(1) would be one

function check(name, passed, detail) {
  results.push(passed);
  console.log(`${passed ? 'ok  ' : 'FAIL'} ${name}: ${detail}`);
}

const browser = await chromium.launch({executablePath: env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox']});
try {
  const context = await browser.newContext({viewport: {width: 1280, height: 800}, acceptDownloads: true});
  const page = await context.newPage();
  const scriptErrors = [];
  page.on('dialog', (dialog) => { dialogs.push(dialog.message()); dialog.dismiss().catch(() => {}); });
  page.on('pageerror', (error) => scriptErrors.push(error.message));
  page.on('console', (message) => { if (message.type() === 'error') scriptErrors.push(message.text()); });
  mkdirSync(screenshots, {recursive: true});
  mkdirSync(downloads, {recursive: true});

  // (a) the alert arrives while the page is open, without a reload
  await page.goto(new URL('#/alerts', base).href);
  await page.waitForSelector('table.alerts[data-loaded]', {timeout: 30000});
  const openedAt = await page.evaluate(() => {
    window.wirewatchPageToken = 'loaded once'; // a reload would lose it
    return Date.now();
  });
  const target = `tr[data-type="${expectType}"]`;
  const before = await page.$$eval(target, (rows) => rows.map((row) => row.dataset.id));
  console.log(`ready: the alerts page is open with its list (${before.length} ${expectType} before)`);
  const row = await waitForLiveRow(page, target, before, env.EXPECT_SERVER);
  if (!row) {
    check('(a) live alert', false, `no new ${expectType} alert appeared within ${timeout} ms`);
    throw new Error('stopping: the later checks need the alert');
  }
  const sameDocument = await page.evaluate(() => window.wirewatchPageToken === 'loaded once');
  check('(a) live alert', row.receivedAt > 0 && sameDocument,
    `${expectType} ${row.id} appeared ${row.receivedAt - openedAt} ms after the page opened, without a reload `
    + `(page_received_at_ms=${row.receivedAt}; in the list ${row.shownAt - row.receivedAt} ms after the event)`);

  // (b) its ladder: reached with the keyboard (Tab from the filters to the row's link, Enter)
  await page.focus('form.filters button[type=reset]');
  let tabs = 0;
  while (tabs < 60 && !(await page.evaluate((id) => document.activeElement?.closest('tr')?.dataset.id === id, row.id))) {
    await page.keyboard.press('Tab');
    tabs += 1;
  }
  await page.keyboard.press('Enter');
  await page.waitForSelector('svg.ladder g.arrow', {timeout: 30000});
  const ladder = await page.evaluate(() => ({
    hash: location.hash,
    vantages: [...document.querySelectorAll('svg.ladder g.vantage')].map((g) => ({id: g.dataset.vantage, host: g.dataset.host})),
    arrows: [...document.querySelectorAll('svg.ladder g.arrow')].map((g) => ({
      flags: g.dataset.flags, direction: g.dataset.direction, hops: g.dataset.hops.split(' '), lost: g.dataset.lostAfter})),
    summary: document.querySelector('.alert-summary')?.textContent || '',
    hint: document.querySelector('.alert-hint')?.textContent || '',
  }));
  const clientVantages = ladder.vantages.filter((v) => v.host === clientHost).map((v) => v.id);
  const serverVantages = ladder.vantages.filter((v) => v.host === serverHost).map((v) => v.id);
  const arrived = ladder.arrows.filter((arrow) => arrow.flags === 'S' && arrow.direction === 'to_server'
    && arrow.hops.some((hop) => clientVantages.includes(hop)) && arrow.hops.some((hop) => serverVantages.includes(hop)));
  const synAcks = ladder.arrows.filter((arrow) => arrow.flags === 'SA');
  check('(b) keyboard', ladder.hash === `#/alerts/${encodeURIComponent(row.id)}`,
    `Tab ×${tabs} and Enter from the filters opened ${ladder.hash}`);
  check('(b) ladder shows the SYNs arriving', arrived.length > 0,
    `${arrived.length} SYN arrows seen at ${clientVantages.join(', ') || `no ${clientHost} vantage`} and at `
    + `${serverVantages.join(', ') || `no ${serverHost} vantage`} (vantages: ${ladder.vantages.map((v) => v.id).join(', ')})`);
  check('(b) no SYN-ACK leaves the server', synAcks.length === 0 && ladder.arrows.length > 0,
    `${synAcks.length} SA arrows among ${ladder.arrows.length}`);
  check('(b) summary and hint beside the ladder', ladder.summary.length > 0 && ladder.hint.length > 0,
    `summary "${ladder.summary.slice(0, 60)}…", hint "${ladder.hint.slice(0, 40)}…"`);
  await page.screenshot({path: join(screenshots, 'ladder.png')});

  // (c) the evidence download
  const [download] = await Promise.all([page.waitForEvent('download', {timeout: 30000}), page.click('a.download')]);
  const saved = join(downloads, 'evidence.pcapng');
  await download.saveAs(saved);
  const bytes = readFileSync(saved);
  const pcapng = bytes.length > 28 && bytes.readUInt32BE(0) === 0x0a0d0d0a;
  check('(c) evidence download', pcapng, `saved ${saved} (${bytes.length} bytes, ${pcapng ? 'pcapng' : 'not pcapng'}; `
    + `suggested name ${download.suggestedFilename()})`);

  // (d) a hostile host name is text: on the alerts list (the processor's SENSOR_NOT_IN_TOPOLOGY names it) and on the
  // sensors page (its sensor's status)
  await page.click('nav a[href="#/alerts"]');
  await hostileNameIsText(page, 'alerts list', true);
  await page.screenshot({path: join(screenshots, 'alerts.png')});
  await page.click('nav a[href="#/sensors"]');
  await hostileNameIsText(page, 'sensors page', env.INJECTED_ON_SENSORS !== '0');
  await page.waitForSelector('section.topology h2', {timeout: 30000}).catch(() => {});
  await page.screenshot({path: join(screenshots, 'sensors.png')});

  // (e) the screenshots, and (f) a page that threw nothing meanwhile
  check('(e) screenshots', true, `alerts.png, ladder.png, sensors.png (1280x800) in ${screenshots}`);
  check('(f) no script errors', scriptErrors.length === 0, scriptErrors.length ? scriptErrors.join(' | ') : 'none');
} catch (error) {
  check('run', false, error.message.split('\n')[0]);
} finally {
  await browser.close();
}
const failed = results.filter((passed) => !passed).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);

// Waits for the name on the current view, then checks that it is visible text, that no <img> came of it and that no
// dialog opened; `required` false only reports.
async function hostileNameIsText(page, view, required) {
  const found = await page.waitForFunction((name) => document.body.innerText.includes(name), injected,
    {timeout: required ? timeout : 15000, polling: 500}).then(() => true, () => false);
  await page.waitForTimeout(500); // an onerror handler would have fired by now
  const shown = await page.evaluate((name) => ({
    visible: [...document.querySelectorAll('body *')].some((node) => node.checkVisibility() && [...node.childNodes]
      .some((child) => child.nodeType === Node.TEXT_NODE && child.textContent.includes(name))),
    images: document.querySelectorAll('img').length, xImages: document.querySelectorAll('img[src="x"]').length,
  }), injected);
  const passed = found && shown.visible && shown.xImages === 0 && dialogs.length === 0;
  const detail = `"${injected}" ${found && shown.visible ? 'visible as text' : 'not shown'}; ${shown.images} <img> `
    + `elements (${shown.xImages} with src=x); ${dialogs.length} dialogs${dialogs.length ? `: ${dialogs.join(', ')}` : ''}`;
  if (required || passed) check(`(d) hostile host name as text on the ${view}`, passed, detail);
  else console.log(`note (d) ${view}: ${detail} (not required here)`);
}

// The first row of the type that was not in the list before, once the page says it came by the event stream.
async function waitForLiveRow(page, selector, before, server) {
  const handle = await page.waitForFunction(({selector, before, server}) => {
    const rows = [...document.querySelectorAll(selector)].filter((row) => !before.includes(row.dataset.id)
      && row.dataset.receivedAt && (!server || row.dataset.server === server));
    return rows.length ? {id: rows[0].dataset.id, receivedAt: Number(rows[0].dataset.receivedAt), shownAt: Date.now()} : null;
  }, {selector, before, server}, {timeout, polling: 50}).catch(() => null);
  return handle ? handle.jsonValue() : null;
}
