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

const names = {
  raw: 'raw socket',
  cbor: 'cbor-rpc, CBOR',
  tls: 'cbor-rpc, CBOR over TLS',
  json: 'cbor-rpc, JSON',
  vscode: 'vscode-jsonrpc',
  'ws-raw': 'raw `ws`',
  'ws-cbor': 'cbor-rpc over WebSocket, CBOR',
  socketio: 'Socket.IO `emitWithAck`',
};

/** The tables: TCP systems against the raw socket, WebSocket ones against raw `ws`. */
const groups = [
  { baseline: 'raw', keys: ['raw', 'cbor', 'json', 'vscode'] },
  { baseline: 'ws-raw', keys: ['ws-raw', 'ws-cbor', 'socketio'] },
];

/** One markdown table of `keys`, ratios to `baseline`. */
function table(results, keys, baseline) {
  const lines = [];
  lines.push(`| | ${keys.map((key) => names[key] ?? key).join(' | ')} |`);
  lines.push(`|---|${keys.map(() => '---:').join('|')}|`);
  for (const metric of metrics) {
    if (results[metric.workload] === undefined) continue;
    const base = summary(results, metric.workload, baseline, metric.field);
    const cells = keys.map((key) => {
      const s = summary(results, metric.workload, key, metric.field);
      if (s === undefined) return '';
      const ratio = base !== undefined && key !== baseline && base.median > 0 ? ` **${(s.median / base.median).toFixed(2)}x**` : '';
      return `${fmt(s.median)} (${fmt(s.min)}-${fmt(s.max)})${ratio}`;
    });
    lines.push(`| ${metric.label} | ${cells.join(' | ')} |`);
  }
  lines.push('');
  return lines;
}

/** Prints the tables and the targets to stdout. */
export function printTable({ results, systemKeys, rounds, timing, idleCount, machine, pinned, seconds }) {
  const lines = [];
  for (const { baseline, keys } of groups) {
    const shown = keys.filter((key) => systemKeys.includes(key));
    if (shown.length > 0) lines.push(...table(results, shown, shown.includes(baseline) ? baseline : shown[0]));
  }
  lines.push(
    `Median of ${rounds} interleaved rounds (min-max); ratios are to the raw socket (TCP) or to raw \`ws\` (WebSocket). ` +
      `${timing.warmupMs} ms warm-up + ${timing.durationMs} ms per figure; ` +
      (pinned ? 'client on CPU 0 and server on CPU 1, both on CPU 1 for "one core"; ' : 'processes not pinned to CPUs; ') +
      `memory: RSS after GC of a fresh server, ` +
      `before and after ${idleCount} idle connections (each used for one call). ${machine}. Run took ${seconds.toFixed(0)} s.`,
  );
  lines.push('');
  lines.push(...targets(results));
  lines.push(...tlsCost(results));
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
  const ws = [];
  const check = (label, value, goal) => {
    if (value !== undefined) ws.push(`- ${value >= goal ? 'met' : 'MISSED'}: ${label}: ${value.toFixed(2)} (target >= ${goal})`);
  };
  check('WebSocket CBOR sequential / raw ws', ratio('sequential', 'perSecond', 'ws-cbor', 'ws-raw'), 0.85);
  check('WebSocket CBOR 256 in flight / Socket.IO', ratio('concurrent', 'perSecond', 'ws-cbor', 'socketio'), 2);
  check('WebSocket CBOR 1 MiB echo / raw ws', ratio('echo', 'perSecond', 'ws-cbor', 'ws-raw'), 0.5);
  if (ws.length > 0) out.push('Targets of issue 15, over WebSocket (ratios of medians):', ...ws);
  return out;
}

/** What TLS costs: each figure of cbor-rpc over TLS divided by the same over plain TCP. */
function tlsCost(results) {
  const lines = [];
  for (const metric of metrics) {
    const tls = summary(results, metric.workload, 'tls', metric.field);
    const plain = summary(results, metric.workload, 'cbor', metric.field);
    if (tls === undefined || plain === undefined || plain.median === 0) continue;
    lines.push(`- ${metric.label}: ${(tls.median / plain.median).toFixed(2)}x`);
  }
  return lines.length === 0 ? [] : ['', 'Cost of TLS, cbor-rpc CBOR over TLS / over plain TCP (ratios of medians):', ...lines];
}
