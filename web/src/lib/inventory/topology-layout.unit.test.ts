import { describe, expect, it } from 'vitest';
import type { TopologyEdge, TopologyNode } from './api';
import { layoutTopology, type Rect } from './topology-layout';

const node = (id: string, type: string, parent: string | null = null, exposed = false): TopologyNode => ({
  id,
  key: type === 'internet' ? null : id,
  type,
  name: id,
  accountId: '210987654321',
  region: 'eu-west-1',
  parent,
  exposed,
});

const inside = (inner: Rect, outer: Rect) =>
  inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.width <= outer.x + outer.width && inner.y + inner.height <= outer.y + outer.height;
const overlap = (a: Rect, b: Rect) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

const nodes: TopologyNode[] = [
  node('internet', 'internet'),
  node('vpc-a', 'ec2:vpc'),
  node('vpc-b', 'ec2:vpc'),
  node('subnet-a1', 'ec2:subnet', 'vpc-a'),
  node('subnet-a2', 'ec2:subnet', 'vpc-a'),
  node('subnet-b1', 'ec2:subnet', 'vpc-b'),
  node('web', 'ec2:instance', 'subnet-a1', true),
  node('api', 'lambda:function', 'subnet-a1'),
  node('db', 'rds:db-instance', 'subnet-a2'),
  node('batch', 'ec2:instance', 'subnet-b1'),
  node('sg-web', 'ec2:security-group', null, true),
  node('sg-db', 'ec2:security-group'),
  node('bucket', 's3:bucket'),
  node('role', 'iam:role'),
];
const edges: TopologyEdge[] = [
  { source: 'web', target: 'subnet-a1', kind: 'in-subnet' },
  { source: 'web', target: 'vpc-a', kind: 'in-vpc' },
  { source: 'web', target: 'sg-web', kind: 'uses-security-group' },
  { source: 'web', target: 'role', kind: 'uses-role' },
  { source: 'sg-web', target: 'vpc-a', kind: 'in-vpc' },
  { source: 'sg-db', target: 'vpc-a', kind: 'in-vpc' },
  { source: 'sg-web', target: 'internet', kind: 'allows-ingress-from' },
  { source: 'db', target: 'sg-db', kind: 'uses-security-group' },
  { source: 'web', target: 'missing', kind: 'uses-role' },
];

describe('the topology layout', () => {
  const layout = layoutTopology(nodes, edges);
  const rect = (id: string) => [...layout.boxes, ...layout.leaves].find((r) => r.node.id === id)!;

  it('draws VPCs and subnets as boxes, everything else once as a node', () => {
    expect(layout.boxes.map((b) => b.node.id).sort()).toEqual(['subnet-a1', 'subnet-a2', 'subnet-b1', 'vpc-a', 'vpc-b']);
    expect(layout.leaves.map((l) => l.node.id).sort()).toEqual(['api', 'batch', 'bucket', 'db', 'internet', 'role', 'sg-db', 'sg-web', 'web']);
  });

  it('nests instances in their subnet and subnets in their VPC, security groups alongside in the VPC', () => {
    expect(inside(rect('web'), rect('subnet-a1'))).toBe(true);
    expect(inside(rect('subnet-a1'), rect('vpc-a'))).toBe(true);
    expect(inside(rect('batch'), rect('vpc-b'))).toBe(true);
    expect(inside(rect('sg-web'), rect('vpc-a'))).toBe(true);
    expect(layout.leaves.find((l) => l.node.id === 'web')).toMatchObject({ parent: 'subnet-a1', vpc: 'vpc-a' });
    expect(layout.leaves.find((l) => l.node.id === 'sg-web')).toMatchObject({ parent: 'vpc-a', vpc: 'vpc-a' });
    expect(overlap(rect('sg-web'), rect('subnet-a1'))).toBe(false);
    expect(overlap(rect('vpc-a'), rect('vpc-b'))).toBe(false);
    expect(overlap(rect('bucket'), rect('vpc-a'))).toBe(false);
  });

  it('puts the internet above the VPCs and what is outside any VPC below them', () => {
    expect(rect('internet').y + rect('internet').height).toBeLessThan(rect('vpc-a').y);
    expect(rect('bucket').y).toBeGreaterThan(rect('vpc-a').y + rect('vpc-a').height);
    expect(layout.outside).not.toBeNull();
  });

  it('draws relationships as lines, but not containment, nor edges to nodes not in the view', () => {
    const drawn = layout.edges.map((e) => `${e.source} ${e.kind} ${e.target}`).sort();
    expect(drawn).toEqual(['db uses-security-group sg-db', 'sg-web allows-ingress-from internet', 'web uses-role role', 'web uses-security-group sg-web']);
    expect(layout.edges.filter((e) => e.exposed).map((e) => e.source)).toEqual(['sg-web']);
  });

  it('is deterministic: the same picture whatever order the answer lists things in', () => {
    const shuffled = layoutTopology([...nodes].reverse(), [...edges].reverse());
    expect(shuffled).toEqual(layout);
  });

  it('fits everything in its width and height', () => {
    for (const r of [...layout.boxes, ...layout.leaves]) {
      expect(r.x).toBeGreaterThanOrEqual(0);
      expect(r.x + r.width).toBeLessThanOrEqual(layout.width);
      expect(r.y + r.height).toBeLessThanOrEqual(layout.height);
    }
  });

  it('wraps many VPCs into rows without overlapping', () => {
    const many: TopologyNode[] = [];
    for (let v = 0; v < 12; v++) {
      many.push(node(`vpc-${v}`, 'ec2:vpc'));
      for (let s = 0; s < 3; s++) {
        many.push(node(`subnet-${v}-${s}`, 'ec2:subnet', `vpc-${v}`));
        for (let i = 0; i < 4; i++) many.push(node(`i-${v}-${s}-${i}`, 'ec2:instance', `subnet-${v}-${s}`));
      }
    }
    const wide = layoutTopology(many, []);
    const vpcs = wide.boxes.filter((b) => b.node.type === 'ec2:vpc');
    for (const a of vpcs) for (const b of vpcs) if (a !== b) expect(overlap(a, b)).toBe(false);
    for (const leaf of wide.leaves) expect(inside(leaf, wide.boxes.find((b) => b.node.id === leaf.vpc)!)).toBe(true);
    for (const r of [...wide.boxes, ...wide.leaves]) expect(r.x + r.width).toBeLessThanOrEqual(wide.width);
    expect(new Set(vpcs.map((b) => b.y)).size).toBeGreaterThan(1);
  });

  it('draws an empty answer as an empty picture', () => {
    expect(layoutTopology([], [])).toMatchObject({ boxes: [], leaves: [], edges: [], outside: null });
  });
});
