// The console's router: #/alerts (live list), #/alerts/ID (one alert and its ladder), #/sensors.

import {renderAlert} from './alert.js';
import {renderAlerts} from './alerts.js';
import {el, replace} from './dom.js';
import {renderSensors} from './sensors.js';
import {start} from './store.js';

const main = document.getElementById('main');
let cleanup = () => {};

function route() {
  const [path, queryText = ''] = (location.hash.replace(/^#/, '') || '/alerts').split('?');
  const query = new URLSearchParams(queryText);
  const parts = path.split('/').filter(Boolean);
  cleanup();
  cleanup = () => {};
  let title = 'Alerts';
  if (parts[0] === 'alerts' && parts.length === 2) {
    title = 'Alert';
    cleanup = renderAlert(main, decodeURIComponent(parts[1]));
  } else if (parts[0] === 'sensors') {
    title = 'Sensors';
    cleanup = renderSensors(main);
  } else if (parts[0] === 'alerts' || parts.length === 0) {
    cleanup = renderAlerts(main, query);
  } else {
    title = 'Not found';
    replace(main, el('h1', {}, 'Not found'), el('p', {}, 'No such page. ', el('a', {href: '#/alerts'}, 'All alerts')));
  }
  document.title = `${title} · wirewatch`;
  for (const link of document.querySelectorAll('nav a')) {
    const current = link.getAttribute('href') === `#/${parts[0] || 'alerts'}`;
    if (current) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  // A new page puts keyboard and screen-reader focus on its heading, not on the link that led there.
  if (document.activeElement && document.activeElement !== document.body && !main.contains(document.activeElement)) {
    main.focus({preventScroll: true});
  }
}

window.addEventListener('hashchange', route);
// The skip link moves focus without touching the hash, which is the route.
document.querySelector('.skip').addEventListener('click', (event) => {
  event.preventDefault();
  main.focus();
});
start();
route();
