// Shared by the Node measurements: arguments and the result line read by benches/run.
export function args(argv) {
  const out = {};
  for (let i = 0; i + 1 < argv.length; i += 2) out[argv[i].replace(/^--/, '')] = argv[i + 1];
  return out;
}

// Peak resident memory of this process (maxRSS is in KiB).
export function report(items, seconds, extra = {}) {
  const rss_mib = process.resourceUsage().maxRSS / 1024;
  console.log(JSON.stringify({ items, seconds, rss_mib, ...extra }));
}

export function skip(reason) {
  console.log(JSON.stringify({ skip: reason }));
  process.exit(0);
}
