// What `npm test` does when the machine lacks a system tool: install it (root on Debian) or stop
// with the exact command a person can paste.
import { describe, expect, test } from 'vitest';
import { SYSTEM_TOOLS, planSystemTools, toolsFor } from '../../../scripts/system-tools.mjs';

const chromium = SYSTEM_TOOLS.find((tool) => tool.command === 'chromium')!;
const xvfb = SYSTEM_TOOLS.find((tool) => tool.command === 'Xvfb')!;

describe('missing system tools', () => {
  test('nothing missing: nothing to do', () => {
    expect(planSystemTools({ missing: [], root: false, debian: true })).toEqual({ action: 'none' });
  });

  test('root on Debian: installs the packages with apt-get', () => {
    const plan = planSystemTools({ missing: [chromium, xvfb], root: true, debian: true });
    expect(plan).toMatchObject({ action: 'install', packages: ['chromium', 'xvfb'] });
  });

  test('not root on Debian: stops with the exact sudo command', () => {
    const plan = planSystemTools({ missing: [chromium, xvfb], root: false, debian: true });
    expect(plan.action).toBe('stop');
    expect(plan.action === 'stop' && plan.message).toContain(
      'sudo apt-get update && sudo apt-get install -y chromium xvfb',
    );
  });

  test('not Debian: stops and names the packages', () => {
    const plan = planSystemTools({ missing: [xvfb], root: true, debian: false });
    expect(plan.action).toBe('stop');
    expect(plan.action === 'stop' && plan.message).toContain('xvfb');
  });

  test("npm ci needs only the build tools; npm test needs those and its own, the netbed's as root", () => {
    const commands = (stage: string, root: boolean) => toolsFor(stage, root).map((t) => t.command);
    expect(commands('install', true)).toEqual(['g++', 'make', 'python3']);
    expect(commands('test', false)).toContain('chromium');
    expect(commands('test', false)).not.toContain('turnserver');
    expect(commands('test', true)).toContain('turnserver');
  });
});
