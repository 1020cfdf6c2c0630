// What a person reads when something fails: one sentence in plain words, and the technical
// text (error name, code, message) kept apart for a "Technical details" disclosure. Errors are
// matched by name and code, never by importing the node (which would pull libp2p into the
// first paint). Anything unknown still gets a sentence; its raw text goes to the details only.
import { txReason } from './reasons';

export interface Described {
  /** A whole sentence, capitalised, ending with a full stop. */
  sentence: string;
  /** Name, code and message as thrown; null when there is nothing beyond the sentence. */
  detail: string | null;
}

const STORE_SENTENCES: Record<string, string> = {
  'storage-full':
    'This browser has no room left to store the ledger. Free some space or allow this site to store more.',
  'store-closed':
    'The ledger’s storage was closed, usually because another tab updated the app. Reload the page.',
  schema: 'This ledger was saved by a newer version of the app. Reload the page to get it.',
  'outbox-full':
    'Too many of your changes are still waiting for the network. Wait until some are confirmed, then try again.',
  'not-found': 'This ledger is not on this device.',
  'not-initialized': 'This ledger is not on this device.',
  'chain-mismatch': 'The stored data belongs to another ledger.',
};

/** The node's refusals of an approval that are not ledger rules (TxCode has those). */
const REQUEST_SENTENCES: Record<string, string> = {
  'unknown-request': 'This join request is no longer open.',
  'request-changed':
    'This request changed since it was shown (another device proposed or approved it). Check it again, then approve.',
};

/** Sentences by error name (the node's typed errors and the DOM's). */
const NAMED_SENTENCES: Record<string, string> = {
  NodeStoppedError: 'This ledger was closed in this tab. Reload the page to open it again.',
  GroupCommitFullError: 'Too many changes are waiting to be signed. Wait a moment and try again.',
  LedgerNotOnDeviceError: 'This ledger is not on this device. Open it from an invite link.',
  GenesisNotFoundError:
    'No device of this ledger could be reached. The device that invited you must be online with the ledger open; check the connection and try again.',
  GenesisError: 'The ledger could not be created with these starting balances.',
  NotAllowedError: 'The browser did not allow this. Check the site’s permissions and try again.',
  SecurityError:
    'This browser does not let the page store data here (a private window, or storage blocked for this site).',
  InvalidStateError:
    'This browser does not let the page store data here (a private window, or storage blocked for this site).',
  QuotaExceededError: STORE_SENTENCES['storage-full']!,
  AbortError: 'The request was cancelled before it finished. Try again.',
  TimeoutError: 'That took too long. Check the connection and try again.',
};

/** Errors whose message the node writes as a sentence a person reads as it is. */
const SENTENCE_ERRORS = new Set(['InviteError', 'InviteUnavailableError', 'PrivateInviteError']);

const GENERIC = 'Something went wrong. Try again; if it keeps happening, reload the page.';

/** One plain sentence for anything a node action or the browser threw. */
export function describeError(error: unknown): Described {
  const name = error instanceof Error || isNamed(error) ? error.name : '';
  const message = error instanceof Error || isNamed(error) ? error.message : String(error);
  const code = codeOf(error);
  const detail = technical(name, code, message);

  if (name === 'TxRejectedError' && code) {
    return { sentence: REQUEST_SENTENCES[code] ?? txReason(code), detail };
  }
  // The node writes these messages as sentences for a person (invites, private ledger keys).
  if (SENTENCE_ERRORS.has(name)) return { sentence: asSentence(message), detail: null };
  if (code && STORE_SENTENCES[code]) return { sentence: STORE_SENTENCES[code], detail };
  if (NAMED_SENTENCES[name]) return { sentence: NAMED_SENTENCES[name], detail };
  if (name === 'TypeError' && /fetch|network/i.test(message)) {
    return { sentence: 'The network could not be reached. Check the connection.', detail };
  }
  return { sentence: GENERIC, detail };
}

/** Node problem codes (status.problem) as sentences. */
const PROBLEM_SENTENCES: Record<string, string> = {
  ...STORE_SENTENCES,
  network: 'The connection to the other devices failed. It is retried on its own.',
  internal:
    'Something went wrong inside this device’s copy of the ledger. Reloading the page usually helps.',
  'invalid-committed-block':
    'The other devices agreed on a block this device finds invalid, so it stopped following them. Ask the others to check their devices.',
  store: 'This device could not save the latest blocks. Reloading the page usually helps.',
};

export function describeProblem(problem: { code: string; message: string }): Described {
  return {
    sentence: PROBLEM_SENTENCES[problem.code] ?? GENERIC,
    detail: `${problem.code}: ${problem.message}`,
  };
}

/** Capital first letter and a full stop: the node's own sentences may lack either. */
export function asSentence(text: string): string {
  const trimmed = text.trim();
  if (trimmed === '') return GENERIC;
  const capital = trimmed[0]!.toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

function isNamed(value: unknown): value is { name: string; message: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { name?: unknown }).name === 'string' &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}

function codeOf(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : null;
}

function technical(name: string, code: string | null, message: string): string | null {
  const parts = [name, code && !message.startsWith(code) ? code : null, message].filter(Boolean);
  return parts.length > 0 ? parts.join(': ') : null;
}
