// What the simulated internet (test/netbed/) needs from the machine, checked in one place for
// `npm test` (scripts/test.mjs, which cannot load TypeScript) and for the testbed itself.
import { spawnSync } from 'node:child_process';

/** [command, arguments that make it print and exit, Debian package] */
const TOOLS = [
  ['ip', ['-V'], 'iproute2'],
  ['iptables', ['--version'], 'iptables'],
  ['turnserver', ['--version'], 'coturn'],
  ['openssl', ['version'], 'openssl'],
  ['certutil', ['-H'], 'libnss3-tools'],
  ['firefox-esr', ['--version'], 'firefox-esr'],
];

/**
 * Why this machine cannot build the testbed, as a sentence, or null when it can.
 * @returns {string | null}
 */
export function netbedUnavailable() {
  if (process.getuid?.() !== 0) {
    return 'it creates network namespaces (ip netns add), which needs root, and this is not root';
  }
  for (const [tool, args, debian] of TOOLS) {
    if (spawnSync(tool, /** @type {string[]} */ (args)).error) {
      return `\`${tool}\` is missing (apt-get install ${debian})`;
    }
  }
  return null;
}
