// `npm start`: build the app (vite build), then serve build/ and run the signaling relay
// (src/server/start.ts, TypeScript run through tsx). Prints the app URL.
// Environment (HOST, PORT, TLS_CERT_FILE + TLS_KEY_FILE for HTTPS and wss, TURN_URLS...): see
// src/server/config.ts. `--no-build` (what `npm run preview` runs) or SKIP_BUILD=1 serves the
// existing build/.
import { spawn, spawnSync } from 'node:child_process';

const skipBuild = process.argv.includes('--no-build') || process.env.SKIP_BUILD === '1';
if (!skipBuild) {
  const build = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const server = spawn(process.execPath, ['--import', 'tsx', 'src/server/start.ts'], {
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.kill(signal));
}
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
