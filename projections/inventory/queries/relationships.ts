/** The target of an ingress rule open to the whole internet (scanner/resource.ts INTERNET). */
export const INTERNET = 'internet';

// Relationship kinds (scanner/resource.ts RELATION) the network graph uses for boxes and warnings.
export const IN_VPC = 'in-vpc';
export const IN_SUBNET = 'in-subnet';
export const USES_SECURITY_GROUP = 'uses-security-group';
export const ALLOWS_INGRESS_FROM = 'allows-ingress-from';
