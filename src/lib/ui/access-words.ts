// Private and public ledgers in words: who can read, who lets a device in, what approving a
// join request gives, what removing a member means, and this device's own standing. Display
// only: every fact comes from the node (api.ts: AccessStatus, JoinRequest, MemberView); kept
// out of the pages so the rules (a third of the votes, final at a height) are tested alone.
import type { AccessStatus, JoinRequest, JoinRole, LedgerAccess, NodeStatus } from '$lib/node/api';
import { formatAmount } from './format';
import { shareWords } from './ledger-words';

export type AdmissionRule = AccessStatus['admission'];

/** The creation choice: who can read the ledger (private is the default). */
export const ACCESS_CHOICES: { value: LedgerAccess; label: string; hint: string }[] = [
  {
    value: 'private',
    label: 'Private',
    hint: 'Only devices you invite can read it. The relay and strangers see nothing but noise.',
  },
  {
    value: 'public',
    label: 'Public',
    hint: 'Anyone who learns its id can read it and follow every change.',
  },
];

/** For a private ledger: who may let a new device in (removing one always needs two thirds). */
export const ADMISSION_CHOICES: { value: AdmissionRule; label: string; hint: string }[] = [
  {
    value: 'any-validator',
    label: 'Any one validator',
    hint: 'Fits a ledger of your own devices: any of them can let a new one in.',
  },
  {
    value: 'two-thirds',
    label: 'More than two thirds of the votes',
    hint: 'Fits a ledger shared by several people: the validators decide together.',
  },
];

export const ADMISSION_SENTENCES: Record<AdmissionRule, string> = {
  'any-validator': 'Any one validator can let a new device in.',
  'two-thirds':
    'A new device gets in once validators with more than two thirds of the votes agree.',
};

/** What an invite's ledger is, said on the join page before anything is joined. */
export function accessSentence(access: LedgerAccess): string {
  return access === 'private'
    ? 'Private: only invited devices can read it. Joining lets this device read it and ask to write.'
    : 'Public: anyone who has its id can read it.';
}

/** What approving a join request gives the device, in one sentence. */
export function approvalGives(request: Pick<JoinRequest, 'grants' | 'shareAfter'>): string {
  if (request.grants === 'member') {
    return 'Approving lets it read and write this ledger (as a member); it does not vote.';
  }
  return `Approving makes it a validator with ${shareWords(request.shareAfter, 1)} of all votes once added.`;
}

/** A device that asks to vote on a private ledger is let in first; its vote is asked after. */
export function votesLaterSentence(request: Pick<JoinRequest, 'asks' | 'grants'>): string | null {
  return request.asks === 'validator' && request.grants === 'member'
    ? 'It also asks to confirm changes (to vote): that is shown again once it is a member.'
    : null;
}

/** The loud line when a validator request would give one device more than a third. */
export function approvalWarning(
  request: Pick<JoinRequest, 'grants' | 'shareAfter'>,
): string | null {
  if (request.grants !== 'validator' || request.shareAfter <= 1 / 3) return null;
  return 'This one device would hold more than a third of the votes: if it goes offline or misbehaves, the ledger stops until it is back.';
}

/** How far an open proposal is, as a clause (approvals of the current total). */
export function progressWords(progress: { approvedPower: number; totalPower: number }): string {
  return `approved by ${formatAmount(progress.approvedPower)} of ${formatAmount(progress.totalPower)} votes so far (more than two thirds needed)`;
}

/** The banner's headline for several requests at once. */
export function requestsHeadline(count: number): string {
  return count === 1 ? '1 device asks to join' : `${formatAmount(count)} devices ask to join`;
}

/** What removing a member (or leaving) means, before the person says yes. */
export function memberRemovalWarning(name: string, self: boolean): string[] {
  const sentences = self
    ? [
        `This device leaves “${name}” for good at the block that confirms it: from then on it can no longer read new blocks or write. What it has read so far stays on it.`,
      ]
    : [
        'Removing it is final at the block that confirms it: from then on it can no longer read new blocks or write. It keeps what it has read so far.',
        'It needs validators with more than two thirds of the votes to agree; your approval is one of them.',
      ];
  sentences.push(
    'The ledger then gets a new key, which the remaining members receive on their own. Invites made before that stop working: make a new one.',
  );
  return sentences;
}

