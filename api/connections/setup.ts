/**
 * What a customer pastes into AWS to let Cloudventory in: a role that trusts Cloudventory's own
 * account, only with the organisation's external id, with AWS's read-only managed policies.
 */

export const SUGGESTED_ROLE_NAME = 'CloudventoryReadOnly';
const MANAGED_POLICIES = ['arn:aws:iam::aws:policy/ReadOnlyAccess', 'arn:aws:iam::aws:policy/SecurityAudit'];

export interface ConnectionSetup {
  externalId: string;
  /** Cloudventory's AWS account, the principal the role trusts. */
  cloudventoryAccountId: string;
  /** The role's trust policy, as JSON to paste into the IAM console. */
  trustPolicy: string;
  /** A CloudFormation template (YAML) creating the role with that trust and the read-only policies. */
  cloudFormation: string;
  roleName: string;
  managedPolicies: string[];
}

const principalOf = (accountId: string) => `arn:aws:iam::${accountId}:root`;

export function trustPolicy(cloudventoryAccountId: string, externalId: string) {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: principalOf(cloudventoryAccountId) },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': externalId } },
      },
    ],
  };
}

/** Values are quoted: an account id must stay a string, not become a number. */
function cloudFormation(cloudventoryAccountId: string, externalId: string): string {
  return [
    "AWSTemplateFormatVersion: '2010-09-09'",
    'Description: Read-only access for Cloudventory (inventory and monitoring)',
    'Resources:',
    '  CloudventoryRole:',
    '    Type: AWS::IAM::Role',
    '    Properties:',
    `      RoleName: '${SUGGESTED_ROLE_NAME}'`,
    '      AssumeRolePolicyDocument:',
    "        Version: '2012-10-17'",
    '        Statement:',
    '          - Effect: Allow',
    '            Principal:',
    `              AWS: '${principalOf(cloudventoryAccountId)}'`,
    "            Action: 'sts:AssumeRole'",
    '            Condition:',
    '              StringEquals:',
    `                'sts:ExternalId': '${externalId}'`,
    '      ManagedPolicyArns:',
    ...MANAGED_POLICIES.map((arn) => `        - '${arn}'`),
    'Outputs:',
    '  RoleArn:',
    '    Description: Paste this into Cloudventory',
    '    Value: !GetAtt CloudventoryRole.Arn',
    '',
  ].join('\n');
}

export function connectionSetup(cloudventoryAccountId: string, externalId: string): ConnectionSetup {
  return {
    externalId,
    cloudventoryAccountId,
    trustPolicy: JSON.stringify(trustPolicy(cloudventoryAccountId, externalId), null, 2),
    cloudFormation: cloudFormation(cloudventoryAccountId, externalId),
    roleName: SUGGESTED_ROLE_NAME,
    managedPolicies: MANAGED_POLICIES,
  };
}
