#!/usr/bin/env node
// `npx ledger-peer …` from a checkout (package.json "bin"): the always-on peer, src/peer/main.ts,
// run through tsx like `npm run peer` (no build step; tsx comes with the dev dependencies).
import { register } from 'tsx/esm/api';

register();
await import('../src/peer/main.ts');
