// Shared by the Node measurements: arguments and the result line read by benches/run.
export function args(argv) {
  const out = {};
  for (let i = 0; i + 1 < argv.length; i += 2) out[argv[i].replace(/^--/, '')] = argv[i + 1];
  return out;
}

// Wall-clock and CPU time since it was made.
export function stopwatch() {
  return { wall: process.hrtime.bigint(), cpu: process.cpuUsage() };
}

// The result line: items, wall and CPU seconds since `clock`, peak RSS (maxRSS is in KiB).
export function report(items, clock, extra = {}) {
  const seconds = Number(process.hrtime.bigint() - clock.wall) / 1e9;
  const cpu = process.cpuUsage(clock.cpu);
  const cpu_seconds = (cpu.user + cpu.system) / 1e6;
  const rss_mib = process.resourceUsage().maxRSS / 1024;
  console.log(JSON.stringify({ items, seconds, cpu_seconds, rss_mib, ...extra }));
}

export function skip(reason) {
  console.log(JSON.stringify({ skip: reason }));
  process.exit(0);
}
