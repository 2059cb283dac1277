// The dashboard: one view at a time (its objects listed and watched, so the page follows the cluster without
// reloads), a namespace selector, and the history of any object clicked. The place is kept in the URL's hash:
// #pods?namespace=default.
import {Informer, auth} from './kube.js';
import {h} from './dom.js';
import {HistoryPanel} from './history.js';
import {VIEWS} from './views.js';

const $ = selector => document.querySelector(selector);

// Signing in: the API refused a request for want of credentials (or the token given is no longer good). The token
// is one the API takes (kubectl create token NAME, a line of the token file); the page starts again with it.
auth.onUnauthorized = () => {
  const dialog = $('#login');
  if (dialog.open) return;
  $('#login-error').hidden = !auth.token;
  dialog.showModal();
};
$('#login form').addEventListener('submit', () => {
  auth.token = $('#login-token').value.trim();
  location.reload();
});
$('#sign-out').hidden = !auth.token;
$('#sign-out').addEventListener('click', () => { auth.token = null; location.reload(); });
const historyPanel = new HistoryPanel($('#history'));
const namespaces = new Informer('/api/v1/namespaces', {onChange: drawNamespaces}).start();
let current = null; // {view, namespace, informers: {name: Informer}, states: {name: text}}
let drawing = false;

function place() {
  const [id, query] = location.hash.slice(1).split('?');
  const view = VIEWS.find(v => v.id === id) ?? VIEWS[0];
  return {view, namespace: new URLSearchParams(query ?? '').get('namespace') ?? ''};
}

function go(view, namespace) {
  location.hash = namespace ? `${view.id}?namespace=${encodeURIComponent(namespace)}` : view.id;
}

/** Opens the view the URL names: its informers replace the previous view's (whose watches are closed). */
function show() {
  const {view, namespace} = place();
  if (current?.view === view && current.namespace === namespace) return;
  for (const informer of Object.values(current?.informers ?? {})) informer.stop();
  current = {view, namespace, informers: {}, states: {}};
  for (const [name, path] of Object.entries(view.sources(namespace))) {
    const state = text => { current.states[name] = text; drawConnection(); };
    current.informers[name] = new Informer(path, {onChange: draw, onState: state}).start();
  }
  const scope = view.clusterScoped ? ' (pods of all namespaces)' : namespace ? ` in ${namespace}` : '';
  $('#title').replaceChildren(view.title, h('span', {class: 'muted'}, scope));
  $('#views').replaceChildren(...VIEWS.map(v => h('a', {href: '#', class: v === view ? 'active' : '', dataset: {view: v.id},
    onclick: e => { e.preventDefault(); go(v, namespace); }}, v.title)));
  $('#namespace').value = namespace;
  drawNamespaces();
  $('#table tbody').replaceChildren();
  $('#empty').hidden = true;
  drawConnection();
}

/** Draws the table on the next frame, once however many changes came in meanwhile. */
function draw() {
  if (drawing) return;
  drawing = true;
  requestAnimationFrame(() => {
    drawing = false;
    const {view, namespace, informers} = current;
    if (!Object.values(informers).every(i => i.synced)) return;
    const data = Object.fromEntries(Object.entries(informers).map(([name, i]) => [name, i.items]));
    const ctx = {namespace, now: Date.now(), openHistory: ref => historyPanel.open(ref)};
    $('#table thead').replaceChildren(h('tr', {}, view.columns(ctx).filter(Boolean).map(c => h('th', {}, c))));
    const rows = view.rows(data, ctx);
    $('#table tbody').replaceChildren(...rows);
    $('#empty').hidden = rows.length > 0;
    // the object whose history is open changed: read its history again
    for (const informer of Object.values(informers)) {
      for (const o of informer.items) {
        historyPanel.seen({kind: o.kind ?? kindOf(informer), namespace: o.metadata.namespace, name: o.metadata.name},
          o.metadata.resourceVersion);
      }
    }
  });
}

// objects in a list carry no kind: the kind comes from the collection
const KINDS = {pods: 'Pod', nodes: 'Node', deployments: 'Deployment', services: 'Service', endpoints: 'Endpoints',
  events: 'Event'};
const kindOf = informer => KINDS[informer.path.split('/').pop()];

function drawNamespaces() {
  const select = $('#namespace');
  const names = namespaces.items.map(n => n.metadata.name).sort();
  const selected = current?.namespace ?? '';
  if (selected && !names.includes(selected)) names.push(selected);
  select.replaceChildren(h('option', {value: ''}, 'All namespaces'),
    ...names.map(n => h('option', {value: n}, n)));
  select.value = selected;
}

function drawConnection() {
  const states = Object.values(current.states);
  const live = states.length === Object.keys(current.informers).length && states.every(s => s === 'live');
  const problem = states.find(s => s !== 'live' && s !== 'listing');
  const el = $('#connection');
  el.className = `connection ${live ? 'live' : problem ? 'broken' : ''}`;
  el.replaceChildren(live ? 'live' : problem ? `reconnecting (${problem})` : 'connecting…');
}

$('#namespace').addEventListener('change', e => go(place().view, e.target.value));
window.addEventListener('hashchange', show);
// ages ("5s", "3m") move on even when nothing changes
setInterval(draw, 5000);
show();
