import type { TopologyEdge, TopologyNode } from './api';

/**
 * A deterministic layered drawing of the topology: the internet on top; VPC boxes below it, each
 * holding its subnet boxes (which hold their instances, databases and functions) with the VPC's
 * security groups in a column alongside; everything outside any VPC in a grid at the bottom. The
 * same answer always gives the same picture: every list is sorted by type, name and id.
 */

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface LaidOutBox extends Rect {
  node: TopologyNode;
  /** The box drawn around this one (a subnet's VPC), if any. */
  parent: string | null;
  /** The VPC it is drawn in (itself for a VPC). */
  vpc: string | null;
  depth: number;
}

export interface LaidOutLeaf extends Rect {
  node: TopologyNode;
  /** The box it is drawn in, if any. */
  parent: string | null;
  /** The VPC it is drawn in, if any. */
  vpc: string | null;
}

export interface LaidOutEdge {
  source: string;
  target: string;
  kind: string;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  /** A rule open to the internet. */
  exposed: boolean;
}

export interface TopologyLayout {
  width: number;
  height: number;
  boxes: LaidOutBox[];
  leaves: LaidOutLeaf[];
  edges: LaidOutEdge[];
  /** Where the "outside any VPC" grid starts, for its caption; null when it is empty. */
  outside: { x: number; y: number } | null;
}

export const LEAF = { width: 168, height: 44 };
const GAP = 16;
const PAD = 12;
const HEADER = 26;
const SUBNET_COLUMNS = 3;
const OUTSIDE_COLUMNS = 6;
const MAX_ROW_WIDTH = 2200;
const CAPTION = 24;

/** Kinds that say "drawn inside": an edge of that kind to the box around a node is the box itself. */
const CONTAINMENT = new Set(['in-vpc', 'in-subnet']);

