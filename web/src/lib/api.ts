/** The one way the web app talks to the API: JSON over HTTP, errors in the API's one shape. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export async function getJson<T>(path: string, init?: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { ...init, headers: { accept: 'application/json', ...init?.headers } });
  } catch {
    throw new ApiError(0, 'NETWORK', 'Cloudventory cannot be reached. Check your connection and try again.');
  }
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok && response.status !== 503) {
    const error = (body as { error?: { code: string; message: string; details?: unknown } } | undefined)?.error;
    throw new ApiError(response.status, error?.code ?? 'HTTP', error?.message ?? `Request failed with status ${response.status}`, error?.details);
  }
  return body as T;
}
