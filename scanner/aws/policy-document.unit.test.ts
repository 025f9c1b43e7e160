import { describe, expect, it } from 'vitest';
import { parsePolicyDocument, trustPrincipals } from './policy-document.ts';

const trust = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { Service: ['lambda.amazonaws.com', 'ec2.amazonaws.com'], AWS: 'arn:aws:iam::111122223333:root' }, Action: 'sts:AssumeRole' },
    { Effect: 'Allow', Principal: { Federated: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com' }, Action: 'sts:AssumeRoleWithWebIdentity' },
    { Effect: 'Deny', Principal: { AWS: 'arn:aws:iam::444455556666:root' }, Action: 'sts:AssumeRole' },
  ],
};

describe('policy documents', () => {
  it('read the URL-encoded form IAM answers, and plain JSON', () => {
    expect(parsePolicyDocument(encodeURIComponent(JSON.stringify(trust)))).toEqual(trust);
    expect(parsePolicyDocument(JSON.stringify(trust))).toEqual(trust);
    expect(parsePolicyDocument(undefined)).toBeUndefined();
  });

  it('list who a trust policy allows, sorted, ignoring Deny statements', () => {
    expect(trustPrincipals(trust)).toEqual([
      'AWS:arn:aws:iam::111122223333:root',
      'Federated:arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com',
      'Service:ec2.amazonaws.com',
      'Service:lambda.amazonaws.com',
    ]);
    expect(trustPrincipals({ Statement: { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' } })).toEqual(['*']);
    expect(trustPrincipals(undefined)).toEqual([]);
  });
});
