import { INTERNET, RELATION } from '../../../domain/inventory/resource.ts';

export { INTERNET };

// The relationship kinds the network graph uses for boxes and warnings.
export const IN_VPC = RELATION.inVpc;
export const IN_SUBNET = RELATION.inSubnet;
export const USES_SECURITY_GROUP = RELATION.usesSecurityGroup;
export const ALLOWS_INGRESS_FROM = RELATION.allowsIngressFrom;
