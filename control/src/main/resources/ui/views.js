// The dashboard's views: what each one watches and the table it draws from it.
import {age, bar, h} from './dom.js';
import {bytes, cores, holdsNode, podRequests, quantity} from './resources.js';

const core = (ns, plural) => ns ? `/api/v1/namespaces/${encodeURIComponent(ns)}/${plural}` : `/api/v1/${plural}`;
const apps = (ns, plural) => ns ? `/apis/apps/v1/namespaces/${encodeURIComponent(ns)}/${plural}` : `/apis/apps/v1/${plural}`;

/** A row for one object: data attributes say which, for people and for tests. */
function row(kind, object, ...cells) {
  return h('tr', {dataset: {kind, name: object.metadata.name, namespace: object.metadata.namespace ?? ''}}, cells);
}

/** The object's name: a link that opens its history. */
function name(kind, object, ctx) {
  const ref = {kind, namespace: object.metadata.namespace, name: object.metadata.name};
  return h('td', {class: 'name'}, h('a', {href: '#', class: 'history-link', onclick: e => {
    e.preventDefault();
    ctx.openHistory(ref);
  }}, object.metadata.name));
}

const namespaceCell = (object, ctx) => ctx.namespace ? null : h('td', {class: 'ns'}, object.metadata.namespace);
const byName = (a, b) => (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '')
  || a.metadata.name.localeCompare(b.metadata.name);

/** A pod's STATUS as kubectl shows it (the waiting or terminated reason of a container wins over the phase). */
export function podStatus(pod) {
  let status = pod.status?.reason || pod.status?.phase || 'Pending';
  let initializing = false;
  const inits = pod.status?.initContainerStatuses ?? [];
  inits.forEach((s, i) => {
    if (initializing || s.state?.terminated?.exitCode === 0) return;
    initializing = true;
    if (s.state?.terminated) status = `Init:${s.state.terminated.reason || 'Error'}`;
    else if (s.state?.waiting?.reason && s.state.waiting.reason !== 'PodInitializing') status = `Init:${s.state.waiting.reason}`;
    else status = `Init:${i}/${pod.spec?.initContainers?.length ?? inits.length}`;
  });
  if (!initializing) {
    let running = false;
    for (const s of [...(pod.status?.containerStatuses ?? [])].reverse()) {
      if (s.state?.waiting?.reason) status = s.state.waiting.reason;
      else if (s.state?.terminated) status = s.state.terminated.reason || `ExitCode:${s.state.terminated.exitCode}`;
      else if (s.state?.running && s.ready) running = true;
    }
    if (status === 'Completed' && running) status = 'Running';
  }
  if (pod.metadata.deletionTimestamp) status = 'Terminating';
  return status;
}

/** The colour of a pod status: running (green), pending (amber), failed (red), succeeded (grey). */
export function statusClass(status) {
  if (status === 'Running') return 'running';
  if (status === 'Succeeded' || status === 'Completed') return 'succeeded';
  if (/Err|BackOff|Error|Fail|OOMKilled|Evicted|Unknown|Invalid|ExitCode|Signal|Deadline/.test(status)) return 'failed';
  return 'pending';
}

const pill = (text, cls) => h('span', {class: `pill ${cls}`}, text);

