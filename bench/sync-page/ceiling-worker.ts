// One thread of the verify ceiling: on 'prepare' signs `count` messages, on 'go' verifies them
// all in flight at once and reports back, so every worker's verifies overlap in time.
import { prepareVerifies } from './ceiling';

let run: (() => Promise<unknown>) | null = null;

addEventListener(
  'message',
  (event: MessageEvent<{ t: 'prepare'; count: number; messageBytes: number } | { t: 'go' }>) => {
    const message = event.data;
    if (message.t === 'prepare') {
      void prepareVerifies(message.count, message.messageBytes).then((verify) => {
        run = verify;
        postMessage('ready');
      });
    } else {
      void run?.().then(() => postMessage('done'));
    }
  },
);
