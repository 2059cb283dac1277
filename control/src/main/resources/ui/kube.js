// The Kubernetes API of the server that served this page: list + watch, as client-go's reflector does.

/** A failed request, with the Kubernetes Status the server answered (when it answered one). */
export class ApiError extends Error {
  constructor(code, status) {
    super(status?.message || `HTTP ${code}`);
    this.code = code;
    this.status = status;
  }
}

// The bearer token the user signed in with, kept for this tab only (sessionStorage). Without one the browser's
// own credentials go (a client certificate it holds), or none: the API then answers 401 and the page asks for one.
const TOKEN = 'troupe-token';
export const auth = {
  get token() { return sessionStorage.getItem(TOKEN); },
  set token(value) { value ? sessionStorage.setItem(TOKEN, value) : sessionStorage.removeItem(TOKEN); },
  /** Called once with the ApiError of the first request refused 401 (the page then asks for a token). */
  onUnauthorized: () => {},
};

function headers(accept) {
  const token = auth.token;
  return token ? {Accept: accept, Authorization: `Bearer ${token}`} : {Accept: accept};
}

/** The ApiError of a failed response; a 401 also tells auth.onUnauthorized. */
async function failure(response) {
  const error = new ApiError(response.status, await response.json().catch(() => null));
  if (response.status === 401) auth.onUnauthorized(error);
  return error;
}

/** GET a path; the answer as JSON, or an ApiError. */
export async function get(path, signal) {
  const response = await fetch(path, {signal, headers: headers('application/json')});
  if (!response.ok) throw await failure(response);
  return response.json();
}

const key = o => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/**
 * A live copy of the objects at a collection path: a list, then a watch from the list's resourceVersion; when
 * the watch ends it is opened again from the last version seen, and when that version is too old (410 Gone)
 * the collection is listed again. onChange() after every change, onState('live' | 'listing' | error text).
 */
export class Informer {
  constructor(path, {onChange = () => {}, onState = () => {}} = {}) {
    this.path = path;
    this.onChange = onChange;
    this.onState = onState;
    this.objects = new Map();
    this.synced = false;
    this.aborter = new AbortController();
  }

  start() {
    this.run(this.aborter.signal);
    return this;
  }

  stop() {
    this.aborter.abort();
  }

  get items() {
    return [...this.objects.values()];
  }

  async run(signal) {
    let version = null;
    let delay = 500;
    while (!signal.aborted) {
      try {
        if (version === null) version = await this.list(signal);
        version = await this.watch(version, signal);
        delay = 500;
      } catch (e) {
        if (signal.aborted) return;
        this.onState(`${this.path}: ${e.message}`);
        if (e instanceof ApiError && e.code === 410) version = null;
        await sleep(delay, signal);
        delay = Math.min(delay * 2, 10000);
      }
    }
  }

  async list(signal) {
    this.onState('listing');
    const list = await get(this.path, signal);
    this.objects = new Map(list.items.map(o => [key(o), o]));
    this.synced = true;
    this.onChange();
    return list.metadata.resourceVersion;
  }

  /** Follows one watch; the version to go on from when it ends, or null to list again (410 Gone). */
  async watch(version, signal) {
    const query = new URLSearchParams({watch: '1', allowWatchBookmarks: 'true', resourceVersion: version});
    const response = await fetch(`${this.path}?${query}`, {signal, headers: headers('application/json')});
    if (response.status === 410) return null;
    if (!response.ok) throw await failure(response);
    this.onState('live');
    for await (const line of lines(response.body)) {
      const event = JSON.parse(line);
      if (event.type === 'ERROR') {
        if (event.object?.code === 410) return null;
        throw new ApiError(event.object?.code, event.object);
      }
      version = event.object.metadata.resourceVersion;
      if (event.type === 'BOOKMARK') continue;
      if (event.type === 'DELETED') this.objects.delete(key(event.object));
      else this.objects.set(key(event.object), event.object);
      this.onChange();
    }
    return version;
  }
}

/** The lines of a newline-delimited stream, as text. */
async function* lines(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const {value, done} = await reader.read();
    if (done) break;
    buffer += value;
    let end;
    while ((end = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, end).trim();
      buffer = buffer.slice(end + 1);
      if (line) yield line;
    }
  }
  if (buffer.trim()) yield buffer.trim();
}

function sleep(ms, signal) {
  return new Promise(resolve => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, {once: true});
  });
}
