/** One sample of a Prometheus text exposition. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const metricName = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const labelPair = `[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"`;
const sampleLine = new RegExp(
  `^(${metricName})(?:\\{((?:${labelPair})(?:,${labelPair})*)?,?\\})? (\\S+)(?: -?\\d+)?$`,
);
const helpLine = new RegExp(`^# HELP (${metricName}) .*$`);
const typeLine = new RegExp(`^# TYPE (${metricName}) (counter|gauge|histogram|summary|untyped)$`);

/**
 * A strict reader of the text format (version 0.0.4): every line must be a HELP, TYPE or sample
 * line, every sample must belong to a declared family, every value must be a number.
 * @throws Error naming the first bad line
 */
export function parsePrometheusText(text: string): Sample[] {
  const families = new Map<string, string>();
  const samples: Sample[] = [];
  for (const [index, line] of text.split('\n').entries()) {
    if (line === '') continue;
    const bad = (why: string) => new Error(`line ${index + 1} ${why}: ${line}`);
    if (line.startsWith('#')) {
      const type = typeLine.exec(line);
      if (type) families.set(type[1]!, type[2]!);
      else if (!helpLine.test(line)) throw bad('is not a HELP or TYPE line');
      continue;
    }
    const match = sampleLine.exec(line);
    if (!match) throw bad('is not a sample');
    const [, name, labelText, valueText] = match;
    const family = [...families.keys()].find(
      (family) =>
        name === family ||
        (families.get(family) === 'histogram' &&
          [`${family}_bucket`, `${family}_sum`, `${family}_count`].includes(name!)),
    );
    if (!family) throw bad('has no TYPE');
    // Values are Go ParseFloat numbers: NaN and Inf in any case (prom-client writes `Nan`).
    const special: Record<string, number> = {
      nan: Number.NaN,
      '+inf': Infinity,
      '-inf': -Infinity,
    };
    const value = special[valueText!.toLowerCase()] ?? Number(valueText);
    if (Number.isNaN(value) && valueText!.toLowerCase() !== 'nan')
      throw bad('has no numeric value');
    const labels: Record<string, string> = {};
    for (const pair of (labelText ?? '').matchAll(
      /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g,
    )) {
      labels[pair[1]!] = pair[2]!;
    }
    samples.push({ name: name!, labels, value });
  }
  return samples;
}

/** The value of the sample with this name and (at least) these labels, or undefined. */
export function sampleValue(
  samples: readonly Sample[],
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  return samples.find(
    (sample) =>
      sample.name === name &&
      Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  )?.value;
}
