import { EC2ServiceException } from '@aws-sdk/client-ec2';
import { IAMServiceException } from '@aws-sdk/client-iam';
import { LambdaServiceException } from '@aws-sdk/client-lambda';
import { S3ServiceException } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { classifyAwsError, recoverFrom } from './errors.ts';

// The exceptions the SDK raises for AWS's answers, built as the SDK builds them.
const ec2 = (name: string, status = 400) => new EC2ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status }, message: `${name} happened` });
const iam = (name: string) => new IAMServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: 400 }, message: `${name} happened` });

describe('classifyAwsError', () => {
  it.each([
    ['AccessDenied', iam('AccessDenied')],
    ['AccessDeniedException', new LambdaServiceException({ name: 'AccessDeniedException', $fault: 'client', $metadata: {}, message: 'no' })],
    ['UnauthorizedOperation', ec2('UnauthorizedOperation', 403)],
    ['AuthFailure', ec2('AuthFailure', 401)],
  ])('calls %s denied', (code, error) => {
    expect(classifyAwsError(error)).toEqual({ outcome: 'denied', code, message: error.message });
  });

  it.each([
    ['Throttling', iam('Throttling')],
    ['ThrottlingException', iam('ThrottlingException')],
    ['RequestLimitExceeded', ec2('RequestLimitExceeded', 503)],
    ['TooManyRequestsException', new LambdaServiceException({ name: 'TooManyRequestsException', $fault: 'client', $metadata: { httpStatusCode: 429 }, message: 'slow' })],
    ['SlowDown', new S3ServiceException({ name: 'SlowDown', $fault: 'client', $metadata: { httpStatusCode: 503 }, message: 'slow' })],
  ])('calls %s throttled', (code, error) => {
    expect(classifyAwsError(error)).toMatchObject({ outcome: 'throttled', code });
  });

  it('calls anything else failed, keeping the AWS code', () => {
    expect(classifyAwsError(ec2('OptInRequired', 401))).toEqual({ outcome: 'failed', code: 'OptInRequired', message: 'OptInRequired happened' });
    expect(classifyAwsError(iam('InvalidClientTokenId'))).toMatchObject({ outcome: 'failed', code: 'InvalidClientTokenId' });
  });

  it('prefers the wire code where the SDK renamed the error', () => {
    const renamed = Object.assign(iam('NoSuchEntityException'), { Code: 'NoSuchEntity' });
    expect(classifyAwsError(renamed)).toMatchObject({ outcome: 'failed', code: 'NoSuchEntity' });
  });

  it('names a network failure by its Node code and survives values that are not errors', () => {
    expect(classifyAwsError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }))).toMatchObject({ outcome: 'failed', code: 'ECONNREFUSED' });
    expect(classifyAwsError('boom')).toEqual({ outcome: 'failed', code: 'Unknown', message: 'boom' });
  });
});

describe('recoverFrom', () => {
  it('answers the fallback for the listed codes, by SDK name or wire code, and rethrows the rest', async () => {
    expect(await recoverFrom(Promise.reject(iam('NoSuchTagSet')), ['NoSuchTagSet'], 'none')).toBe('none');
    expect(await recoverFrom(Promise.reject(Object.assign(iam('NoSuchEntityException'), { Code: 'NoSuchEntity' })), ['NoSuchEntity'], 'gone')).toBe('gone');
    expect(await recoverFrom(Promise.resolve('answer'), ['NoSuchTagSet'], 'none')).toBe('answer');
    await expect(recoverFrom(Promise.reject(iam('AccessDenied')), ['NoSuchTagSet'], 'none')).rejects.toThrow('AccessDenied happened');
  });
});
