// An object's history, from Troupe's history API (history.troupe.io/v1): every change with its time, author,
// type and JSON Patch diff, oldest first.
import {ApiError, get} from './kube.js';
import {h} from './dom.js';

const PLURALS = {
  Endpoints: 'endpoints', Ingress: 'ingresses', NetworkPolicy: 'networkpolicies', StorageClass: 'storageclasses',
  IngressClass: 'ingressclasses', PriorityClass: 'priorityclasses',
};
const CLUSTER_SCOPED = new Set(['Node', 'Namespace', 'PersistentVolume', 'StorageClass', 'IngressClass',
  'PriorityClass', 'ClusterRole', 'ClusterRoleBinding']);

/** The history API path of an object given as {kind, namespace, name}. */
export function historyPath({kind, namespace, name}) {
  const plural = PLURALS[kind] ?? `${kind.toLowerCase()}s`;
  const scope = CLUSTER_SCOPED.has(kind) || !namespace ? '' : `namespaces/${encodeURIComponent(namespace)}/`;
  return `/apis/history.troupe.io/v1/${scope}${plural}/${encodeURIComponent(name)}`;
}

const compact = value => JSON.stringify(value);

function change(op) {
  const text = op.value === undefined ? '' : compact(op.value);
  const value = text.length > 120
    ? h('details', {}, h('summary', {}, `${text.slice(0, 80)}…`), h('pre', {}, JSON.stringify(op.value, null, 2)))
    : h('code', {}, text);
  return h('li', {class: `op op-${op.op}`},
    h('span', {class: 'op-name'}, op.op), ' ', h('code', {class: 'op-path'}, op.path || '/'),
    op.from !== undefined ? [' from ', h('code', {}, op.from)] : null,
    op.value !== undefined ? [' ', value] : null);
}

function entry(e) {
  const diff = e.diff ?? [];
  const whole = diff.length === 1 && diff[0].op === 'add' && diff[0].path === '';
  return h('li', {class: `entry ${e.type === 'Deleted' ? 'deleted' : ''}`, dataset: {type: e.type ?? ''}},
    h('div', {class: 'entry-head'},
      h('span', {class: 'entry-type'}, e.type ?? ''),
      h('time', {datetime: e.time ?? ''}, e.time ? new Date(e.time).toLocaleString() : ''),
      h('span', {class: 'author'}, e.author ? `by ${e.author}` : ''),
      h('span', {class: 'muted'}, e.resourceVersion ? `rv ${e.resourceVersion}` : '')),
    whole
      ? h('details', {}, h('summary', {}, 'the whole object'), h('pre', {}, JSON.stringify(diff[0].value, null, 2)))
      : h('ul', {class: 'diff'}, diff.map(change)));
}

/** The side panel: open(ref) shows an object's history; refresh() reads it again. */
export class HistoryPanel {
  constructor(root) {
    this.root = root;
    this.target = null;
    this.aborter = null;
    root.querySelector('#history-close').addEventListener('click', () => this.close());
  }

  open(ref) {
    this.target = ref;
    this.version = null;
    this.root.hidden = false;
    this.root.querySelector('#history-target').replaceChildren(
      `${ref.kind} ${ref.namespace && !CLUSTER_SCOPED.has(ref.kind) ? `${ref.namespace}/` : ''}${ref.name}`);
    this.body().replaceChildren(h('p', {class: 'muted'}, 'loading…'));
    this.refresh();
  }

  close() {
    this.aborter?.abort();
    this.target = null;
    this.root.hidden = true;
  }

  /** Reads the history again when the object has changed since (its resourceVersion given), or always. */
  seen(ref, resourceVersion) {
    const t = this.target;
    if (!t || t.kind !== ref.kind || t.name !== ref.name || (t.namespace ?? '') !== (ref.namespace ?? '')) return;
    if (resourceVersion === this.version) return;
    this.version = resourceVersion;
    this.refresh();
  }

  body() {
    return this.root.querySelector('#history-body');
  }

  async refresh() {
    const target = this.target;
    if (!target) return;
    this.aborter?.abort();
    this.aborter = new AbortController();
    try {
      const history = await get(historyPath(target), this.aborter.signal);
      if (target !== this.target) return;
      const entries = history.entries ?? [];
      this.body().replaceChildren(
        history.historyStartsAt ? h('p', {class: 'muted'}, `history kept since ${history.historyStartsAt}`) : null,
        h('ol', {class: 'entries'}, entries.map(entry)));
    } catch (e) {
      if (e.name === 'AbortError' || target !== this.target) return;
      // a 404 without details is the path itself unknown: this server has no history API
      const missingApi = e instanceof ApiError && e.code === 404 && !e.status?.details;
      this.body().replaceChildren(h('p', {class: 'notice', dataset: {error: missingApi ? 'no-api' : String(e.code ?? '')}},
        missingApi ? 'This server does not serve the history API.' : `No history: ${e.message}`));
    }
  }
}
