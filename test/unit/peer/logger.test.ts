// Structured logs: levels filter before formatting; JSON is one object per line; text is
// key=value with quoting where a value has spaces.
import { expect, test } from 'vitest';
import { createLogger } from '../../../src/peer/logger';

test('records below the level are dropped; JSON and text carry the same fields', () => {
  const lines: string[] = [];
  const json = createLogger({
    level: 'info',
    format: 'json',
    write: (l) => lines.push(l),
    nowMs: () => 0,
  });
  json.debug('hidden');
  json.info('status', { height: 3, role: 'validator', problem: undefined, peers: ['a', 'b'] });
  json.error('failed', { code: 74 });
  expect(lines.map((line) => JSON.parse(line))).toEqual([
    {
      time: '1970-01-01T00:00:00.000Z',
      level: 'info',
      msg: 'status',
      height: 3,
      role: 'validator',
      peers: ['a', 'b'],
    },
    { time: '1970-01-01T00:00:00.000Z', level: 'error', msg: 'failed', code: 74 },
  ]);
  const text: string[] = [];
  const plain = createLogger({
    level: 'debug',
    format: 'text',
    write: (l) => text.push(l),
    nowMs: () => 0,
  });
  plain.debug('join request', { label: 'home server', kind: 'peer', empty: '' });
  expect(text).toEqual([
    '1970-01-01T00:00:00.000Z DEBUG join request label="home server" kind=peer empty=""',
  ]);
});
