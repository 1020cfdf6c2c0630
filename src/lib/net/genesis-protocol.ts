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
//
// A private ledger's protocol is `/ledger/<networkId>/genesis/1.0.0` (the invite's secret names
// it, not the chain id) and both frames are sealed (LedgerCipher): the asker first writes one
// sealed request carrying the newest key epoch it holds (a joining device: its invite's), the
// device answers with the genesis sealed for that epoch, and a request that does not open is
// not answered. So neither a relay nor a stranger who knows the chain id can find or read it.
import type {
  Connection,
  IdentifyResult,
  Libp2p,
  PeerId,
  PeerInfo,
  Stream,
} from '@libp2p/interface';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import { decodeValue, encodeValue } from '../core/encoding';
import { encodeFrame, FrameReader } from './frames';
import { networkNameOf, type LedgerCipher } from './ledger-cipher';
import { DIAL_TIMEOUT_MS } from './limits';

/** Largest genesis served or accepted (1,000 balances and the validators fit well within). */
export const GENESIS_BYTES_MAX = 128 * 1024;
/** Streams a device answers at once; more wait for the next announcement round. */
export const GENESIS_INBOUND_STREAMS_MAX = 4;
/** How long one answer may take once the stream is open. */
const GENESIS_ANSWER_TIMEOUT_MS = 10_000;
/** Peers asked at most while looking (each at most once). */
const GENESIS_PEERS_ASKED_MAX = 32;
/** A private ledger's request frame: the domain tag and the asker's newest key epoch. */
const GENESIS_REQUEST_TAG = 'genesis-request';
const GENESIS_REQUEST_BYTES_MAX = 1_024;
/** Room for the sealing around a private ledger's genesis (epoch, nonce, tag, framing). */
const SEALED_SLACK_BYTES = 1_024;

export class GenesisNotFoundError extends Error {
  override readonly name = 'GenesisNotFoundError';
  constructor(readonly peersAsked: number) {
    super(`no device of this ledger answered (${peersAsked} asked)`);
  }
}

/** The genesis protocol of a ledger named by its chain id, or a private one's networkId. */
export function genesisProtocol(networkName: string): string {
  return `/ledger/${networkName}/genesis/1.0.0`;
}

/** The reader epoch in a private ledger's sealed request, or null if it does not open. */
async function openRequest(cipher: LedgerCipher, sealed: Uint8Array): Promise<number | null> {
  const opened = await cipher.openFrame(sealed);
  if (opened === null) return null;
  try {
    const value = decodeValue(opened, GENESIS_REQUEST_BYTES_MAX);
    if (!Array.isArray(value) || value.length !== 2 || value[0] !== GENESIS_REQUEST_TAG)
      return null;
    const epoch: unknown = value[1];
    return Number.isSafeInteger(epoch) && (epoch as number) >= 0 ? (epoch as number) : null;
  } catch {
    return null;
  }
}

/** The answer to one asker: the genesis frame, sealed for its epoch on a private ledger. */
async function answer(
  stream: Stream,
  genesisBytes: Uint8Array,
  cipher: LedgerCipher | null,
): Promise<Uint8Array | null> {
  if (cipher === null) return genesisBytes;
  const request = await new FrameReader(stream.source, GENESIS_REQUEST_BYTES_MAX).next(
    GENESIS_ANSWER_TIMEOUT_MS,
  );
  const readerEpoch = request === null ? null : await openRequest(cipher, request);
  // Not sealed for this ledger (a stranger who was told or guessed the name): no answer.
  if (readerEpoch === null) return null;
  return cipher.sealFrame(genesisBytes, 0, readerEpoch);
}

/**
 * Serves this ledger's genesis to devices that ask; returns the function that stops it. With a
 * cipher (a private ledger) under its networkId, sealed.
 */
export async function serveGenesis(
  libp2p: Pick<Libp2p, 'handle' | 'unhandle'>,
  chainId: string,
  genesisBytes: Uint8Array,
  cipher: LedgerCipher | null = null,
): Promise<() => Promise<void>> {
  const protocol = genesisProtocol(networkNameOf(chainId, cipher));
  await libp2p.handle(
    protocol,
    ({ stream }) => {
      void answer(stream, genesisBytes, cipher)
        .then(async (bytes) => {
          if (bytes === null) throw new Error('request not opened');
          await stream.sink([encodeFrame(bytes)]);
          await stream.close();
        })
        .catch((error: unknown) => stream.abort(error as Error));
    },
    { runOnLimitedConnection: true, maxInboundStreams: GENESIS_INBOUND_STREAMS_MAX },
  );
  return () => libp2p.unhandle(protocol);
}

/**
 * Asks one connected device for the genesis; the caller checks it against the chain id. With a
 * cipher (a private ledger), the request is sealed and so is the answer.
 */
export async function requestGenesis(
  connection: Connection,
  chainId: string,
  signal?: AbortSignal,
  cipher: LedgerCipher | null = null,
): Promise<Uint8Array> {
  const stream = await connection.newStream(genesisProtocol(networkNameOf(chainId, cipher)), {
    runOnLimitedConnection: true,
    signal: signal ?? AbortSignal.timeout(DIAL_TIMEOUT_MS),
  });
  try {
    if (cipher !== null) {
      const epoch = cipher.readerEpoch();
      const request = await cipher.sealFrame(
        encodeValue([GENESIS_REQUEST_TAG, epoch]),
        null,
        epoch,
      );
      if (request === null) throw new Error('the cipher refused a request frame');
      await stream.sink([encodeFrame(request)]);
    } else {
      await stream.closeWrite();
    }
    // Sealing adds a few dozen bytes (epoch, nonce, tag) to the largest genesis.
    const bytesMax = cipher === null ? GENESIS_BYTES_MAX : GENESIS_BYTES_MAX + SEALED_SLACK_BYTES;
    const frame = await new FrameReader(stream.source, bytesMax).next(GENESIS_ANSWER_TIMEOUT_MS);
    if (frame === null) throw new Error('the device closed without an answer');
    if (cipher === null) return frame;
    const opened = await cipher.openFrame(frame);
    if (opened === null) throw new Error('the answer does not open under the invite key');
    return opened;
  } finally {
    await stream.close().catch(() => stream.abort(new Error('closing')));
  }
}

export interface FindGenesisOptions {
  chainId: string;
  /** A private ledger's cipher (an invite's: inviteCipher): names the protocol, seals frames. */
  cipher?: LedgerCipher | null;
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
  const cipher = options.cipher ?? null;
  const protocol = genesisProtocol(networkNameOf(options.chainId, cipher));
  const asked = new Set<string>();
  const relayIds = new Set(options.relays.map((r) => multiaddr(r).getPeerId()));
  let finish!: (bytes: Uint8Array) => void;
  const found = new Promise<Uint8Array>((resolve) => (finish = resolve));

  const ask = (connection: Connection) => {
    const peer = connection.remotePeer.toString();
    if (asked.has(peer) || asked.size >= GENESIS_PEERS_ASKED_MAX) return;
    asked.add(peer);
    requestGenesis(connection, options.chainId, options.signal, cipher).then(
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
