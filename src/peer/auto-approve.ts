// Approving the join requests of named devices (--approve), for a peer that runs without a
// person at a screen: a ledger it created has no other validator to click "Approve". Only the
// keys the operator named are approved, exactly as the Devices page would (FullNode.approveJoin
// with the proposal and the grant the view shows), each at most once at a time; a refusal is
// logged and tried again when the requests or the head change. On a private ledger a device is
// admitted as a member; it becomes a validator only if its request asks for that.
import type { JoinRequest, LedgerNode } from '../lib/node/api';
import type { Logger } from './logger';

/** Whether `request` is one of `keys` (fingerprints: 16 hex, addresses: 40, public keys: 64). */
export function isNamed(request: Pick<JoinRequest, 'publicKey' | 'address'>, keys: string[]) {
  return keys.some((key) =>
    key.length === 40 ? request.address === key : request.publicKey.startsWith(key),
  );
}

export function startAutoApprove(
  node: Pick<LedgerNode, 'status' | 'subscribe' | 'joinRequests' | 'approveJoin'>,
  keys: string[],
  log: Logger,
): () => void {
  if (keys.length === 0) return () => undefined;
  /** Requests with an approval being signed or not yet settled (key -> its tx hash, or ''). */
  const pending = new Map<string, string>();
  const review = () => {
    if (node.status.role !== 'validator') return;
    for (const request of node.joinRequests()) {
      if (request.approvedByMe || pending.has(request.publicKey) || !isNamed(request, keys)) {
        continue;
      }
      pending.set(request.publicKey, '');
      // What the view grants: on a private ledger membership first; a validator's power only
      // if the device's request asks for it (shown again once it is a member).
      node.approveJoin(request.publicKey, request.proposalId, request.grants).then(
        (entry) => {
          pending.set(request.publicKey, entry.hash);
          log.info('approved a join request', {
            label: request.label,
            kind: request.kind,
            grants: request.grants,
            address: request.address,
            tx: entry.hash,
          });
        },
        (error: unknown) => {
          pending.delete(request.publicKey);
          log.warn('could not approve a join request', {
            label: request.label,
            address: request.address,
            reason: (error as Error).message,
          });
        },
      );
    }
  };
  const unsubscribe = node.subscribe((event) => {
    if (event.type === 'activity' && event.entry.status !== 'pending') {
      // The approval committed (the view now says approvedByMe) or failed (try again).
      for (const [publicKey, hash] of pending) {
        if (hash === event.entry.hash) pending.delete(publicKey);
      }
    }
    if (event.type === 'join-requests' || event.type === 'block' || event.type === 'status') {
      review();
    }
  });
  review();
  return unsubscribe;
}
