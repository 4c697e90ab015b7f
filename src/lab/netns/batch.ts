/**
 * The `ip -batch` scripts that build a planned topology: one for the bridge namespace (bridges and
 * the bridge ends of every veth pair), one per node (addresses, link-local, routes).
 */
import { type Node, type Plan, routesFor } from './plan.ts';

export function bridgeBatch(plan: Plan): string {
  const lines = ['link set lo up'];
  for (const seg of plan.segments) {
    // Snooping off: group traffic floods like on a dumb switch, so a receiver that joined a group
    // gets datagrams whether or not the bridge saw its IGMP report yet.
    lines.push(
      `link add ${seg.bridge} type bridge mcast_snooping 0`,
      // Only the nodes speak IPv6; the bridge and its ports stay quiet (no DAD, no MLD of their own).
      `link set ${seg.bridge} addrgenmode none`,
      `link set ${seg.bridge} up`,
    );
  }
  for (const node of plan.nodes) {
    for (const leg of node.legs) {
      const bridge = plan.segments[leg.segIndex]?.bridge ?? '';
      // One netlink request creates both ends; the peer is born inside the node's namespace.
      lines.push(
        `link add ${leg.bridgePort} type veth peer name ${leg.ifname} netns ${node.ns}`,
        `link set ${leg.bridgePort} addrgenmode none`,
        `link set ${leg.bridgePort} master ${bridge} up`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

/** EUI-64 from the leg's MAC as a device would form it (RFC 4291 App. A), else from its IPv4 address. */
export function linkLocalOf(leg: { ip: string; mac?: string }): string {
  if (leg.mac !== undefined) {
    const b = leg.mac.split(':').map((h) => Number.parseInt(h, 16));
    const [b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0] = b;
    const group = (hi: number, lo: number) => ((hi << 8) | lo).toString(16);
    return `fe80::${group(b0 ^ 0x02, b1)}:${group(b2, 0xff)}:${group(0xfe, b3)}:${group(b4, b5)}`;
  }
  return `fe80::${leg.ip
    .split('.')
    .map((o) => Number(o).toString(16))
    .join(':')}`;
}

export function nodeBatch(plan: Plan, node: Node): string {
  const lines = ['link set lo up'];
  for (const leg of node.legs) {
    if (leg.mac !== undefined) lines.push(`link set ${leg.ifname} address ${leg.mac}`);
    lines.push(`addr add ${leg.address} dev ${leg.ifname}`);
    // A fixed IPv6 link-local address, usable at once (no duplicate-address detection wait), for
    // IPv6 multicast discovery; the kernel's own would stay "tentative" for a second or two.
    lines.push(`link set ${leg.ifname} addrgenmode none`);
    lines.push(`addr add ${linkLocalOf(leg)}/64 dev ${leg.ifname} nodad`);
    for (const extra of leg.extras) lines.push(`addr add ${extra} dev ${leg.ifname}`);
    lines.push(`link set ${leg.ifname} up`);
  }
  const scannerSegs = new Set(
    plan.nodes.find((n) => n.kind === 'scanner')?.legs.map((l) => l.segIndex) ?? [],
  );
  const first = node.legs[0];
  if (node.kind === 'host' && first !== undefined && !scannerSegs.has(first.segIndex)) {
    // A host behind a router: default route via a router on its segment, as on a real site.
    const router = plan.nodes.find(
      (n) => n.kind === 'router' && n.legs.some((l) => l.segIndex === first.segIndex),
    );
    const hop = router?.legs.find((l) => l.segIndex === first.segIndex)?.ip;
    if (hop !== undefined) lines.push(`route add default via ${hop} dev ${first.ifname}`);
  } else {
    for (const [seg, hop] of routesFor(plan, node)) {
      const s = plan.segments[seg];
      if (s) lines.push(`route add ${s.cidr} via ${hop}`);
    }
  }
  if (node.kind !== 'router' && first !== undefined) {
    // Namespaces have no default route, so without this a multicast send that names no interface
    // fails with ENETUNREACH; on a real machine it would follow the default route.
    lines.push(`route add 224.0.0.0/4 dev ${first.ifname}`);
  }
  return `${lines.join('\n')}\n`;
}
