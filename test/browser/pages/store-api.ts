// What the store harness page (store.ts) exposes on `window.storeApi`, shared with the test.

/** A chain as hex strings (Playwright passes plain JSON to and from the page). */
export interface WireChain {
  genesisHex: string;
  blocksHex: string[];
  commitsHex: string[];
}

export interface CaseResult {
  name: string;
  ok: boolean;
  error?: string;
}

export interface Inspection {
  headHeight: number;
  headHashHex: string;
  /** The root field of the loaded state. */
  stateRootHex: string;
  /** The root recomputed from the loaded accounts, records and sets. */
  recomputedRootHex: string;
  stateHeight: number;
  /** Every block 1..head is present and names its predecessor's hash. */
  linked: boolean;
  /** No block is stored above the head. */
  nothingAboveHead: boolean;
}

export interface DeviceKeyCheck {
  publicKeyHex: string;
  verified: boolean;
  /** Names of the errors exportKey threw for the private key, one per format tried. */
  exportErrors: string[];
}

export interface StoreApi {
  runConformance(): Promise<CaseResult[]>;
  /** Decodes the chain and computes each block's StateChanges (real signature checks). */
  prepare(chain: WireChain): Promise<number>;
  /** Opens the ledger DB and writes the genesis state (no-op if done). */
  init(): Promise<void>;
  /** Initializes the ledger DB (if needed) and applies every prepared block, in order. */
  applyAll(): Promise<string[]>;
  /**
   * Starts applying without waiting, pausing `pauseMs` between blocks (a node receiving a
   * stream of commits); progress in `window.storeProgress` (last applied height).
   */
  startStream(pauseMs: number): void;
  inspect(chainId: string): Promise<Inspection>;
  /** Applies prepared blocks until the browser refuses for quota; returns the error's name. */
  applyUntilFull(): Promise<{ errorName: string; height: number }>;
  storageUsage(): Promise<{ usageBytes: number; quotaBytes: number } | null>;
  createDeviceKey(): Promise<DeviceKeyCheck>;
  useDeviceKey(): Promise<DeviceKeyCheck>;
}

export interface StoreWindow {
  storeApi: StoreApi;
  storeProgress: number;
  storeStreamError: string | null;
}
