// What the peer writes to its log as it runs: the one-line status on start, every `intervalS`
// seconds and whenever the role changes or a problem appears; each new join request with the
// fingerprint --approve takes; each committed block at debug level.
import type { LedgerNode, NodeEvent } from '../lib/node/api';
import type { Logger } from './logger';
import { statusLineFields, type StatusSnapshot } from './status-report';

/** Join requests remembered as already logged; beyond this, a request may be logged again. */
export const LOGGED_REQUESTS_MAX = 1_024;

export function startStatusLog(
  node: Pick<LedgerNode, 'status' | 'subscribe'>,
  snapshot: () => Promise<StatusSnapshot>,
  intervalS: number,
  log: Logger,
): () => void {
  const shownOf = (status: LedgerNode['status']) =>
    `${status.role}|${status.problem?.message ?? ''}`;
  let shown = shownOf(node.status);
  const report = () =>
    void snapshot().then(
      (now) => log.info('status', statusLineFields(now)),
      (error: unknown) => log.warn('status unavailable', { error: (error as Error).message }),
    );
  const logged = new Set<string>();
  const unsubscribe = node.subscribe((event: NodeEvent) => {
    if (event.type === 'status' && shownOf(event.status) !== shown) {
      shown = shownOf(event.status);
      report();
    } else if (event.type === 'join-requests') {
      for (const request of event.requests) {
        if (logged.has(request.publicKey)) continue;
        if (logged.size < LOGGED_REQUESTS_MAX) logged.add(request.publicKey);
        log.info('join request', {
          label: request.label,
          kind: request.kind,
          fingerprint: request.publicKey.slice(0, 16),
          address: request.address,
        });
      }
    } else if (event.type === 'block') {
      log.debug('committed', { height: event.block.height, txs: event.block.txCount });
    }
  });
  report();
  const timer = intervalS > 0 ? setInterval(report, intervalS * 1000) : null;
  return () => {
    if (timer) clearInterval(timer);
    unsubscribe();
  };
}
