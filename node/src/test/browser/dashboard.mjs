// Drives the dashboard in headless Chromium as a user would, against a running Troupe under RBAC: the page asks
// for a token, is signed in once, and then follows the cluster without reloads. Run by DashboardBrowserTest with
// TROUPE_URL, NAMESPACE, NODE, TOKEN and SCREENSHOTS set; prints one "ok: ..." line per step, exits 1 on the first failure (with a screenshot).
import {chromium} from 'playwright-core';
import {mkdirSync} from 'node:fs';

const url = process.env.TROUPE_URL;
const ns = process.env.NAMESPACE;
const nodeName = process.env.NODE;
const shots = process.env.SCREENSHOTS;
const token = process.env.TOKEN;
const TIMEOUT = 30_000;
mkdirSync(shots, {recursive: true});

async function api(method, path, body, contentType = 'application/json') {
  const response = await fetch(url + path, {method,
    headers: {'Content-Type': contentType, Authorization: `Bearer ${token}`},
    body: body === undefined ? undefined : JSON.stringify(body)});
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return JSON.parse(text);
}

const deployment = {
  apiVersion: 'apps/v1', kind: 'Deployment',
  metadata: {name: 'web', namespace: ns},
  spec: {
    replicas: 2,
    selector: {matchLabels: {app: 'web'}},
    template: {
      metadata: {labels: {app: 'web'}},
      spec: {containers: [{name: 'main', image: 'host', command: ['sleep', '3600'],
        resources: {requests: {cpu: '100m', memory: '64Mi'}}}]},
    },
  },
};
// a pod no node can take: Pending, with a FailedScheduling Warning
const stuck = {apiVersion: 'v1', kind: 'Pod', metadata: {name: 'stuck', namespace: ns},
  spec: {nodeSelector: {'disk': 'none-has-it'}, containers: [{name: 'main', image: 'host', command: ['sleep', '1']}]}};

