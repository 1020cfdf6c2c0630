// How a block settles outbox entries, shared by both stores.

import type { TxResult } from '../core/types';
import type { OutboxFate } from './types';

/** The fate of an outbox tx found at `index` of block `height`. */
export function fateInBlock(
  height: number,
  index: number,
  results: TxResult[] | undefined,
): OutboxFate {
  const result = results?.[index];
  // Without results the node only tells us the tx was included; inclusion is what 'committed'
  // means for a tx whose outcome is unknown.
  if (result === undefined || result.code === 'ok') return { status: 'committed', height };
  return result.detail === undefined
    ? { status: 'rejected', code: result.code }
    : { status: 'rejected', code: result.code, detail: result.detail };
}
