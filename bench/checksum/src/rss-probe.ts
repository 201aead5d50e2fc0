import { createHashPool } from '@model-loader/core';

// Child process of the benchmark: hashes one file in a fresh process and prints the growth of its
// resident set size (peak sampled every 10 ms, and the kernel's max RSS) over the RSS before.
const path = process.argv[2]!;
const pool = createHashPool({ threadCount: 1 });
const baseline = process.memoryUsage.rss();
let peak = baseline;
const timer = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage.rss());
}, 10);
const { sizeInBytes } = await pool.hash(path, 'sha256');
clearInterval(timer);
peak = Math.max(peak, process.memoryUsage.rss());
await pool.close();
const maxRssInBytes = process.resourceUsage().maxRSS * 1024;
process.stdout.write(
  `${JSON.stringify({ sizeInBytes, baseline, sampledGrowth: peak - baseline, maxRssGrowth: maxRssInBytes - baseline })}\n`,
);