const nodes = {
  id: 'nodes',
  title: 'Nodes',
  clusterScoped: true,
  sources: () => ({nodes: core(null, 'nodes'), pods: core(null, 'pods')}),
  columns: () => ['Name', 'Status', 'Roles', 'CPU requested', 'Memory requested', 'Pods', 'Age'],
  rows({nodes, pods}, ctx) {
    const bound = new Map();
    for (const pod of pods.filter(holdsNode)) {
      const list = bound.get(pod.spec.nodeName) ?? [];
      list.push(pod);
      bound.set(pod.spec.nodeName, list);
    }
    return nodes.sort(byName).map(node => {
      const ready = (node.status?.conditions ?? []).find(c => c.type === 'Ready');
      const readiness = ready?.status === 'True' ? 'Ready' : ready?.status === 'False' ? 'NotReady' : 'Unknown';
      const status = node.spec?.unschedulable ? `${readiness},SchedulingDisabled` : readiness;
      const roles = Object.keys(node.metadata.labels ?? {})
        .filter(l => l.startsWith('node-role.kubernetes.io/')).map(l => l.slice('node-role.kubernetes.io/'.length));
      const here = bound.get(node.metadata.name) ?? [];
      const requested = here.map(podRequests).reduce((a, r) => ({cpu: a.cpu + r.cpu, memory: a.memory + r.memory}),
        {cpu: 0, memory: 0});
      const allocatable = node.status?.allocatable ?? {};
      const cpu = quantity(allocatable.cpu);
      const memory = quantity(allocatable.memory);
      const maxPods = quantity(allocatable.pods);
      return row('Node', node, name('Node', node, ctx),
        h('td', {class: 'status', title: ready?.message ?? ''},
          pill(status, readiness === 'Ready' ? 'running' : readiness === 'NotReady' ? 'failed' : 'pending')),
        h('td', {}, roles.length ? roles.join(',') : '<none>'),
        h('td', {class: 'cpu'}, bar(requested.cpu, cpu, `${cores(requested.cpu)} / ${cores(cpu)}`)),
        h('td', {class: 'memory'}, bar(requested.memory, memory, `${bytes(requested.memory)} / ${bytes(memory)}`)),
        h('td', {class: 'pods'}, bar(here.length, maxPods, `${here.length} / ${maxPods}`)),
        h('td', {}, age(node.metadata.creationTimestamp, ctx.now)));
    });
  },
};

const pods = {
  id: 'pods',
  title: 'Pods',
  sources: ns => ({pods: core(ns, 'pods')}),
  columns: ctx => [ctx.namespace ? null : 'Namespace', 'Name', 'Ready', 'Status', 'Restarts', 'Node', 'IP', 'Age'],
  rows({pods}, ctx) {
    return pods.sort(byName).map(pod => {
      const containers = pod.status?.containerStatuses ?? [];
      const total = pod.spec?.containers?.length ?? containers.length;
      const ready = containers.filter(s => s.ready).length;
      const restarts = containers.reduce((n, s) => n + (s.restartCount ?? 0), 0);
      const status = podStatus(pod);
      return row('Pod', pod, namespaceCell(pod, ctx), name('Pod', pod, ctx),
        h('td', {class: 'ready'}, `${ready}/${total}`),
        h('td', {class: 'status'}, pill(status, statusClass(status))),
        h('td', {class: 'restarts'}, restarts),
        h('td', {class: 'node'}, pod.spec?.nodeName ?? ''),
        h('td', {class: 'ip'}, pod.status?.podIP ?? ''),
        h('td', {}, age(pod.metadata.creationTimestamp, ctx.now)));
    });
  },
};

