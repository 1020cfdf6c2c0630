// A simulated internet of network namespaces, documentation addresses only:
//
//   public host 203.0.113.10 ── br0 (the "internet", 203.0.113.0/24, in the public namespace)
//      │ wan 203.0.113.2K                         one router namespace per home, doing NAT
//   router K ── lan 192.0.2.(16K+1)/28 ── home K 192.0.2.(16K+2): the devices' browsers
//
// Each router is a home router: NAT out of `wan`, and a stateful firewall that lets in only
// packets of flows the home started (without it, an unsolicited hole-punching packet creates a
// NAT entry that gives the home's own later packet a new port: FACTS.md). Kinds of NAT:
//   cone       endpoint-independent mapping (plain MASQUERADE keeps the source port)
//   symmetric  a new port for every destination (MASQUERADE --random-fully)
//   no-udp     cone NAT that drops every UDP packet, as some office and hotel networks do
import {
  addNamespace,
  deleteLeftovers,
  deleteNamespace,
  execIn,
  ipIn,
  namespaceName,
  run,
} from './netns';

export type NatKind = 'cone' | 'symmetric' | 'no-udp';

export const PUBLIC_IP = '203.0.113.10';
const INTERNET_PREFIX_BITS = 24;
const HOMES_MAX = 8;

export interface Home {
  /** Namespace the home's devices run in. */
  ns: string;
  router: string;
  nat: NatKind;
  /** The device's address inside the home (what a host candidate shows). */
  lanIp: string;
  /** The router's public address (what a server-reflexive candidate shows). */
  wanIp: string;
}

export interface Topology {
  /** Namespace of the public host (relay, app server, coturn). */
  publicNs: string;
  publicIp: string;
  homes: Home[];
  /** Deletes every namespace (and so every veth pair) of this topology; ends what runs there. */
  close(): void;
}

function routerRules(nat: NatKind): string[][] {
  const masquerade = ['-t', 'nat', '-A', 'POSTROUTING', '-o', 'wan', '-j', 'MASQUERADE'];
  const established = ['-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', '-j', 'ACCEPT'];
  return [
    ...(nat === 'no-udp' ? [['-A', 'FORWARD', '-p', 'udp', '-j', 'DROP']] : []),
    nat === 'symmetric' ? [...masquerade, '--random-fully'] : masquerade,
    // Packets to the router itself count too: an unsolicited one accepted there would leave a
    // conntrack entry that takes the port of the home's next mapping.
    ...['FORWARD', 'INPUT'].flatMap((chain) => [
      ['-A', chain, '-i', 'wan', ...established],
      ['-A', chain, '-i', 'wan', '-j', 'DROP'],
    ]),
  ];
}

/** A veth pair created straight inside its two namespaces (never in the caller's). */
function vethPair([name, ns]: [string, string], [peer, peerNs]: [string, string]): void {
  run('ip', [
    'link',
    'add',
    name,
    'netns',
    ns,
    'type',
    'veth',
    'peer',
    'name',
    peer,
    'netns',
    peerNs,
  ]);
}

/** Builds the public namespace and one NATed home per entry of `nats`. */
export function createTopology(nats: NatKind[]): Topology {
  if (nats.length > HOMES_MAX) throw new Error(`at most ${HOMES_MAX} homes`);
  deleteLeftovers();
  const made: string[] = [];
  const add = (role: string) => {
    const name = namespaceName(role);
    addNamespace(name);
    made.push(name);
    return name;
  };
  const close = () => {
    for (const name of made.reverse()) deleteNamespace(name);
  };
  try {
    const publicNs = add('pub');
    ipIn(publicNs, 'link', 'add', 'br0', 'type', 'bridge');
    ipIn(publicNs, 'addr', 'add', `${PUBLIC_IP}/${INTERNET_PREFIX_BITS}`, 'dev', 'br0');
    ipIn(publicNs, 'link', 'set', 'br0', 'up');
    // coturn drops every allocation a second after making it when the host has no default
    // route (FACTS.md); every other address of the internet is on this bridge anyway.
    ipIn(publicNs, 'route', 'add', 'default', 'dev', 'br0');

    const homes = nats.map((nat, index): Home => {
      const k = index + 1;
      const router = add(`r${k}`);
      const ns = add(`h${k}`);
      const wanIp = `203.0.113.${20 + k}`;
      const gateway = `192.0.2.${16 * k + 1}`;
      const lanIp = `192.0.2.${16 * k + 2}`;
      vethPair(['wan', router], [`r${k}`, publicNs]);
      ipIn(publicNs, 'link', 'set', `r${k}`, 'master', 'br0', 'up');
      ipIn(router, 'addr', 'add', `${wanIp}/${INTERNET_PREFIX_BITS}`, 'dev', 'wan');
      ipIn(router, 'link', 'set', 'wan', 'up');
      ipIn(router, 'route', 'add', 'default', 'dev', 'wan');
      vethPair(['lan', router], ['eth0', ns]);
      ipIn(router, 'addr', 'add', `${gateway}/28`, 'dev', 'lan');
      ipIn(router, 'link', 'set', 'lan', 'up');
      ipIn(ns, 'addr', 'add', `${lanIp}/28`, 'dev', 'eth0');
      ipIn(ns, 'link', 'set', 'eth0', 'up');
      ipIn(ns, 'route', 'add', 'default', 'via', gateway);
      execIn(router, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1');
      for (const rule of routerRules(nat)) execIn(router, 'iptables', ...rule);
      return { ns, router, nat, lanIp, wanIp };
    });
    return { publicNs, publicIp: PUBLIC_IP, homes, close };
  } catch (error) {
    close();
    throw error;
  }
}
