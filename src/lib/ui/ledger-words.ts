// What a person reads before an invite or a removal changes anything on this device: the
// sentences, from the node's facts (api.ts: InviteSummary, LedgerRemoval). Kept out of the
// pages so the rules (a third of the votes, plural forms) are tested on their own.
import type { LedgerRemoval } from '$lib/node/api';
import { formatAmount } from './format';

function plural(count: number, one: string, many: string): string {
  return `${formatAmount(count)} ${count === 1 ? one : many}`;
}

/** The sentence for addresses an invite listed that no browser can use (dropped), or null. */
export function unusableRelaysSentence(count: number): string | null {
  if (count <= 0) return null;
  return count === 1
    ? 'The link also listed a network address this app cannot use; it was left out.'
    : `The link also listed ${formatAmount(count)} network addresses this app cannot use; they were left out.`;
}

/** This device's share of the votes, as "40%" (never "0%" for a validator with any power). */
export function shareWords(power: number, totalPower: number): string {
  if (totalPower <= 0) return '0%';
  const percent = (power / totalPower) * 100;
  return percent > 0 && percent < 1 ? 'less than 1%' : `${Math.round(percent)}%`;
}

/**
 * Whether the ledger stops confirming changes without this device's votes: a change needs more
 * than two thirds of the power, so the others alone fall short when this device holds a third
 * or more (power * 3 >= total, in whole numbers).
 */
export function stopsWithout(validator: { power: number; totalPower: number }): boolean {
  return validator.power > 0 && validator.power * 3 >= validator.totalPower;
}

export interface RemovalWarning {
  /** What is lost and what stays, in order; the first is the most important. */
  sentences: string[];
  /** The ledger stops on every device (said first, and the button says so too). */
  stopsLedger: boolean;
}

/**
 * What removing a ledger from this device means, in sentences. `removal` is null when its
 * store could not be read: then the rule is said in general.
 */
export function removalWarning(name: string, removal: LedgerRemoval | null): RemovalWarning {
  const sentences: string[] = [];
  const validator = removal?.validator ?? null;
  const stopsLedger = validator !== null && stopsWithout(validator);
  if (validator && stopsLedger && validator.power === validator.totalPower) {
    sentences.push(
      `This device is the only validator of “${name}”: without it, no device can confirm changes to this ledger. That changes only if this browser, which keeps the key, joins it again with an invite link from another device that has it.`,
    );
  } else if (validator && stopsLedger) {
    sentences.push(
      `This device holds ${shareWords(validator.power, validator.totalPower)} of the votes of “${name}”, a third or more: without it the other validators cannot reach the two thirds a change needs, so the ledger stops confirming changes on every device until you join it again from this browser, which keeps the key.`,
    );
  } else if (validator) {
    sentences.push(
      `This device is a validator with ${shareWords(validator.power, validator.totalPower)} of the votes. The others go on confirming changes without it; it votes again if you join the ledger again from this browser.`,
    );
  } else if (removal === null) {
    sentences.push(
      'What this device holds of the ledger could not be read. If it is a validator with a third or more of the votes, the ledger stops confirming changes until you join it again from this browser.',
    );
  }
  const blocks = removal ? ` (${plural(removal.height, 'block', 'blocks')})` : '';
  sentences.push(
    `This deletes this device’s copy of “${name}”${blocks}. The ledger lives on in its other devices; if no other device has it, its history is gone for good.`,
  );
  if (removal && removal.unconfirmed > 0) {
    sentences.push(
      `${plural(removal.unconfirmed, 'change', 'changes')} you made here ${removal.unconfirmed === 1 ? 'is' : 'are'} not confirmed yet: this device stops sending ${removal.unconfirmed === 1 ? 'it' : 'them'}, so ${removal.unconfirmed === 1 ? 'it' : 'they'} may never be.`,
    );
  }
  sentences.push(
    'This browser keeps its device key: every ledger in this browser signs with it, and your other ledgers stay as they are. To join this one again you need an invite link from one of its devices.',
  );
  return { sentences, stopsLedger };
}
