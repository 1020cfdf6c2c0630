// The system tools the README's commands need, and what to do when some are missing: install
// them with apt-get where that is possible (root on Debian), or stop at once with the exact
// command. One row per tool, with the Debian package that provides it and the stage that needs
// it: 'install' (npm install / npm ci builds better-sqlite3 from its sources), 'test' (npm
// test), 'netbed' (npm test's simulated internet, which runs only as root).
//
//   node scripts/system-tools.mjs install   before `npm ci` on a fresh machine (.ci/run does)
//   scripts/test.mjs calls ensureSystemTools('test') itself.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const SYSTEM_TOOLS = [
  { command: 'g++', debianPackage: 'g++', stage: 'install' }, // better-sqlite3's build
  { command: 'make', debianPackage: 'make', stage: 'install' },
  { command: 'python3', debianPackage: 'python3', stage: 'install' },
  { command: 'chromium', debianPackage: 'chromium', stage: 'test' }, // /usr/bin/chromium
  { command: 'Xvfb', debianPackage: 'xvfb', stage: 'test' }, // the hidden-tab test's display
  { command: 'ip', debianPackage: 'iproute2', stage: 'test' }, // the loopback-only namespace
  { command: 'unshare', debianPackage: 'util-linux', stage: 'test' },
  { command: 'iptables', debianPackage: 'iptables', stage: 'netbed' }, // NAT routers
  { command: 'turnserver', debianPackage: 'coturn', stage: 'netbed' }, // TURN
  { command: 'openssl', debianPackage: 'openssl', stage: 'netbed' }, // the test CA
  { command: 'certutil', debianPackage: 'libnss3-tools', stage: 'netbed' }, // CA into NSS
  { command: 'firefox-esr', debianPackage: 'firefox-esr', stage: 'netbed' }, // Firefox device
];

/**
 * @param {{ missing: { command: string, debianPackage: string }[], root: boolean, debian: boolean }} machine
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
      message: `installing what is missing (${names}): apt-get update && ${install}`,
    };
  }
  const command = debian
    ? `sudo apt-get update && sudo ${install}`
    : `${install}   (on Debian; elsewhere install ${packages.join(', ')} with your package manager)`;
  return {
    action: 'stop',
    message: `this machine lacks ${names}. Install with:\n  ${command}`,
  };
}

/**
 * The tools a stage needs: its own and every earlier stage's; the netbed's only as root.
 * @param {string} stage
 * @param {boolean} root
 */
export function toolsFor(stage, root) {
  const stages =
    stage === 'install' ? ['install'] : ['install', 'test', ...(root ? ['netbed'] : [])];
  return SYSTEM_TOOLS.filter((tool) => stages.includes(tool.stage));
}

/**
 * Installs what `stage` needs and the machine lacks (root on Debian), or exits with the command.
 * @param {string} stage
 */
export function ensureSystemTools(stage, prefix = 'test') {
  /** @param {string} command */
  const has = (command) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
  const root = process.getuid?.() === 0;
  const missing = toolsFor(stage, root).filter((tool) => !has(tool.command));
  const plan = planSystemTools({
    missing,
    root,
    debian: existsSync('/etc/debian_version') && has('apt-get'),
  });
  if (plan.action === 'none') return;
  if (plan.action === 'stop') {
    console.error(`${prefix}: ${plan.message}`);
    process.exit(1);
  }
  console.log(`${prefix}: ${plan.message}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const result =
    update.status === 0
      ? spawnSync('apt-get', ['install', '-y', '-qq', ...plan.packages], { stdio: 'inherit', env })
      : update;
  if (result.status !== 0 || !missing.every((tool) => has(tool.command))) {
    console.error(`${prefix}: apt-get could not install ${plan.packages.join(' ')}`);
    process.exit(1);
  }
}

if (process.argv[1]?.endsWith('system-tools.mjs')) {
  const stage = process.argv[2] ?? 'install';
  if (!['install', 'test'].includes(stage)) {
    console.error('usage: node scripts/system-tools.mjs [install|test]');
    process.exit(2);
  }
  ensureSystemTools(stage, 'system-tools');
}