const deployments = {
  id: 'deployments',
  title: 'Deployments',
  sources: ns => ({deployments: apps(ns, 'deployments')}),
  columns: ctx => [ctx.namespace ? null : 'Namespace', 'Name', 'Ready', 'Up-to-date', 'Available', 'Rollout', 'Age'],
  rows({deployments}, ctx) {
    return deployments.sort(byName).map(d => {
      const desired = d.spec?.replicas ?? 1;
      const s = d.status ?? {};
      const updated = s.updatedReplicas ?? 0;
      const ready = s.readyReplicas ?? 0;
      const available = s.availableReplicas ?? 0;
      const progressing = (s.conditions ?? []).find(c => c.type === 'Progressing');
      const observed = (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
      const complete = observed && updated === desired && ready === desired && available === desired
        && (s.replicas ?? 0) === desired;
      const state = progressing?.reason === 'ProgressDeadlineExceeded' ? ['Failed', 'failed']
        : complete ? ['Complete', 'running'] : ['Progressing', 'pending'];
      return row('Deployment', d, namespaceCell(d, ctx), name('Deployment', d, ctx),
        h('td', {class: 'ready'}, `${ready}/${desired}`),
        h('td', {class: 'updated'}, updated),
        h('td', {class: 'available'}, available),
        h('td', {class: 'rollout', title: progressing?.message ?? ''}, pill(state[0], state[1]), ' ',
          bar(Math.min(updated, available), desired,
            `updated ${updated} · ready ${ready} · available ${available} of ${desired}`, state[1])),
        h('td', {}, age(d.metadata.creationTimestamp, ctx.now)));
    });
  },
};

const services = {
  id: 'services',
  title: 'Services',
  sources: ns => ({services: core(ns, 'services'), endpoints: core(ns, 'endpoints')}),
  columns: ctx => [ctx.namespace ? null : 'Namespace', 'Name', 'Type', 'Cluster IP', 'Ports', 'Endpoints', 'Age'],
  rows({services, endpoints}, ctx) {
    const byKey = new Map(endpoints.map(e => [`${e.metadata.namespace}/${e.metadata.name}`, e]));
    return services.sort(byName).map(svc => {
      const subsets = byKey.get(`${svc.metadata.namespace}/${svc.metadata.name}`)?.subsets ?? [];
      const ready = [];
      let notReady = 0;
      for (const subset of subsets) {
        const ports = subset.ports?.length ? subset.ports : [{}];
        for (const a of subset.addresses ?? []) for (const p of ports) ready.push(p.port ? `${a.ip}:${p.port}` : a.ip);
        notReady += subset.notReadyAddresses?.length ?? 0;
      }
      const ports = (svc.spec?.ports ?? [])
        .map(p => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`).join(',');
      return row('Service', svc, namespaceCell(svc, ctx), name('Service', svc, ctx),
        h('td', {}, svc.spec?.type ?? 'ClusterIP'),
        h('td', {}, svc.spec?.clusterIP ?? ''),
        h('td', {}, ports),
        h('td', {class: 'endpoints'}, ready.length ? ready.sort().join(', ') : h('span', {class: 'muted'}, '<none>'),
          notReady ? h('span', {class: 'pill pending'}, `${notReady} not ready`) : null),
        h('td', {}, age(svc.metadata.creationTimestamp, ctx.now)));
    });
  },
};

const eventTime = e => e.lastTimestamp || e.eventTime || e.series?.lastObservedTime || e.firstTimestamp
  || e.metadata.creationTimestamp;

const events = {
  id: 'events',
  title: 'Events',
  sources: ns => ({events: core(ns, 'events')}),
  columns: ctx => [ctx.namespace ? null : 'Namespace', 'Last seen', 'Type', 'Reason', 'Object', 'Message', 'Count'],
  rows({events}, ctx) {
    return events
      // times are in whole seconds: within one, the later write (the higher resourceVersion) comes first
      .sort((a, b) => Date.parse(eventTime(b)) - Date.parse(eventTime(a))
        || Number(b.metadata.resourceVersion) - Number(a.metadata.resourceVersion))
      .slice(0, 500)
      .map(e => {
        const involved = e.involvedObject ?? e.regarding ?? {};
        const ref = {kind: involved.kind, namespace: involved.namespace, name: involved.name};
        const tr = row('Event', e, namespaceCell(e, ctx),
          h('td', {}, age(eventTime(e), ctx.now)),
          h('td', {class: 'type'}, e.type ?? ''),
          h('td', {class: 'reason'}, e.reason ?? ''),
          h('td', {class: 'object'}, h('a', {href: '#', class: 'history-link', onclick: ev => {
            ev.preventDefault();
            ctx.openHistory(ref);
          }}, `${(involved.kind ?? '').toLowerCase()}/${involved.name ?? ''}`)),
          h('td', {class: 'message'}, e.message ?? e.note ?? ''),
          h('td', {class: 'count'}, e.count ?? e.series?.count ?? 1));
        if (e.type === 'Warning') tr.classList.add('warning');
        return tr;
      });
  },
};

export const VIEWS = [nodes, deployments, pods, services, events];
