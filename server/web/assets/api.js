// Calls to the tafuta API from the page. The key lives in sessionStorage (this tab only) and travels in the
// Authorization header, never in a URL. A 401 asks for a key (askForKey) and retries once with it.

const KEY_STORAGE = 'tafuta.apiKey';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function savedKey() {
  return sessionStorage.getItem(KEY_STORAGE) ?? '';
}

export function saveKey(key) {
  if (key) sessionStorage.setItem(KEY_STORAGE, key);
  else sessionStorage.removeItem(KEY_STORAGE);
}

/**
 * @param {{askForKey: (reason: 'missing' | 'invalid') => Promise<boolean>}} hooks askForKey resolves true once a new key is saved
 */
export function createApi({ askForKey }) {
  async function send(method, path, body) {
    const headers = { accept: 'application/json' };
    const key = savedKey();
    if (key) headers.authorization = `Bearer ${key}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    return fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  }

  async function request(method, path, body) {
    let response = await send(method, path, body);
    if (response.status === 401 && (await askForKey(savedKey() ? 'invalid' : 'missing'))) response = await send(method, path, body);
    const payload = await response.json().catch(() => null);
    if (!response.ok) {
      const error = payload?.error;
      throw new ApiError(response.status, error?.code ?? 'HTTP_ERROR', error?.message ?? `HTTP ${response.status}`);
    }
    return payload;
  }

  const collectionPath = (name) => `/v1/collections/${encodeURIComponent(name)}`;
  return {
    info: () => request('GET', '/v1/info'),
    collections: async () => (await request('GET', '/v1/collections')).collections,
    createCollection: (name, encoder) => request('POST', '/v1/collections', encoder ? { name, encoder } : { name }),
    deleteCollection: (name, force) => request('DELETE', `${collectionPath(name)}${force ? '?force=true' : ''}`),
    upsertDocuments: (name, documents) => request('POST', `${collectionPath(name)}/documents`, { documents }),
    getDocument: (name, id) => request('GET', `${collectionPath(name)}/documents/${encodeURIComponent(id)}`),
    search: (name, body) => request('POST', `${collectionPath(name)}/search`, body),
  };
}
