const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** `1.5 GiB`, `320 KiB`, `12 B`: binary units, three significant digits. */
export function formatBytes(sizeInBytes: number): string {
  let value = sizeInBytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0
    ? `${value} B`
    : `${value >= 100 ? value.toFixed(0) : value.toPrecision(3)} ${units[unit]}`;
}
