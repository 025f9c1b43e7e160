import type { RunningServer } from '../server.ts';

/** A browser-like API client: keeps cookies, sends the Origin a browser would, parses JSON. */
export function apiClient(server: RunningServer) {
  const cookies = new Map<string, string>();
  async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        origin: server.url,
        cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(';');
      const [name, ...value] = pair!.split('=');
      if (/Expires=Thu, 01 Jan 1970/i.test(header) || /Max-Age=0/i.test(header)) cookies.delete(name!);
      else cookies.set(name!, value.join('='));
    }
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as Record<string, unknown> & { error?: { code: string; message: string } }, headers: response.headers };
  }
  return {
    cookies,
    get: (path: string) => call('GET', path),
    post: (path: string, body?: unknown, headers?: Record<string, string>) => call('POST', path, body ?? {}, headers),
    put: (path: string, body?: unknown, headers?: Record<string, string>) => call('PUT', path, body ?? {}, headers),
    patch: (path: string, body?: unknown, headers?: Record<string, string>) => call('PATCH', path, body ?? {}, headers),
    delete: (path: string, headers?: Record<string, string>) => call('DELETE', path, undefined, headers),
  };
}

export type ApiClient = ReturnType<typeof apiClient>;

export const strongPassword = 'plum-Kettle-41-sailing';

export function signUpBody(overrides: Record<string, unknown> = {}) {
  const n = Math.random().toString(36).slice(2, 8);
  return { email: `person-${n}@example.com`, firstName: 'Ada', lastName: 'Lovelace', organizationName: `Org ${n}`, password: strongPassword, timezone: 'Europe/London', ...overrides };
}