/** Why a member has no Remove (or Leave) button: validators give up their votes first. */
export function validatorStaysSentence(self: boolean): string {
  return self
    ? 'This device confirms changes (a validator): it can leave once it has given up its votes (under “Devices that confirm changes”).'
    : 'A validator: it can be removed once its votes are taken away (under “Devices that confirm changes”).';
}

/** What taking a validator's votes away (or giving up this device's) means, before the yes. */
export function validatorRemovalWarning(name: string, self: boolean, isPrivate: boolean): string[] {
  const who = self ? 'This device' : name;
  return [
    `${who} stops confirming changes once validators with more than two thirds of the votes agree. Getting votes back takes a new request and their approval.`,
    self
      ? 'If too few devices are left to confirm changes, the ledger stops until one comes back: keep at least four, or an always-on peer.'
      : 'Do this for a device that is lost or no longer used: while it holds votes and does not vote, it counts against the two thirds the ledger needs.',
    isPrivate
      ? `${who} stays a member and still reads the ledger; ${self ? 'it can leave' : 'it can be removed'} afterwards.`
      : `${who} still reads and writes the ledger.`,
  ];
}

/** The key epoch in words (epoch 0 is the ledger's first key). */
export function epochSentence(epoch: number): string {
  if (epoch === 0) return 'The ledger still uses its first key: nobody has been removed.';
  const times = epoch === 1 ? 'once' : `${formatAmount(epoch)} times`;
  return `The ledger’s key changed ${times} (key ${formatAmount(epoch)}). Invites made before the last removal no longer work: make a new one.`;
}

/**
 * This device's standing on a private ledger as a sentence (null when nothing needs saying: a
 * member). `height` is the last block this device has: a removed device stops at its removal.
 */
export function standingSentence(
  standing: AccessStatus['standing'],
  ledgerName: string,
  height: number,
): { tone: 'danger' | 'warn' | 'info'; sentence: string } | null {
  switch (standing) {
    case 'member':
      return null;
    case 'removed':
      return {
        tone: 'danger',
        sentence: `This device was removed from “${ledgerName}” at block ${formatAmount(height)}; it can no longer read new blocks or write.`,
      };
    case 'no-key':
      return {
        tone: 'danger',
        sentence: `This device has no key for “${ledgerName}”; it can no longer read new blocks or write. Open a new invite link from one of its devices to get one.`,
      };
    case 'leaving':
      return {
        tone: 'warn',
        sentence: `This device is being removed from “${ledgerName}”: once the next block confirms it, it can no longer read new blocks or write.`,
      };
    case 'invited':
      return {
        tone: 'info',
        sentence: `This device can read “${ledgerName}” but not write: ask to join on the Devices page, and a validator lets it in.`,
      };
  }
}

/**
 * Whether what was asked is granted: a validator (this tab or another) once it asked to vote or
 * the ledger is public; a member on a private ledger once it asked to be let in.
 */
export function askGranted(
  ask: { role: JoinRole },
  status: Pick<NodeStatus, 'role' | 'access'>,
): boolean {
  const votes = status.role === 'validator' || status.role === 'standby';
  if (ask.role === 'validator' || status.access === null) return votes;
  return votes || status.access.standing === 'member' || status.access.standing === 'leaving';
}

/** Whether waiting makes no sense any more: this device was removed or holds no key. */
export function askHopeless(status: Pick<NodeStatus, 'access'>): boolean {
  const standing = status.access?.standing;
  return standing === 'removed' || standing === 'no-key';
}

/** What this device waits for after asking (shown on every page of the ledger until granted). */
export function waitingSentence(ask: { role: JoinRole }, ledgerName: string): string {
  return ask.role === 'member'
    ? `Waiting for approval: this device asked to join “${ledgerName}”. It can read the ledger meanwhile, and writes once a validator lets it in.`
    : `Waiting for approval: this device asked to confirm changes of “${ledgerName}” (to become a validator). It reads and checks every block meanwhile.`;
}

/**
 * Why this device cannot write now (a private ledger it is not a member of, or no longer), or
 * null when it can: the forms say it before anything is signed.
 */
export function writeBlockedSentence(access: AccessStatus | null): string | null {
  switch (access?.standing) {
    case undefined:
    case 'member':
    case 'leaving':
      return null;
    case 'invited':
      return 'This device writes once a validator lets it in.';
    case 'removed':
    case 'no-key':
      return 'This device can no longer write to this ledger.';
  }
}