const TYPE_ORDER = [
  'internet',
  'ec2:vpc',
  'ec2:subnet',
  'ec2:instance',
  'rds:db-cluster',
  'rds:db-instance',
  'lambda:function',
  'ec2:security-group',
  'ec2:volume',
  's3:bucket',
  'iam:account',
  'iam:role',
  'iam:user',
  'iam:policy',
  'external',
];
const typeRank = (type: string) => {
  const rank = TYPE_ORDER.indexOf(type);
  return rank === -1 ? TYPE_ORDER.length - 1 : rank;
};
const byTypeNameId = (a: TopologyNode, b: TopologyNode) =>
  typeRank(a.type) - typeRank(b.type) || a.name.localeCompare(b.name) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export function layoutTopology(nodes: readonly TopologyNode[], edges: readonly TopologyEdge[]): TopologyLayout {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const isVpc = (n: TopologyNode | undefined) => n?.type === 'ec2:vpc';
  const isSubnet = (n: TopologyNode | undefined) => n?.type === 'ec2:subnet';

  // Which box each node is drawn in: its parent when that is a box in the view; otherwise the VPC an
  // `in-vpc` relationship names (security groups have no parent, they sit alongside the subnets).
  const inVpc = new Map<string, string>();
  for (const edge of edges) if (edge.kind === 'in-vpc' && isVpc(byId.get(edge.target)) && !inVpc.has(edge.source)) inVpc.set(edge.source, edge.target);
  const container = new Map<string, string | null>();
  for (const node of nodes) {
    if (isVpc(node) || node.type === 'internet') {
      container.set(node.id, null);
      continue;
    }
    const parent = node.parent ? byId.get(node.parent) : undefined;
    const boxParent = parent && (isVpc(parent) || (isSubnet(parent) && !isSubnet(node))) ? parent.id : null;
    container.set(node.id, boxParent ?? inVpc.get(node.id) ?? null);
  }
  const childrenOf = new Map<string, TopologyNode[]>();
  for (const node of nodes) {
    const parent = container.get(node.id);
    if (parent) childrenOf.set(parent, [...(childrenOf.get(parent) ?? []), node]);
  }
  for (const list of childrenOf.values()) list.sort(byTypeNameId);

  const boxes: LaidOutBox[] = [];
  const leaves: LaidOutLeaf[] = [];
  const vpcOf = (id: string): string | null => {
    const node = byId.get(id);
    if (isVpc(node)) return id;
    const parent = container.get(id);
    return parent ? vpcOf(parent) : null;
  };

  /** Lays out leaves in a grid from (x, y); answers the size used. */
  function grid(list: TopologyNode[], x: number, y: number, columns: number, parent: string | null): { width: number; height: number } {
    list.forEach((node, index) => {
      const column = index % columns;
      const row = Math.floor(index / columns);
      leaves.push({ node, parent, vpc: parent ? vpcOf(parent) : null, x: x + column * (LEAF.width + GAP), y: y + row * (LEAF.height + GAP), ...LEAF });
    });
    const used = Math.min(list.length, columns);
    const rows = Math.ceil(list.length / columns);
    return { width: used === 0 ? 0 : used * LEAF.width + (used - 1) * GAP, height: rows === 0 ? 0 : rows * LEAF.height + (rows - 1) * GAP };
  }

  /** A subnet box with its resources in a grid. */
  function subnetBox(subnet: TopologyNode, x: number, y: number, parent: string | null): LaidOutBox {
    const inside = childrenOf.get(subnet.id) ?? [];
    const size = grid(inside, x + PAD, y + HEADER, SUBNET_COLUMNS, subnet.id);
    const box: LaidOutBox = {
      node: subnet,
      parent,
      vpc: parent,
      depth: 1,
      x,
      y,
      width: Math.max(size.width, LEAF.width) + 2 * PAD,
      height: HEADER + Math.max(size.height, LEAF.height / 2) + PAD,
    };
    boxes.push(box);
    return box;
  }

  /** A VPC box: its subnets in rows, its other members (security groups first) in a column on the right. */
  function vpcBox(vpc: TopologyNode, x: number, y: number): LaidOutBox {
    const box: LaidOutBox = { node: vpc, parent: null, vpc: vpc.id, depth: 0, x, y, width: 0, height: 0 };
    boxes.push(box);
    const members = childrenOf.get(vpc.id) ?? [];
    const subnets = members.filter(isSubnet);
    const others = members.filter((n) => !isSubnet(n));
    let cursorX = x + PAD;
    let cursorY = y + HEADER;
    let rowHeight = 0;
    let right = x + PAD;
    for (const subnet of subnets) {
      const width = subnetWidth(subnet);
      if (cursorX > x + PAD && cursorX + width > x + MAX_ROW_WIDTH / 2) {
        cursorX = x + PAD;
        cursorY += rowHeight + GAP;
        rowHeight = 0;
      }
      const laid = subnetBox(subnet, cursorX, cursorY, vpc.id);
      cursorX += laid.width + GAP;
      right = Math.max(right, cursorX - GAP);
      rowHeight = Math.max(rowHeight, laid.height);
    }
    const subnetsHeight = subnets.length ? cursorY + rowHeight - (y + HEADER) : 0;
    const columnX = subnets.length ? right + GAP * 2 : x + PAD;
    const column = grid(others, columnX, y + HEADER, 1, vpc.id);
    box.width = Math.max((others.length ? columnX + column.width : right) - x + PAD, LEAF.width + 2 * PAD);
    box.height = HEADER + Math.max(subnetsHeight, column.height, LEAF.height / 2) + PAD;
    return box;
  }

  const subnetWidth = (subnet: TopologyNode) => {
    const count = Math.min((childrenOf.get(subnet.id) ?? []).length, SUBNET_COLUMNS);
    return Math.max(count * LEAF.width + Math.max(count - 1, 0) * GAP, LEAF.width) + 2 * PAD;
  };

  // Layer 0: the internet. Layer 1: VPCs (and subnets whose VPC is not in the view). Layer 2: the rest.
  let y = 0;
  const internet = nodes.filter((n) => n.type === 'internet');
  if (internet.length) {
    grid(internet, 0, y, OUTSIDE_COLUMNS, null);
    y += LEAF.height + GAP * 3;
  }
  const topBoxes = nodes.filter((n) => isVpc(n) || (isSubnet(n) && !container.get(n.id))).sort(byTypeNameId);
  let x = 0;
  let rowHeight = 0;
  let width = internet.length ? LEAF.width : 0;
  for (const node of topBoxes) {
    const laid = isVpc(node) ? vpcBox(node, x, y) : subnetBox(node, x, y, null);
    if (x > 0 && x + laid.width > MAX_ROW_WIDTH) {
      // Too wide for this row: move it (and what it holds) to the start of the next.
      const dx = -x;
      const dy = rowHeight + GAP * 2;
      shift(laid.node.id, dx, dy);
      x = 0;
      y += dy;
      rowHeight = 0;
    }
    x += laid.width + GAP * 2;
    width = Math.max(width, x - GAP * 2);
    rowHeight = Math.max(rowHeight, laid.height);
  }
  if (topBoxes.length) y += rowHeight + GAP * 3;

  const outsideNodes = nodes.filter((n) => n.type !== 'internet' && !isVpc(n) && !isSubnet(n) && !container.get(n.id)).sort(byTypeNameId);
  let outside: TopologyLayout['outside'] = null;
  if (outsideNodes.length) {
    outside = { x: 0, y };
    const size = grid(outsideNodes, 0, y + CAPTION, OUTSIDE_COLUMNS, null);
    width = Math.max(width, size.width);
    y += CAPTION + size.height;
  } else if (topBoxes.length) {
    y -= GAP * 3;
  }

  function shift(id: string, dx: number, dy: number) {
    for (const box of boxes) if (box.node.id === id || box.vpc === id) Object.assign(box, { x: box.x + dx, y: box.y + dy });
    for (const leaf of leaves) if (leaf.parent === id || leaf.vpc === id) Object.assign(leaf, { x: leaf.x + dx, y: leaf.y + dy });
  }

  const rects = new Map<string, Rect>([...boxes.map((b): [string, Rect] => [b.node.id, b]), ...leaves.map((l): [string, Rect] => [l.node.id, l])]);
  const drawnEdges: LaidOutEdge[] = [];
  const seen = new Set<string>();
  for (const edge of [...edges].sort((a, b) => compareText(a.source, b.source) || compareText(a.target, b.target) || compareText(a.kind, b.kind))) {
    const from = rects.get(edge.source);
    const to = rects.get(edge.target);
    if (!from || !to || edge.source === edge.target) continue;
    // Containment is drawn as nesting, not as a line.
    if (CONTAINMENT.has(edge.kind) && isDrawnInside(edge.source, edge.target, container)) continue;
    const id = `${edge.source}\u0000${edge.target}\u0000${edge.kind}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const [x1, y1, x2, y2] = connect(from, to);
    const internetEnd = byId.get(edge.target)?.type === 'internet' || byId.get(edge.source)?.type === 'internet';
    drawnEdges.push({ source: edge.source, target: edge.target, kind: edge.kind, x1, y1, x2, y2, exposed: internetEnd && edge.kind === 'allows-ingress-from' });
  }

  return { width: Math.max(width, LEAF.width), height: Math.max(y, LEAF.height), boxes, leaves, edges: drawnEdges, outside };
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function isDrawnInside(id: string, ancestor: string, container: ReadonlyMap<string, string | null>): boolean {
  for (let at = container.get(id); at; at = container.get(at)) if (at === ancestor) return true;
  return false;
}

/** A line between two rectangles, from border to border along the line joining their centres. */
function connect(a: Rect, b: Rect): [number, number, number, number] {
  const ax = a.x + a.width / 2;
  const ay = a.y + a.height / 2;
  const bx = b.x + b.width / 2;
  const by = b.y + b.height / 2;
  const [x1, y1] = border(a, ax, ay, bx - ax, by - ay);
  const [x2, y2] = border(b, bx, by, ax - bx, ay - by);
  return [round(x1), round(y1), round(x2), round(y2)];
}

/** Where a ray from a rectangle's centre along (dx, dy) leaves it. */
function border(rect: Rect, cx: number, cy: number, dx: number, dy: number): [number, number] {
  if (dx === 0 && dy === 0) return [cx, cy];
  const sx = dx === 0 ? Infinity : rect.width / 2 / Math.abs(dx);
  const sy = dy === 0 ? Infinity : rect.height / 2 / Math.abs(dy);
  const s = Math.min(sx, sy, 1);
  return [cx + dx * s, cy + dy * s];
}

const round = (n: number) => Math.round(n * 10) / 10;

/** The topology as a tree for reading without the drawing: each node under its parent, sorted by type and name. */
export function topologyOutline(nodes: readonly TopologyNode[]): { roots: TopologyNode[]; children: Map<string, TopologyNode[]> } {
  const ids = new Set(nodes.map((n) => n.id));
  const children = new Map<string, TopologyNode[]>();
  for (const node of nodes) if (node.parent && ids.has(node.parent)) children.set(node.parent, [...(children.get(node.parent) ?? []), node]);
  for (const list of children.values()) list.sort(byTypeNameId);
  const roots = nodes.filter((n) => !n.parent || !ids.has(n.parent)).sort(byTypeNameId);
  return { roots, children };
}
