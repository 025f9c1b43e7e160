import { describe, expect, it } from 'vitest';
import { partitionAdvice } from './partition-advice.ts';

const partition = (outcome: 'pending' | 'ok' | 'denied' | 'throttled' | 'failed' | 'cancelled', errorCode: string | null, region = 'eu-west-1') => ({ outcome, errorCode, region, types: ['ec2:instance'] });

describe('what a partition outcome means for the reader', () => {
  it.each([
    [partition('ok', null), null],
    [partition('pending', null), null],
    [partition('denied', 'AccessDenied'), "Cloudventory was not allowed to list ec2:instance in eu-west-1: check the role's permissions (AWS said AccessDenied)"],
    [partition('denied', 'UnauthorizedOperation', 'global'), "Cloudventory was not allowed to list ec2:instance for the account (global services): check the role's permissions (AWS said UnauthorizedOperation)"],
    [partition('throttled', 'RequestLimitExceeded'), 'AWS kept throttling the listing of ec2:instance in eu-west-1 (RequestLimitExceeded); the next scan will try again'],
    [partition('failed', 'ExpiredToken'), "AWS no longer accepts this connection's credentials (ExpiredToken): validate the connection, or rotate its keys"],
    [partition('failed', 'OptInRequired'), "eu-west-1 is not enabled for this account (OptInRequired): enable it in AWS, or remove it from the connection's regions"],
    [partition('failed', 'InternalError'), 'Listing ec2:instance in eu-west-1 failed (InternalError); the next scan will try again'],
    [partition('cancelled', null), 'ec2:instance in eu-west-1 were not listed: the scan was cancelled'],
  ])('%o → %s', (input, advice) => expect(partitionAdvice(input)).toBe(advice));
});
