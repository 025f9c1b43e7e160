/**
 * What a failed AWS call means for the partition it was listing: `denied` (the customer's policy
 * does not allow it — tell them which permission), `throttled` (still rate-limited after the SDK's
 * adaptive retries — try later), or `failed` (anything else, with the AWS error code).
 */
export interface AwsErrorClassification {
  outcome: 'denied' | 'throttled' | 'failed';
  code: string;
  message: string;
}

const DENIED = /^(AccessDenied.*|UnauthorizedOperation|AuthFailure)$/;
// The names the services use for "slow down" (IAM/RDS: Throttling, EC2: RequestLimitExceeded,
// Lambda: TooManyRequestsException, S3: SlowDown), as the SDK's own retry classification knows them.
const THROTTLED = /^(Throttl.*|EC2ThrottledException|RequestLimitExceeded|TooManyRequests.*|RequestThrottled.*|SlowDown|BandwidthLimitExceeded)$/;

export function classifyAwsError(error: unknown): AwsErrorClassification {
  const code = awsErrorCode(error) ?? 'Unknown';
  const message = error instanceof Error ? error.message : String(error);
  if (DENIED.test(code)) return { outcome: 'denied', code, message };
  if (THROTTLED.test(code) || httpStatus(error) === 429) return { outcome: 'throttled', code, message };
  return { outcome: 'failed', code, message };
}

/** The AWS error code: SDK v3 service exceptions carry it as their name (some also as `Code`). */
export function awsErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { Code, name, code } = error as { Code?: unknown; name?: unknown; code?: unknown };
  if (typeof Code === 'string' && Code) return Code;
  // A plain Error is not an AWS answer: a network failure says more in Node's `code` (ECONNREFUSED).
  if (name === 'Error' && typeof code === 'string' && code) return code;
  return typeof name === 'string' && name ? name : undefined;
}

function httpStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

/**
 * The call's answer, or `fallback` when AWS answers with one of `codes`: how several APIs say
 * "not configured" (S3 NoSuchTagSet) or "gone since it was listed" (IAM NoSuchEntity). The SDK
 * names some errors differently from their wire code (NoSuchEntityException for NoSuchEntity),
 * so both are matched.
 */
export async function recoverFrom<T, F>(call: Promise<T>, codes: readonly string[], fallback: F): Promise<T | F> {
  try {
    return await call;
  } catch (error) {
    const { Code, name } = (typeof error === 'object' && error !== null ? error : {}) as { Code?: unknown; name?: unknown };
    if (codes.some((code) => code === Code || code === name)) return fallback;
    throw error;
  }
}
