// A certificate authority made for one testbed run, and a server certificate it signs for the
// public host (by IP and by name), so browsers load the app over real HTTPS and trust it the way
// they trust any CA: through their own certificate store (an NSS database), never through a
// flag that turns certificate errors off and would hide real failures.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './netns';

export const TEST_CA_NAME = 'Ledger testbed CA';
const VALID_DAYS = '2';

export interface TestCa {
  caCertFile: string;
  certFile: string;
  keyFile: string;
}

/** Writes ca.pem, server.pem and server-key.pem into `dir` for `ip` and `dnsName`. */
export function createTestCa(dir: string, ip: string, dnsName: string): TestCa {
  const file = (name: string) => join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  run('openssl', [
    'req',
    '-x509',
    ...ec,
    '-keyout',
    file('ca-key.pem'),
    '-out',
    file('ca.pem'),
    '-days',
    VALID_DAYS,
    '-subj',
    `/CN=${TEST_CA_NAME}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  run('openssl', [
    'req',
    ...ec,
    '-keyout',
    file('server-key.pem'),
    '-out',
    file('server.csr'),
    '-subj',
    `/CN=${dnsName}`,
  ]);
  writeFileSync(
    file('server.ext'),
    [
      `subjectAltName=IP:${ip},DNS:${dnsName}`,
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=serverAuth',
    ].join('\n'),
  );
  run('openssl', [
    'x509',
    '-req',
    '-in',
    file('server.csr'),
    '-CA',
    file('ca.pem'),
    '-CAkey',
    file('ca-key.pem'),
    '-CAcreateserial',
    '-out',
    file('server.pem'),
    '-days',
    VALID_DAYS,
    '-extfile',
    file('server.ext'),
  ]);
  return {
    caCertFile: file('ca.pem'),
    certFile: file('server.pem'),
    keyFile: file('server-key.pem'),
  };
}

/**
 * An NSS certificate database in `dir` trusting the CA for websites: Chromium reads one at
 * $HOME/.pki/nssdb, Firefox the one in its profile directory.
 */
export function trustInNssDb(dir: string, ca: TestCa): void {
  mkdirSync(dir, { recursive: true });
  run('certutil', ['-N', '-d', `sql:${dir}`, '--empty-password']);
  run('certutil', ['-A', '-d', `sql:${dir}`, '-n', TEST_CA_NAME, '-t', 'C,,', '-i', ca.caCertFile]);
}
