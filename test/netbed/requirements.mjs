// What the simulated internet (test/netbed/) needs from the machine, checked in one place for
// `npm test` (scripts/test.mjs, which cannot load TypeScript) and for the testbed itself.
import { spawnSync } from 'node:child_process';

/** @type {{ tool: string, args: string[], debian: string }[]} (args: print and exit) */
const TOOLS = [
  { tool: 'ip', args: ['-V'], debian: 'iproute2' },
  { tool: 'iptables', args: ['--version'], debian: 'iptables' },
  { tool: 'turnserver', args: ['--version'], debian: 'coturn' },
  { tool: 'openssl', args: ['version'], debian: 'openssl' },
  { tool: 'certutil', args: ['-H'], debian: 'libnss3-tools' },
  { tool: 'firefox-esr', args: ['--version'], debian: 'firefox-esr' },
];

/**
 * Why this machine cannot build the testbed, as a sentence, or null when it can.
 * @returns {string | null}
 */
export function netbedUnavailable() {
  if (process.getuid?.() !== 0) {
    return 'it creates network namespaces (ip netns add), which needs root, and this is not root';
  }
  for (const { tool, args, debian } of TOOLS) {
    if (spawnSync(tool, args).error) {
      return `\`${tool}\` is missing (apt-get install ${debian})`;
    }
  }
  return null;
}
