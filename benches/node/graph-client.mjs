// @microsoft/microsoft-graph-client 3.0.7 listing the same devices, pointed at the simulator.
// Pages are followed manually through @odata.nextLink (what PageIterator does).
// Usage: graph-client.mjs PEERS_DIR --base URL --token T --token-id ID
import { createRequire } from 'node:module';
import path from 'node:path';
import { args, report, stopwatch } from './common.mjs';

const peers = process.argv[2];
const a = args(process.argv.slice(3));
const require = createRequire(path.join(path.resolve(peers), 'package.json'));
const {
  Client, RetryHandler, RetryHandlerOptions, RedirectHandler, RedirectHandlerOptions,
  TelemetryHandler, HTTPMessageHandler,
} = require('@microsoft/microsoft-graph-client');

// The SDK's AuthenticationHandler gives the token only to https Graph hosts (and strips the
// header elsewhere); the simulator is plain http on loopback. So the chain is the SDK's default
// one (auth, retry, redirect, telemetry, fetch) with a static-token handler in the auth slot.
class StaticAuth {
  execute(context) {
    context.options.headers = { ...(context.options.headers ?? {}), Authorization: `Bearer ${a.token}` };
    return this.next.execute(context);
  }
  setNext(next) { this.next = next; }
}
const chain = [
  new StaticAuth(),
  new RetryHandler(new RetryHandlerOptions()),
  new RedirectHandler(new RedirectHandlerOptions()),
  new TelemetryHandler(),
  new HTTPMessageHandler(),
];
for (let i = 0; i + 1 < chain.length; i += 1) chain[i].setNext(chain[i + 1]);
const client = Client.initWithMiddleware({
  middleware: chain[0],
  baseUrl: `${a.base}/`,
  defaultVersion: 'beta',
});
const root = `${a.base}/beta`;
const clock = stopwatch();
let items = 0;
let serialChars = 0;
let page = await client
  .api(`/deviceManagement/depOnboardingSettings/${a['token-id']}/importedAppleDeviceIdentities`)
  .get();
for (;;) {
  for (const device of page.value) {
    items += 1;
    serialChars += device.serialNumber.length;
  }
  const next = page['@odata.nextLink'];
  if (!next) break;
  // The SDK parses only https:// absolute URLs; the simulator's links are http://, so the
  // link is passed relative to the version root (same request on the wire).
  page = await client.api(next.startsWith(root) ? next.slice(root.length) : next).get();
}
report(items, clock, { serial_chars: serialChars });
