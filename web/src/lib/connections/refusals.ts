import type { ApiError } from '$lib/api';

/** Which access-key field AWS refused (422 with its error code), so the form can point at it. */
export function refusedKeyField(error: ApiError): 'accessKeyId' | 'secretAccessKey' | undefined {
  if (error.status !== 422) return undefined;
  const code = (error.details as { awsError?: string } | undefined)?.awsError;
  return code === 'InvalidClientTokenId' ? 'accessKeyId' : code === 'SignatureDoesNotMatch' ? 'secretAccessKey' : undefined;
}
