// The system tools `npm test` needs, and what to do when some are missing: install them with
// apt-get where that is possible (root on Debian), or stop at once with the exact command.
// One row per tool: the Debian package that provides it; `netbedOnly` tools are needed only
// where the simulated internet can run (root), see test/netbed/requirements.mjs.
export const SYSTEM_TOOLS = [
  { command: 'chromium', debianPackage: 'chromium' }, // browser tests (/usr/bin/chromium)
  { command: 'Xvfb', debianPackage: 'xvfb' }, // the hidden-tab test's virtual display
  { command: 'ip', debianPackage: 'iproute2' }, // the loopback-only namespace
  { command: 'unshare', debianPackage: 'util-linux' }, // the loopback-only namespace
  { command: 'iptables', debianPackage: 'iptables', netbedOnly: true }, // NAT routers
  { command: 'turnserver', debianPackage: 'coturn', netbedOnly: true }, // TURN
  { command: 'openssl', debianPackage: 'openssl', netbedOnly: true }, // the test CA
  { command: 'certutil', debianPackage: 'libnss3-tools', netbedOnly: true }, // CA into NSS
  { command: 'firefox-esr', debianPackage: 'firefox-esr', netbedOnly: true }, // Firefox tests
];

/**
 * @param {{ missing: { command: string, debianPackage: string, netbedOnly?: boolean }[], root: boolean, debian: boolean }} machine
 * @returns {{ action: 'none' } | { action: 'install', packages: string[], message: string }
 *   | { action: 'stop', message: string }}
 */
export function planSystemTools({ missing, root, debian }) {
  if (missing.length === 0) return { action: 'none' };
  const packages = [...new Set(missing.map((tool) => tool.debianPackage))];
  const names = missing.map((tool) => tool.command).join(', ');
  const install = `apt-get install -y ${packages.join(' ')}`;
  if (debian && root) {
    return {
      action: 'install',
      packages,
      message: `test: installing what is missing (${names}): apt-get update && ${install}`,
    };
  }
  const command = debian
    ? `sudo apt-get update && sudo ${install}`
    : `${install}   (on Debian; elsewhere install ${packages.join(', ')} with your package manager)`;
  return {
    action: 'stop',
    message: `test: npm test needs ${names}, which this machine lacks. Install with:\n  ${command}`,
  };
}
