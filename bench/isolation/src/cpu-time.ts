import { readFileSync } from 'node:fs';

const clockTicksPerSecond = 100; // USER_HZ, 100 on Linux x86-64 and arm64

/**
 * CPU seconds (user + system) used so far by this process and by its children that have exited
 * and been reaped, with their own reaped children (Linux: utime, stime, cutime, cstime of
 * /proc/self/stat). Model processes count once their `close` has waited for their exit. NaN where
 * /proc is not there.
 */
export function cpuSecondsWithChildren(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // Fields after the command name (which may contain spaces) start at field 3 (state).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = [11, 12, 13, 14].reduce((sum, index) => sum + Number(fields[index]), 0);
    return ticks / clockTicksPerSecond;
  } catch {
    return Number.NaN;
  }
}