const browser = await chromium.launch({executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox']});
const page = await browser.newPage({viewport: {width: 1400, height: 800}});
page.setDefaultTimeout(TIMEOUT);
const pageErrors = [];
page.on('pageerror', e => pageErrors.push(e.message));
page.on('console', m => { if (m.type() === 'error') console.log(`console: ${m.text()}`); });
let step = 0;
const shot = name => page.screenshot({path: `${shots}/${String(++step).padStart(2, '0')}-${name}.png`, fullPage: true});
const ok = text => console.log(`ok: ${text}`);
/** Waits until fn(arg), run in the page, is true. */
const until = (what, fn, arg) => page.waitForFunction(fn, arg, {timeout: TIMEOUT})
  .catch(e => { throw new Error(`${what}: ${e.message.split('\n')[0]}`); });
const rowSelector = (kind, name) => `tr[data-kind="${kind}"][data-name="${name}"]`;
const cell = (kind, name, css) => page.locator(`${rowSelector(kind, name)} ${css}`).innerText();

try {
  // the pods of a namespace, watched: the page stays open from here on
  // without credentials the API answers 401: the page asks for a token; a wrong one is refused, the right one lets in
  await page.goto(`${url}/ui/#pods?namespace=${ns}`);
  await page.waitForSelector('#login[open]');
  await shot('sign-in');
  await page.fill('#login-token', 'not-a-token');
  await page.click('#login button[type="submit"]');
  await page.waitForSelector('#login[open] #login-error:not([hidden])');
  ok('the page asked for a token and refused a wrong one');
  await page.fill('#login-token', token);
  await page.click('#login button[type="submit"]');
  await page.waitForSelector('#connection.live');
  if (await page.locator('#login[open]').count() > 0) throw new Error('still asked for a token once signed in');
  await page.waitForSelector('#empty:not([hidden])');
  ok('the page is live, no pods yet');
  await shot('pods-empty');

  // every status the page shows a web- pod in, as it draws them
  await page.evaluate(() => {
    window.seen = [];
    new MutationObserver(() => {
      for (const row of document.querySelectorAll('tr[data-kind="Pod"]')) {
        const pill = row.querySelector('.status .pill');
        if (row.dataset.name.startsWith('web-') && pill) window.seen.push(`${pill.textContent} ${pill.className}`);
      }
    }).observe(document.querySelector('#table tbody'), {childList: true});
  });
  await api('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, deployment);
  await api('POST', `/api/v1/namespaces/${ns}/pods`, stuck);
  await until('two web pods Running', () => [...document.querySelectorAll('tr[data-kind="Pod"]')]
    .filter(r => r.dataset.name.startsWith('web-'))
    .filter(r => r.querySelector('.status .pill.running')?.textContent === 'Running'
      && r.querySelector('.ready').textContent === '1/1').length === 2);
  const seen = await page.evaluate(() => window.seen);
  if (!seen.some(s => /pending/.test(s) && !s.startsWith('Running'))) {
    throw new Error(`the web pods were never shown on their way to Running: ${[...new Set(seen)]}`);
  }
  const web = await page.locator('tr[data-kind="Pod"][data-name^="web-"]').first().getAttribute('data-name');
  if (await cell('Pod', web, '.node') !== nodeName) throw new Error(`${web} is not shown on ${nodeName}`);
  await until('stuck Pending', () =>
    document.querySelector('tr[data-kind="Pod"][data-name="stuck"] .status .pill.pending')?.textContent === 'Pending');
  ok(`the web pods turned Running (shown before: ${[...new Set(seen.filter(s => !s.startsWith('Running')))]}); stuck is Pending`);
  await shot('pods-running');

  // the deployment's rollout, then a scale seen live
  await page.click('#views a[data-view="deployments"]');
  await until('web 2/2 Complete', ([sel]) => document.querySelector(`${sel} .ready`)?.textContent === '2/2'
    && document.querySelector(`${sel} .rollout .pill.running`)?.textContent === 'Complete',
  [rowSelector('Deployment', 'web')]);
  ok('deployment web 2/2 Complete');
  await shot('deployment-complete');
  await api('PATCH', `/apis/apps/v1/namespaces/${ns}/deployments/web`, {spec: {replicas: 3}},
    'application/merge-patch+json');
  await until('web 3/3 Complete', ([sel]) => document.querySelector(`${sel} .ready`)?.textContent === '3/3'
    && document.querySelector(`${sel} .rollout .pill`)?.textContent === 'Complete'
    && document.querySelector(`${sel} .rollout .bar-text`)?.textContent === 'updated 3 · ready 3 · available 3 of 3',
  [rowSelector('Deployment', 'web')]);
  ok('deployment web scaled to 3/3 on the page');
  await shot('deployment-scaled');

  // a service and the ready addresses of its pods
  await page.click('#views a[data-view="services"]');
  await api('POST', `/api/v1/namespaces/${ns}/services`, {apiVersion: 'v1', kind: 'Service',
    metadata: {name: 'web', namespace: ns}, spec: {selector: {app: 'web'}, ports: [{port: 80, targetPort: 8080}]}});
  await until('three endpoints', ([sel]) =>
    (document.querySelector(`${sel} .endpoints`)?.textContent.match(/:8080/g) ?? []).length === 3,
  [rowSelector('Service', 'web')]);
  ok(`service web: ${await cell('Service', 'web', '.endpoints')}`);
  await shot('services');

  // the node, its readiness and what the pods request of it (all namespaces)
  await page.click('#views a[data-view="nodes"]');
  await until('node Ready', ([sel]) => document.querySelector(`${sel} .status .pill.running`)?.textContent === 'Ready',
    [rowSelector('Node', nodeName)]);
  const cpu = await cell('Node', nodeName, '.cpu .bar-text');
  if (!cpu.startsWith('300m / ')) throw new Error(`${nodeName} cpu requested: ${cpu}`);
  ok(`node ${nodeName} Ready, cpu ${cpu}, memory ${await cell('Node', nodeName, '.memory .bar-text')}`);
  await shot('nodes');

  // events, newest first; a Warning highlighted; a new one arrives live
  await page.click('#views a[data-view="events"]');
  await until('events', () => document.querySelectorAll('tr[data-kind="Event"]').length > 0
    && [...document.querySelectorAll('tr.warning td.reason')].some(td => td.textContent === 'FailedScheduling'));
  await api('PATCH', `/apis/apps/v1/namespaces/${ns}/deployments/web`, {spec: {replicas: 1}},
    'application/merge-patch+json');
  await until('the scale-down event above the scale-ups', () => {
    const messages = [...document.querySelectorAll('tr[data-kind="Event"] td.message')].map(td => td.textContent);
    const down = messages.findIndex(m => /^Scaled down replica set web-\S+ from 3 to 1$/.test(m));
    const up = messages.findIndex(m => /^Scaled up replica set web-\S+ from 2 to 3$/.test(m));
    const first = messages.findIndex(m => /^Scaled up replica set web-\S+ from 0 to 2$/.test(m));
    return down >= 0 && down < up && up < first;
  });
  ok('events listed newest first, FailedScheduling highlighted, the scale-down event arrived');
  await shot('events');

  // the deployment's history: Created, then its updates
  await page.click('#views a[data-view="deployments"]');
  await page.click(`${rowSelector('Deployment', 'web')} a.history-link`);
  await page.waitForSelector('#history:not([hidden])');
  await until('history Created then updates', () => {
    const types = [...document.querySelectorAll('#history li.entry')].map(li => li.dataset.type);
    return types[0] === 'Created' && types.filter(t => t === 'Updated').length >= 2;
  });
  // the page follows the object: a change shows in the open history
  await api('PATCH', `/apis/apps/v1/namespaces/${ns}/deployments/web`,
    {metadata: {labels: {tier: 'front'}}}, 'application/merge-patch+json');
  await until('the label in the history', () => [...document.querySelectorAll('#history .op-path')]
    .some(c => c.textContent.startsWith('/metadata/labels')));
  const entries = await page.locator('#history li.entry').count();
  ok(`history of web: Created, then ${entries - 1} changes`);
  await shot('history');

  // all namespaces: the namespace becomes a column
  await page.click('#history-close');
  await page.click('#views a[data-view="pods"]');
  await page.selectOption('#namespace', '');
  await until('pods of all namespaces', ([namespace]) => location.hash === '#pods'
    && document.querySelector(`tr[data-kind="Pod"][data-namespace="${namespace}"] td.ns`)?.textContent === namespace
    && document.querySelector('#title').textContent === 'Pods', [ns]);
  ok('pods of all namespaces, each with its namespace');
  await shot('pods-all-namespaces');
  if (pageErrors.length) throw new Error(`errors in the page: ${pageErrors.join('; ')}`);
  ok('no errors in the page');
} catch (e) {
  await page.screenshot({path: `${shots}/failure.png`, fullPage: true}).catch(() => {});
  console.log(`FAILED: ${e.message}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
