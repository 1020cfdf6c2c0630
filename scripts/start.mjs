// `npm start`: build the app (vite build), then serve build/ and run the signaling relay
// (src/server/start.ts, TypeScript run through tsx). Prints the app URL.
// HOST / PORT / RELAY_PORT / RELAY_LISTEN / RELAY_ANNOUNCE: see src/server/start.ts.
// SKIP_BUILD=1 serves the existing build/.
import { spawn, spawnSync } from 'node:child_process';

if (process.env.SKIP_BUILD !== '1') {
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
