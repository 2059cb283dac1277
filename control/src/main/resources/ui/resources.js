// Kubernetes resource quantities ("250m", "1.5", "128Mi", "1G") and what pods request of a node.

const SUFFIXES = {
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** A quantity as a number (cores, bytes); 0 when absent or unreadable. */
export function quantity(text) {
  if (text == null) return 0;
  const match = /^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)([a-zA-Z]*)$/.exec(String(text).trim());
  if (!match || !(match[2] in SUFFIXES)) return 0;
  return Number(match[1]) * SUFFIXES[match[2]];
}

export function cores(value) {
  return value < 1 ? `${Math.round(value * 1000)}m` : `${Number(value.toFixed(2))}`;
}

export function bytes(value) {
  for (const [unit, size] of [['Ti', 2 ** 40], ['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]]) {
    if (value >= size) return `${Number((value / size).toFixed(1))}${unit}`;
  }
  return `${value}`;
}

/** What a pod requests, as the scheduler counts it: the larger of its containers' sum and its largest init container. */
export function podRequests(pod) {
  const sum = {cpu: 0, memory: 0};
  for (const c of pod.spec?.containers ?? []) {
    sum.cpu += quantity(c.resources?.requests?.cpu);
    sum.memory += quantity(c.resources?.requests?.memory);
  }
  for (const c of pod.spec?.initContainers ?? []) {
    sum.cpu = Math.max(sum.cpu, quantity(c.resources?.requests?.cpu));
    sum.memory = Math.max(sum.memory, quantity(c.resources?.requests?.memory));
  }
  return sum;
}

/** Whether a pod still holds its place on its node (bound, not finished). */
export function holdsNode(pod) {
  const phase = pod.status?.phase;
  return Boolean(pod.spec?.nodeName) && phase !== 'Succeeded' && phase !== 'Failed';
}
