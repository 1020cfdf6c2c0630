// `npm test`: everything, in order of speed — typecheck, lint, unit + property, simulation,
// build, then libp2p integration and real-Chromium tests, and last the devices in a simulated
// internet (netbed: root only). Ends with one line "N passed, M failed" counting every test
// case of every step.
//
// Missing system tools (Chromium, Xvfb, ...) are installed first when root on Debian, else the
// run stops with the command that installs them (see SYSTEM_TOOLS).
//
// Anything that opens sockets or WebRTC must see only the loopback interface (WebRTC gathers
// candidates on every interface). When this process sees other interfaces and can make a
// network namespace (root + unshare), it re-runs itself inside a loopback-only one.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { netbedUnavailable } from '../test/netbed/requirements.mjs';
import { ensureSystemTools } from './system-tools.mjs';

if (process.env.LEDGER_TEST_NETNS !== 'done') ensureSystemTools('test');

const onlyLoopback = Object.keys(networkInterfaces()).every((name) => name === 'lo');
if (!onlyLoopback && process.env.LEDGER_TEST_NETNS !== 'done') {
  const canUnshare = process.getuid?.() === 0 && spawnSync('unshare', ['-n', 'true']).status === 0;
  if (canUnshare) {
    const args = process.argv
      .slice(2)
      .map((a) => `'${a.replaceAll("'", "'\\''")}'`)
      .join(' ');
    const inner = `ip link set lo up && exec node scripts/test.mjs ${args}`;
    const run = spawnSync('unshare', ['-n', 'sh', '-c', inner], {
      stdio: 'inherit',
      env: { ...process.env, LEDGER_TEST_NETNS: 'done' },
    });
    process.exit(run.status ?? 1);
  }
  console.warn('test: not root or no unshare: WebRTC tests will see every network interface');
}

const only = process.argv.slice(2);
const reportDir = mkdtempSync(join(tmpdir(), 'ledger-test-'));
let passed = 0;
let failed = 0;
let skipped = 0;
const failures = [];

function run(name, command, args, { countsFrom } = {}) {
  if (only.length > 0 && !only.includes(name)) return;
  const startedMs = Date.now();
  console.log(`\n=== ${name}: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit', env: process.env });
  const seconds = ((Date.now() - startedMs) / 1000).toFixed(1);
  if (countsFrom && existsSync(countsFrom)) {
    const report = JSON.parse(readFileSync(countsFrom, 'utf8'));
    passed += report.numPassedTests;
    failed += report.numFailedTests;
  }
  if (result.status !== 0) {
    failures.push(name);
    if (!countsFrom) failed += 1;
  } else if (!countsFrom) {
    passed += 1;
  }
  console.log(`=== ${name}: ${result.status === 0 ? 'ok' : 'FAILED'} in ${seconds} s`);
}

function vitest(project) {
  const out = join(reportDir, `${project}.json`);
  run(
    project,
    'npx',
    [
      'vitest',
      'run',
      '--project',
      project,
      '--reporter=default',
      '--reporter=json',
      `--outputFile=${out}`,
    ],
    { countsFrom: out },
  );
}

/**
 * The simulated-internet step (test/netbed/) needs root (network namespaces) and coturn,
 * iptables, openssl, certutil and firefox-esr. Without them it says why; in CI that is a failure.
 */
function netbed() {
  if (only.length > 0 && !only.includes('netbed')) return;
  const why = netbedUnavailable();
  if (why === null) return vitest('netbed');
  console.log(`\n=== netbed: skipped: ${why}`);
  if (process.env.CI === 'true') {
    console.log('=== netbed: FAILED (CI=true: every step must run)');
    failures.push('netbed');
    failed += 1;
  } else {
    skipped += 1;
  }
}

run('typecheck', 'npm', ['run', '--silent', 'check']);
run('lint', 'npm', ['run', '--silent', 'lint']);
vitest('unit');
vitest('sim');
run('build', 'npx', ['vite', 'build', '--logLevel', 'warn']);
vitest('integration');
vitest('browser');
netbed();

console.log(failures.length ? `\nFailed steps: ${failures.join(', ')}` : '\nAll steps passed.');
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failures.length ? 1 : 0);
