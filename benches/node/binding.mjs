// The project's Node binding listing the devices with `for await`.
// Usage: binding.mjs --base URL --token T --token-id ID
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { args, report, stopwatch, skip } from './common.mjs';

const a = args(process.argv.slice(2));
const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', '..', 'bindings-node', 'package.json'));
let binding;
try {
  binding = require('./index.js');
} catch (e) {
  skip(`binding not built: ${String(e.message).split(/[.\n]/)[0]}`);
}
const client = new binding.Client({ baseUrl: a.base, accessToken: a.token });
if (typeof client.importedDevices !== 'function') skip('API missing: Client.importedDevices');

const clock = stopwatch();
let items = 0;
let serialChars = 0;
try {
  for await (const device of client.importedDevices(a['token-id'])) {
    items += 1;
    serialChars += device.serialNumber.length;
  }
} catch (e) {
  if (e instanceof TypeError) skip(`API missing or changed: ${e.message}`);
  throw e;
}
report(items, clock, { serial_chars: serialChars });
