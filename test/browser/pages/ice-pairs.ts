// Records the page's RTCPeerConnections (libp2p's WebRTC transport makes one per direct
// connection), so a test can read the ICE candidate pair each one selected: host / srflx /
// prflx / relay on each side is the proof that a connection is direct or goes through TURN.
// Must be imported before libp2p: @libp2p/webrtc reads globalThis.RTCPeerConnection when its
// module is evaluated.

export interface IceCandidateInfo {
  type: string;
  /** udp or tcp, between this side and the address the other side sees. */
  protocol: string;
  /** For a relay candidate: how this side reaches the TURN server (udp, tcp, tls). */
  relayProtocol: string | null;
  address: string;
  port: number;
}

export interface IcePair {
  local: IceCandidateInfo;
  remote: IceCandidateInfo;
}

/** Bound on the connections tracked; closed ones are forgotten, newer ones beyond it ignored. */
const PEER_CONNECTIONS_MAX = 256;
const tracked = new Set<RTCPeerConnection>();
const Native = globalThis.RTCPeerConnection;

globalThis.RTCPeerConnection = class RecordedPeerConnection extends Native {
  constructor(configuration?: RTCConfiguration) {
    super(configuration);
    if (tracked.size >= PEER_CONNECTIONS_MAX) return;
    tracked.add(this);
    this.addEventListener('connectionstatechange', () => {
      if (this.connectionState === 'closed' || this.connectionState === 'failed') {
        tracked.delete(this);
      }
    });
  }
};

type Stat = Record<string, unknown> & { id: string; type: string };

function candidate(stat: Stat | undefined): IceCandidateInfo {
  return {
    type: String(stat?.candidateType ?? 'unknown'),
    protocol: String(stat?.protocol ?? 'unknown'),
    relayProtocol: typeof stat?.relayProtocol === 'string' ? stat.relayProtocol : null,
    address: String(stat?.address ?? stat?.ip ?? ''),
    port: Number(stat?.port ?? 0),
  };
}

async function selectedPair(connection: RTCPeerConnection): Promise<IcePair | null> {
  const stats = new Map<string, Stat>();
  (await connection.getStats()).forEach((stat: Stat) => stats.set(stat.id, stat));
  const all = [...stats.values()];
  // Chromium names the pair on the transport; Firefox marks it `selected` (non-standard).
  const transportPair = all.find((s) => s.type === 'transport')?.selectedCandidatePairId;
  const pair =
    (typeof transportPair === 'string' ? stats.get(transportPair) : undefined) ??
    all.find((s) => s.type === 'candidate-pair' && s.selected === true) ??
    all.find((s) => s.type === 'candidate-pair' && s.nominated === true && s.state === 'succeeded');
  if (!pair) return null;
  return {
    local: candidate(stats.get(String(pair.localCandidateId))),
    remote: candidate(stats.get(String(pair.remoteCandidateId))),
  };
}

/** The selected candidate pair of every connected RTCPeerConnection of this page. */
export async function selectedIcePairs(): Promise<IcePair[]> {
  const pairs: IcePair[] = [];
  for (const connection of tracked) {
    if (connection.connectionState !== 'connected') continue;
    const pair = await selectedPair(connection);
    if (pair) pairs.push(pair);
  }
  return pairs;
}
