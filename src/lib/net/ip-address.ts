// IP addresses as the network's dial and limit rules see them: which are private (a page must
// not be made to dial into its user's LAN), and the key per-address limits count by (one IPv4
// address, or one IPv6 /64: a single host commonly owns a whole /64).

/** The four bytes of a dotted IPv4 address, or null. */
function ipv4Bytes(text: string): number[] | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const bytes = parts.map((part) => (/^\d{1,3}$/.test(part) ? Number(part) : NaN));
  return bytes.every((b) => Number.isInteger(b) && b >= 0 && b <= 255) ? bytes : null;
}

/** The eight 16-bit groups of an IPv6 address (with '::' and an IPv4 tail), or null. */
function ipv6Groups(text: string): number[] | null {
  let address = text.toLowerCase();
  const zone = address.indexOf('%');
  if (zone >= 0) address = address.slice(0, zone);
  let tail: number[] = [];
  const lastColon = address.lastIndexOf(':');
  const last = address.slice(lastColon + 1);
  if (last.includes('.')) {
    const v4 = ipv4Bytes(last);
    if (!v4) return null;
    const [a, b, c, d] = v4 as [number, number, number, number];
    tail = [(a << 8) | b, (c << 8) | d];
    address = address.slice(0, lastColon + 1);
    if (!address.endsWith('::')) address = address.slice(0, -1);
  }
  const halves = address.split('::');
  if (halves.length > 2) return null;
  const parse = (half: string) =>
    half === ''
      ? []
      : half.split(':').map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? parseInt(g, 16) : NaN));
  const head = parse(halves[0] as string);
  const rest = halves.length === 2 ? parse(halves[1] as string) : [];
  const given = head.length + rest.length + tail.length;
  if ([...head, ...rest].some(Number.isNaN)) return null;
  if (halves.length === 1 && given !== 8) return null;
  if (halves.length === 2 && given > 7) return null;
  const zeros = new Array<number>(8 - given).fill(0);
  return halves.length === 2 ? [...head, ...zeros, ...rest, ...tail] : [...head, ...tail];
}

function privateIpv4([a, b]: number[]): boolean {
  const first = a as number;
  const second = b as number;
  return (
    first === 0 || // "this network"
    first === 10 ||
    first === 127 ||
    (first === 100 && second >= 64 && second <= 127) || // carrier-grade NAT
    (first === 169 && second === 254) || // link-local
    (first === 172 && second >= 16 && second <= 31) ||
    (first === 192 && second === 168) ||
    first >= 224 // multicast, reserved, broadcast
  );
}

/**
 * Whether `ip` (IPv4 or IPv6 text) is loopback, private, link-local, unique-local, CGNAT,
 * multicast or unspecified; also true for anything that does not parse (never dial garbage).
 */
export function isPrivateIp(ip: string): boolean {
  const v4 = ipv4Bytes(ip);
  if (v4) return privateIpv4(v4);
  const v6 = ipv6Groups(ip);
  if (!v6) return true;
  const [g0, , , , , g5, g6, g7] = v6 as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (v6.slice(0, 7).every((g) => g === 0) && (g7 === 0 || g7 === 1)) return true; // :: and ::1
  if (v6.slice(0, 5).every((g) => g === 0) && g5 === 0xffff) {
    return privateIpv4([g6 >> 8, g6 & 0xff, g7 >> 8, g7 & 0xff]); // ::ffff:a.b.c.d
  }
  return (
    (g0 & 0xfe00) === 0xfc00 || // unique local fc00::/7
    (g0 & 0xffc0) === 0xfe80 || // link-local fe80::/10
    (g0 & 0xff00) === 0xff00 // multicast
  );
}

/** Whether `host` is an IP literal (v4 or v6). */
export function isIpLiteral(host: string): boolean {
  return ipv4Bytes(host) !== null || ipv6Groups(host) !== null;
}

/** Host names that only resolve inside a LAN or on this machine. */
export function isPrivateHostName(name: string): boolean {
  const host = name.toLowerCase().replace(/\.$/, '');
  return (
    !host.includes('.') ||
    host === 'localhost' ||
    ['.localhost', '.local', '.lan', '.home', '.internal', '.home.arpa', '.intranet'].some((tld) =>
      host.endsWith(tld),
    )
  );
}

/**
 * What per-address limits count by: an IPv4 address itself, an IPv6 address's /64 prefix (one
 * host commonly holds a whole /64, so counting single v6 addresses would limit nothing).
 */
export function addressKey(ip: string): string {
  if (ipv4Bytes(ip)) return ip;
  const v6 = ipv6Groups(ip);
  if (!v6) return ip;
  if (v6.slice(0, 5).every((g) => g === 0) && v6[5] === 0xffff) {
    const [g6, g7] = [v6[6] as number, v6[7] as number];
    return `${g6 >> 8}.${g6 & 0xff}.${g7 >> 8}.${g7 & 0xff}`;
  }
  return `${v6
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}
