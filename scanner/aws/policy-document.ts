/**
 * IAM policy documents as data. IAM's query API answers them URL-encoded; some emulators answer
 * plain JSON. Either way the result is the parsed document, so it normalises and diffs like config.
 */
export function parsePolicyDocument(raw: string | undefined): unknown {
  if (!raw) return undefined;
  const text = raw.trimStart().startsWith('{') ? raw : decodeURIComponent(raw);
  return JSON.parse(text) as unknown;
}

/**
 * Who a role's trust policy lets assume it, as `AWS:arn:aws:iam::111122223333:root`,
 * `Service:lambda.amazonaws.com`, `Federated:...` or `*`, sorted. Only Allow statements grant trust.
 */
export function trustPrincipals(document: unknown): string[] {
  const principals = new Set<string>();
  for (const statement of asArray((document as { Statement?: unknown } | undefined)?.Statement)) {
    if (typeof statement !== 'object' || statement === null) continue;
    const { Effect, Principal } = statement as { Effect?: unknown; Principal?: unknown };
    if (Effect !== 'Allow' || Principal === undefined) continue;
    if (typeof Principal === 'string') {
      principals.add(Principal);
      continue;
    }
    for (const [kind, values] of Object.entries(Principal as Record<string, unknown>)) {
      for (const value of asArray(values)) if (typeof value === 'string') principals.add(`${kind}:${value}`);
    }
  }
  return [...principals].sort();
}

function asArray(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}
