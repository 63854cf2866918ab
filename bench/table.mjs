// Turns the rounds' results into a markdown table (median, min-max, ratio to
// the raw socket) and a list of the targets of issue 7, met or missed.

const metrics = [
  { workload: 'sequential', field: 'perSecond', label: 'sequential `add(5, 10)`, one core, calls/s' },
  { workload: 'sequential', field: 'p50us', label: 'sequential, one core, p50 latency (µs)' },
  { workload: 'sequential', field: 'p99us', label: 'sequential, one core, p99 latency (µs)' },
  { workload: 'sequential2', field: 'perSecond', label: 'sequential, two cores, calls/s' },
  { workload: 'sequential2', field: 'p50us', label: 'sequential, two cores, p50 latency (µs)' },
  { workload: 'concurrent', field: 'perSecond', label: '256 calls in flight, calls/s' },
  { workload: 'echo', field: 'perSecond', label: '1 MiB echo, round trips/s' },
  { workload: 'echo', field: 'mbPerSecond', label: '1 MiB echo, MB/s each way' },
  { workload: 'fanin', field: 'perSecond', label: '64 connections x 16 in flight, calls/s' },
  { workload: 'memory', field: 'kibPerConnection', label: 'server RSS per idle connection (KiB)' },
];

/** Median, min and max of `field` over the rounds of `workload` for `key`; undefined when not run. */
export function summary(results, workload, key, field) {
  const values = results[workload]?.[key]?.map((result) => result[field]);
  if (values === undefined || values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1] };
}

export function fmt(value) {
  const size = Math.abs(value);
  if (size >= 100_000) return `${(value / 1000).toFixed(0)}k`;
  if (size >= 10_000) return `${(value / 1000).toFixed(1)}k`;
  if (size >= 100) return value.toFixed(0);
  if (size >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

const names = { raw: 'raw socket', cbor: 'cbor-rpc, CBOR', json: 'cbor-rpc, JSON', vscode: 'vscode-jsonrpc' };

/** Prints the table and the targets to stdout. */
export function printTable({ results, systemKeys, rounds, timing, idleCount, machine, pinned, seconds }) {
  const lines = [];
  lines.push(`| | ${systemKeys.map((key) => names[key] ?? key).join(' | ')} |`);
  lines.push(`|---|${systemKeys.map(() => '---:').join('|')}|`);
  for (const metric of metrics) {
    if (results[metric.workload] === undefined) continue;
    const raw = summary(results, metric.workload, 'raw', metric.field);
    const cells = systemKeys.map((key) => {
      const s = summary(results, metric.workload, key, metric.field);
      if (s === undefined) return '';
      const ratio = raw !== undefined && key !== 'raw' && raw.median > 0 ? ` **${(s.median / raw.median).toFixed(2)}x**` : '';
      return `${fmt(s.median)} (${fmt(s.min)}-${fmt(s.max)})${ratio}`;
    });
    lines.push(`| ${metric.label} | ${cells.join(' | ')} |`);
  }
  lines.push('');
  lines.push(
    `Median of ${rounds} interleaved rounds (min-max); ratios are to the raw socket. ` +
      `${timing.warmupMs} ms warm-up + ${timing.durationMs} ms per figure; ` +
      (pinned ? 'client on CPU 0 and server on CPU 1, both on CPU 1 for "one core"; ' : 'processes not pinned to CPUs; ') +
      `memory: RSS after GC of a fresh server, ` +
      `before and after ${idleCount} idle connections (each used for one call). ${machine}. Run took ${seconds.toFixed(0)} s.`,
  );
  lines.push('');
  lines.push(...targets(results));
  process.stdout.write(`${lines.join('\n')}\n`);
}

function targets(results) {
  const ratio = (workload, field, a, b) => {
    const x = summary(results, workload, a, field);
    const y = summary(results, workload, b, field);
    return x === undefined || y === undefined ? undefined : x.median / y.median;
  };
  // The targets are those of the binary configuration; JSON is held to the
  // same lines for comparison, though no JSON RPC can echo bytes near the raw
  // socket: they travel as base64 text, encoded, checked and parsed as text.
  const headings = {
    cbor: 'Targets of issue 7, for CBOR (ratios of medians):',
    json: 'JSON against the same lines, for comparison (bytes travel as base64 text):',
  };
  const out = [];
  for (const key of ['cbor', 'json']) {
    const name = names[key];
    const lines = [];
    const check = (label, value, goal, atMost = false) => {
      if (value === undefined) return;
      const met = atMost ? value <= goal : value >= goal;
      lines.push(`- ${met ? 'met' : 'MISSED'}: ${name} ${label}: ${value.toFixed(2)} (target ${atMost ? '<=' : '>='} ${goal})`);
    };
    check('sequential / raw', ratio('sequential', 'perSecond', key, 'raw'), 0.9);
    check('concurrent / raw', ratio('concurrent', 'perSecond', key, 'raw'), 1.0);
    check('concurrent / vscode-jsonrpc', ratio('concurrent', 'perSecond', key, 'vscode'), 3);
    check('1 MiB echo / raw', ratio('echo', 'perSecond', key, 'raw'), 0.5);
    check('1 MiB echo / vscode-jsonrpc', ratio('echo', 'perSecond', key, 'vscode'), 10);
    check('KiB per idle connection', summary(results, 'memory', key, 'kibPerConnection')?.median, 16, true);
    if (lines.length > 0) out.push(headings[key], ...lines);
  }
  return out;
}
