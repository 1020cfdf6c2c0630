// `npm start`: build the app (vite build), then serve build/ and run the signaling relay
// (src/server/start.ts, TypeScript run through tsx). The app URL is the first line it prints.
// Environment (HOST, PORT, TLS_CERT_FILE + TLS_KEY_FILE for HTTPS and wss, TURN_URLS...): see
// src/server/config.ts. `--no-build` (what `npm run preview` runs) or SKIP_BUILD=1 serves the
// existing build/.
import { spawn, spawnSync } from 'node:child_process';

const skipBuild = process.argv.includes('--no-build') || process.env.SKIP_BUILD === '1';
if (!skipBuild) {
  // The build's own report (chunk list, adapter lines, hints) is for developers: `npm run
  // build` shows it. Here it is kept and printed only when the build fails.
  const build = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { encoding: 'utf8' });
  if (build.status !== 0) {
    process.stdout.write(build.stdout ?? '');
    process.stderr.write(build.stderr ?? '');
    console.error(`npm start: the build failed (exit ${build.status})`);
    process.exit(build.status ?? 1);
  }
}

const server = spawn(process.execPath, ['--import', 'tsx', 'src/server/start.ts'], {
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.kill(signal));
}
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
