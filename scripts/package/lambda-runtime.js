#!/usr/bin/env node
// A stand-in for the AWS Lambda Node.js runtime, in a process of its own as
// an execution environment is: loads one handler from an unpacked zip
// (`<dir>/index.js`, export `<handler>`) and invokes it with each event its
// parent sends over IPC, one at a time, as Lambda does. Started by
// startLambdaFunction (@chirp/testing) for the zips' tests and the bench.
//
//   parent → { id, event }                      child → { id, ok, result | error, ms }
//   child → { ready: true, loadMs } once the module has loaded (its init phase)

import { pathToFileURL } from 'node:url';
import path from 'node:path';

const [dir, exportName] = process.argv.slice(2);
if (!dir || !exportName) {
  console.error('usage: lambda-runtime.js <unpacked zip dir> <handler export>');
  process.exit(2);
}

const started = performance.now();
const module = await import(pathToFileURL(path.join(dir, 'index.js')).href);
const handler = module[exportName];
if (typeof handler !== 'function') {
  console.error(`${dir}/index.js exports no function ${exportName}`);
  process.exit(2);
}
process.send({ ready: true, loadMs: performance.now() - started });

let invocation = 0;
/** What a handler gets as its context: the fields Chirp's handlers and the Apollo integration read. */
const context = () => ({
  functionName: path.basename(dir),
  functionVersion: '$LATEST',
  awsRequestId: `local-${process.pid}-${++invocation}`,
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 30_000,
});

// One invocation at a time: an execution environment never runs two.
let queue = Promise.resolve();
process.on('message', ({ id, event }) => {
  queue = queue.then(async () => {
    const begun = performance.now();
    try {
      const result = await handler(event, context());
      process.send({ id, ok: true, result, ms: performance.now() - begun });
    } catch (error) {
      process.send({ id, ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error), ms: performance.now() - begun });
    }
  });
});
process.on('disconnect', () => process.exit(0));
