// A ledger's genesis, fetched from its devices: the short invite link carries only the chain id
// (the genesis hash), so a joining device asks a device of that ledger for the genesis and
// checks the answer against the hash before it keeps anything.
//
//   /ledger/<chainId>/genesis/1.0.0   the asker opens a stream; the device writes one frame
//                                     (the genesis's canonical bytes) and closes.
//
// A small addition beside the sync protocol: it runs on limited (relayed) connections too,
// because a joining device has no direct connection yet and the answer is a few hundred bytes,
// asked once per joining device (a relayed connection carries 128 KiB by default, more than any
// genesis within GENESIS_BYTES_MAX of a usual size). The protocol id names the chain, so a
// device's identify list says which genesis it serves; the asker meets devices through the
// relay's discovery, dials them over the relay, and asks the first that lists the protocol.
import type { Connection, IdentifyResult, Libp2p, PeerId, PeerInfo } from '@libp2p/interface';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import { encodeFrame, FrameReader } from './frames';
import { DIAL_TIMEOUT_MS } from './limits';

/** Largest genesis served or accepted (1,000 balances and the validators fit well within). */
export const GENESIS_BYTES_MAX = 128 * 1024;
/** Streams a device answers at once; more wait for the next announcement round. */
export const GENESIS_INBOUND_STREAMS_MAX = 4;
/** How long one answer may take once the stream is open. */
const GENESIS_ANSWER_TIMEOUT_MS = 10_000;
/** Peers asked at most while looking (each at most once). */
const GENESIS_PEERS_ASKED_MAX = 32;

export class GenesisNotFoundError extends Error {
  override readonly name = 'GenesisNotFoundError';
  constructor(readonly peersAsked: number) {
    super(`no device of this ledger answered (${peersAsked} asked)`);
  }
}

export function genesisProtocol(chainId: string): string {
  return `/ledger/${chainId}/genesis/1.0.0`;
}

/** Serves this ledger's genesis to devices that ask; returns the function that stops it. */
export async function serveGenesis(
  libp2p: Pick<Libp2p, 'handle' | 'unhandle'>,
  chainId: string,
  genesisBytes: Uint8Array,
): Promise<() => Promise<void>> {
  const protocol = genesisProtocol(chainId);
  const frame = encodeFrame(genesisBytes);
  await libp2p.handle(
    protocol,
    ({ stream }) => {
      void stream
        .sink([frame])
        .then(() => stream.close())
        .catch((error: unknown) => stream.abort(error as Error));
    },
    { runOnLimitedConnection: true, maxInboundStreams: GENESIS_INBOUND_STREAMS_MAX },
  );
  return () => libp2p.unhandle(protocol);
}

/** Asks one connected device for the genesis; the caller checks it against the chain id. */
export async function requestGenesis(
  connection: Connection,
  chainId: string,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  const stream = await connection.newStream(genesisProtocol(chainId), {
    runOnLimitedConnection: true,
    signal: signal ?? AbortSignal.timeout(DIAL_TIMEOUT_MS),
  });
  try {
    await stream.closeWrite();
    const frame = await new FrameReader(stream.source, GENESIS_BYTES_MAX).next(
      GENESIS_ANSWER_TIMEOUT_MS,
    );
    if (frame === null) throw new Error('the device closed without an answer');
    return frame;
  } finally {
    await stream.close().catch(() => stream.abort(new Error('closing')));
  }
}

export interface FindGenesisOptions {
  chainId: string;
  /** Relay multiaddrs (each ending in /p2p/<relayId>) to meet the ledger's devices through. */
  relays: string[];
  /** True for the bytes of this chain's genesis (the caller hashes them); others are skipped. */
  accept: (bytes: Uint8Array) => boolean;
  signal: AbortSignal;
}

/**
 * Starts `libp2p`, meets devices through the relays and returns the first genesis a device of
 * this ledger sends that `accept` takes; stops `libp2p` before returning. Throws
 * GenesisNotFoundError when `signal` ends the search first.
 */
export async function findGenesis(
  libp2p: Pick<
    Libp2p,
    | 'start'
    | 'stop'
    | 'dial'
    | 'addEventListener'
    | 'removeEventListener'
    | 'getConnections'
    | 'peerId'
  >,
  options: FindGenesisOptions,
): Promise<Uint8Array> {
  const protocol = genesisProtocol(options.chainId);
  const asked = new Set<string>();
  const relayIds = new Set(options.relays.map((r) => multiaddr(r).getPeerId()));
  let finish!: (bytes: Uint8Array) => void;
  const found = new Promise<Uint8Array>((resolve) => (finish = resolve));

  const ask = (connection: Connection) => {
    const peer = connection.remotePeer.toString();
    if (asked.has(peer) || asked.size >= GENESIS_PEERS_ASKED_MAX) return;
    asked.add(peer);
    requestGenesis(connection, options.chainId, options.signal).then(
      (bytes) => {
        if (options.accept(bytes)) finish(bytes);
      },
      () => asked.delete(peer), // Try it again when it shows up again.
    );
  };
  const onIdentify = (event: CustomEvent<IdentifyResult>) => {
    if (event.detail.protocols.includes(protocol)) ask(event.detail.connection);
  };
  // Devices of every ledger announce themselves through the relay: dial each over the relay;
  // identify then says whether it serves this ledger's genesis.
  const onDiscovery = (event: CustomEvent<PeerInfo>) => {
    const { id, multiaddrs } = event.detail;
    const target = relayedAddress(id, multiaddrs);
    if (!target || relayIds.has(id.toString()) || asked.has(id.toString())) return;
    void libp2p
      .dial(target, {
        signal: AbortSignal.any([options.signal, AbortSignal.timeout(DIAL_TIMEOUT_MS)]),
      })
      .catch(() => undefined);
  };

  libp2p.addEventListener('peer:identify', onIdentify);
  libp2p.addEventListener('peer:discovery', onDiscovery);
  const aborted = new Promise<never>((_, reject) => {
    const fail = () => reject(new GenesisNotFoundError(asked.size));
    if (options.signal.aborted) fail();
    options.signal.addEventListener('abort', fail, { once: true });
  });
  try {
    await libp2p.start();
    for (const relay of options.relays) {
      void libp2p.dial(multiaddr(relay), { signal: options.signal }).catch(() => undefined);
    }
    return await Promise.race([found, aborted]);
  } finally {
    libp2p.removeEventListener('peer:identify', onIdentify);
    libp2p.removeEventListener('peer:discovery', onDiscovery);
    await libp2p.stop();
  }
}

/**
 * The quickest way to ask: through a relay (a browser's addresses are circuit addresses), else
 * a plain address (a Node peer listening on TCP); never a WebRTC setup for one small answer.
 * The peer id is appended: announcements omit it, and a circuit address without it would
 * target the relay itself.
 */
function relayedAddress(id: PeerId, addresses: Multiaddr[]): Multiaddr | null {
  const text = (a: Multiaddr) => a.toString();
  const chosen =
    addresses.find((a) => text(a).includes('/p2p-circuit') && !text(a).includes('/webrtc')) ??
    addresses.find((a) => !text(a).includes('/p2p-circuit') && !text(a).includes('/webrtc'));
  if (!chosen) return null;
  return chosen.getPeerId() === id.toString() ? chosen : chosen.encapsulate(`/p2p/${id}`);
}
