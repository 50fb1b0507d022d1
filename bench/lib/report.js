'use strict';

/*
 * The results as Markdown: the tables BENCHMARKS.md quotes. Ratios are always against plain jest-environment-node
 * measured in the same run.
 */

const TARGETS = {ratio: 1.03, downMinusUpMs: 1000, deltaPeakMb: 30};

const s = ms => (ms / 1000).toFixed(2);
const fixed = (value, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const signed = (value, digits = 1) => (Number.isFinite(value) ? `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(digits)}` : 'n/a');
const ratio = value => (Number.isFinite(value) ? value.toFixed(3) : 'n/a');
const range = values => (values?.length ? `${Math.min(...values).toFixed(3)}–${Math.max(...values).toFixed(3)}` : '');
const verdict = ok => (ok ? '**met**' : '**not met**');

function table(header, rows) {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map(row => `| ${row.join(' | ')} |`)].join('\n');
}

/** Spans a traced run makes: one per file, and per test its own, its beforeEach and one per HTTP call. */
function expectedSpans(suite) {
  return suite.files + suite.totalTests * (2 + suite.calls);
}

function spansOf(summary, config) {
  if (config.name === 'uninstrumented') return expectedSpans({...summary.suite, calls: 0});
  return summary.configs.store?.stored?.spans || expectedSpans(summary.suite);
}

const plural = (count, noun) => `${count} ${noun}${count === 1 ? '' : 's'}`;
const rounds = count => plural(count, 'round');
const workersOf = summary => (summary.args.length > 0 ? `\`${summary.args.join(' ')}\`` : "Jest's default workers");

function suiteSection(summary) {
  const {configs, suite} = summary;
  const rows = Object.values(configs).map(config => [
    `${config.key} · ${config.label}`,
    s(config.medianMs),
    config.medianRatio === undefined ? '1 (reference)' : `**${ratio(config.medianRatio)}** (${range(config.ratios)})`,
    config.medianDeltaMs === undefined ? '' : signed(config.medianDeltaMs, 0),
    config.medianDeltaMs === undefined ? '' : fixed((config.medianDeltaMs * 1000) / suite.totalTests, 0),
    config.medianDeltaMs === undefined ? '' : fixed((config.medianDeltaMs * 1000) / spansOf(summary, config), 0),
    s(config.medianCpuMs),
    config.medianCpuRatio === undefined ? '1 (reference)' : `${ratio(config.medianCpuRatio)} (${range(config.cpuRatios)})`,
    fixed(config.workerPeakMb),
    config.deltaPeakMb === undefined ? '' : signed(config.deltaPeakMb),
  ]);
  const lines = [
    `**${plural(suite.files, 'file')} × ${plural(suite.tests, 'test')} × ${plural(suite.calls, 'HTTP call')}, ${workersOf(summary)}** — ${rounds(summary.pairs)} after a warm-up; ` +
      `worker processes: ${configs.plain.workers || 'none (in band: the jest process runs the tests)'}.`,
    '',
    table(
      ['configuration', 'median wall (s)', 'median wall ratio vs a (range)', 'Δ wall vs a (ms)', 'Δ per test (µs)', 'Δ per span (µs)', 'median CPU (s)', 'median CPU ratio vs a (range)', 'worker peak RSS (MB)', 'Δ RSS vs a (MB)'],
      rows,
    ),
    '',
  ];
  if (summary.medianDownMinusUpMs !== undefined) {
    lines.push(`Collector down − collector up (d − b), median of rounds: **${signed(summary.medianDownMinusUpMs, 0)} ms** (rounds: ${summary.downMinusUpMs.map(ms => signed(ms, 0)).join(', ')}).`);
  }
  if (configs.store?.stored) lines.push(`Spans per run (counted in the store): ${configs.store.stored.spans} (${fixed(configs.store.stored.spans / suite.totalTests, 2)} per test), store size ${fixed(configs.store.stored.bytes / 1024 / 1024)} MB.`);
  if (configs.otlp?.received) lines.push(`OTLP receiver, one run: ${configs.otlp.received.requests} requests, ${fixed(configs.otlp.received.bytes / 1024)} KiB of protobuf.`);
  const warnings = Object.values(configs).flatMap(config => config.warnings.map(line => `${config.key}: ${line}`));
  if (warnings.length > 0) lines.push('', 'Environment warnings seen:', '', ...warnings.map(line => `    ${line}`));
  return lines.join('\n');
}

function targetsSection(results) {
  const rows = [];
  for (const summary of results.suite ?? []) {
    const where = `default suite, ${workersOf(summary)}`;
    for (const name of ['otlp', 'store']) {
      const config = summary.configs[name];
      if (config) rows.push([`median wall ratio ≤ ${TARGETS.ratio} (${config.key}, ${where})`, `${ratio(config.medianRatio)} (CPU ${ratio(config.medianCpuRatio)})`, verdict(config.medianRatio <= TARGETS.ratio)]);
    }
    if (summary.medianDownMinusUpMs !== undefined) {
      rows.push([`collector down ≤ 1 s slower than up (d − b, ${where})`, `${signed(summary.medianDownMinusUpMs, 0)} ms`, verdict(summary.medianDownMinusUpMs <= TARGETS.downMinusUpMs)]);
    }
    const worst = Math.max(...['otlp', 'store', 'down'].map(name => summary.configs[name]?.deltaPeakMb ?? -Infinity));
    rows.push([`worker memory ≤ +${TARGETS.deltaPeakMb} MB (worst of b, c, d, ${where})`, `${signed(worst)} MB`, verdict(worst <= TARGETS.deltaPeakMb)]);
  }
  if (results.big) {
    const config = results.big.configs.otlp;
    rows.push([`one ${results.big.suite.tests}-test file keeps the ratio (≤ ${TARGETS.ratio}, b)`, `${ratio(config.medianRatio)} (CPU ${ratio(config.medianCpuRatio)})`, verdict(config.medianRatio <= TARGETS.ratio)]);
  }
  return table(['target', 'measured', 'verdict'], rows);
}

function scalingSection(scaling) {
  const rows = scaling.map(summary => {
    const {plain, otlp} = summary.configs;
    const spans = expectedSpans(summary.suite);
    return [
      summary.suite.tests,
      summary.suite.calls,
      summary.suite.totalTests,
      spans,
      s(plain.medianMs),
      s(otlp.medianMs),
      `${ratio(otlp.medianRatio)} (${range(otlp.ratios)})`,
      fixed((otlp.medianDeltaMs * 1000) / summary.suite.totalTests, 0),
      fixed((otlp.medianDeltaMs * 1000) / spans, 0),
      `${ratio(otlp.medianCpuRatio)} (${range(otlp.cpuRatios)})`,
      fixed(((otlp.medianCpuMs - plain.medianCpuMs) * 1000) / summary.suite.totalTests, 0),
      signed(otlp.deltaPeakMb),
    ];
  });
  const files = scaling[0]?.suite.files;
  return [
    `${files} files, \`-w 1\`, a (plain) against b (OTLP to the receiver), ${rounds(scaling[0]?.pairs)} each.`,
    '',
    table(['tests per file', 'HTTP calls per test', 'tests', 'spans', 'a median (s)', 'b median (s)', 'median wall ratio b/a (range)', 'Δ wall per test (µs)', 'Δ wall per span (µs)', 'median CPU ratio b/a (range)', 'Δ CPU per test (µs)', 'Δ RSS (MB)'], rows),
  ].join('\n');
}

function heapSection({plain, otel}) {
  const rows = plain.map((sample, index) => [
    sample.tests,
    fixed(sample.heapUsedMb),
    fixed(otel[index]?.heapUsedMb),
    signed((otel[index]?.heapUsedMb ?? NaN) - sample.heapUsedMb),
  ]);
  return [
    'Heap still used after a forced garbage collection (in band, `node --expose-gc`), as the file runs — what is kept, unlike the peak RSS above, which also counts garbage not yet collected:',
    '',
    table(['tests done', 'plain (MB)', 'traced, OTLP (MB)', 'Δ (MB)'], rows),
  ].join('\n');
}

function microSection(micro) {
  const rows = Object.entries(micro.nsPerTest).map(([name, ns]) => [name, ns.toLocaleString('en-US')]);
  return [`${micro.tests.toLocaleString('en-US')} synthetic tests, best of ${micro.passes} passes.`, '', table(['case', 'ns per test'], rows)].join('\n');
}

function startupSection(startup) {
  const rows = startup.steps.map(step => [step.name, fixed(step.ms)]);
  rows.push(["**the environment's own, once per worker**", `**${fixed(startup.oursMs)}**`]);
  return [`Each step timed in order in a fresh process, median of ${startup.processes} processes.`, '', table(['step', 'ms'], rows)].join('\n');
}

function profileSection({profile, phases}) {
  const {plain, otel} = profile;
  const top = (list, count) => list.slice(0, count).map(row => [`\`${row.name}\``, fixed(row.ms)]);
  const areaRows = profile.areas.filter(row => Math.abs(row.deltaMs) >= 5).map(row => [row.area, fixed(row.plainMs, 0), fixed(row.otelMs, 0), signed(row.deltaMs, 0)]);
  const perFile = field => fixed((phases.otel[field] - phases.plain[field]) / phases.otel.files, 2);
  const row = (label, field, withDelta = true) => [
    label,
    fixed(phases.plain[field]),
    fixed(phases.otel[field]),
    withDelta ? perFile(field) : '',
    phases.released ? fixed(phases.released[field]) : '',
  ];
  const phaseRows = [
    row('constructor, first file of the worker', 'firstConstructorMs', false),
    row('constructor, all files', 'constructorMs'),
    row('setup', 'setupMs'),
    row('handleTestEvent (all events)', 'handleTestEventMs'),
    row('teardown (includes the flush)', 'teardownMs'),
  ];
  return [
    `In band, default suite, b (OTLP to the receiver) against a. CPU profile: busy (non-idle) time ${fixed(plain.busyMs, 0)} ms plain, ${fixed(otel.busyMs, 0)} ms traced ` +
      `(profile wall ${fixed(plain.wallMs, 0)} / ${fixed(otel.wallMs, 0)} ms).`,
    '',
    'Self time by area (ms; areas that moved by 5 ms or more):',
    '',
    table(['area', 'plain', 'traced', 'Δ'], areaRows),
    '',
    "The environment's own code and everything it calls (the SDK, the serializer, Jest's stack formatting…), not counting " +
      'the test bodies it wraps nor the jest-environment-node methods it calls with `super`: ' +
      `**${fixed(profile.own.totalMs, 0)} ms** of CPU.`,
    '',
    'By entry point (outermost own frame):',
    '',
    table(['entry point', 'ms'], top(profile.own.byEntry, 8)),
    '',
    'Inclusive, per own function:',
    '',
    table(['function', 'ms'], top(profile.own.inclusive, 16)),
    '',
    'By innermost own function (where the time leaves our code):',
    '',
    table(['function', 'ms'], top(profile.own.byFunction, 12)),
    '',
    `Lifecycle methods, summed over the worker (median of 3 runs, ${phases.otel.files} files, ${phases.otel.events} events):`,
    '',
    table(['method', 'plain (ms)', 'traced (ms)', 'Δ per file (ms)', 'plain, storages released (ms)'], phaseRows),
    '',
    'handleTestEvent of the traced run by circus event (events that took 1 ms or more in all):',
    '',
    table(
      ['event', 'traced (ms)', 'µs per test'],
      Object.entries(phases.otel.eventMs ?? {})
        .filter(([, ms]) => ms >= 1)
        .sort((a, b) => b[1] - a[1])
        .map(([event, ms]) => [event, fixed(ms), fixed((ms * 1000) / phases.otel.tests, 0)]),
    ),
  ].join('\n');
}

function instructionsSection(result) {
  if (result.skipped) return `Not measured: ${result.skipped}.`;
  const rows = result.rows.map(row => [`1 file × ${row.tests}`, row.label, fixed(row.instructions / 1e9, 3)]);
  const millions = value => fixed(value / 1e6, 2);
  return [
    'One file in band under `valgrind --tool=cachegrind --cache-sim=no` (the jest process, which runs the tests), after a run that filled Jest\'s cache.',
    '',
    table(['file', 'configuration', 'instructions (G)'], rows),
    '',
    `Ratio b/a on the ${result.tests}-test file: **${ratio(result.ratio)}**. Per test: plain Jest ${millions(result.plainPerTest)} M instructions, the tracing **${millions(result.tracingPerTest)} M** more; the tracing's fixed cost (loading, pipeline, one file): ${millions(result.tracingFixed)} M. The HTTP and fetch tracing (b − e on the ${result.tests}-test file, their loading included): ${millions(result.instrumentationsPerTest)} M per test of one call.`,
  ].join('\n');
}

function instructionsWorkersSection(result) {
  if (result.skipped) return `Not measured: ${result.skipped}.`;
  const giga = value => fixed(value / 1e9, 3);
  const millions = value => fixed(value / 1e6, 2);
  const rows = result.rows.map(row => [row.label, giga(row.total), giga(row.workers), String(row.processes)]);
  return [
    `${result.files} files × ${result.tests} tests with \`-w 2\` under valgrind, following every process jest starts; counted after a run that filled Jest's cache.`,
    '',
    table(['configuration', 'all processes (G)', 'the two workers (G)', 'processes'], rows),
    '',
    `Ratio b/a: **${ratio(result.ratio)}** (all processes), ${ratio(result.workersRatio)} (the workers). Per test, in the workers: plain Jest ${millions(result.plainPerTest)} M instructions, the tracing **${millions(result.tracingPerTest)} M** more, of which loading the package with tracing disabled (g − a) ${millions(result.loadedPerTest)} M and the HTTP and fetch tracing (b − e) ${millions(result.instrumentationsPerTest)} M.`,
    '',
    `The SDK's floor, loading left out: a test span and its hook span made through the OpenTelemetry SDK and exported, nothing else traced (i − h), ${millions(result.floorSpansPerTest)} M per test, which would be a ratio of **${ratio(1 + result.floorSpansPerTest / result.plainPerTest)}** by itself; the same spans dropped as they end (j − h), ${millions(result.floorUnexportedPerTest)} M, **${ratio(1 + result.floorUnexportedPerTest / result.plainPerTest)}**.`,
  ].join('\n');
}

function unitInstructionsSection(results) {
  if (results.skipped) return `Not measured: ${results.skipped}.`;
  return results
    .map(result => {
      const us = value => fixed(value / result.instructionsPerUs, 1);
      const millions = value => fixed(value / 1e6, 3);
      const spread = row => (row.counts?.length > 1 ? ` (${fixed(Math.min(...row.counts) / 1e9, 3)}–${fixed(Math.max(...row.counts) / 1e9, 3)})` : '');
      const rows = result.rows.map(row => [`${plural(row.files, 'file')} × ${plural(row.tests, 'test')}`, row.config, `${fixed(row.instructions / 1e9, 3)}${spread(row)}`, fixed(row.cpuMs, 0)]);
      return [
        `**${result.transform === 'ts' ? 'ts-jest' : 'babel-jest'}**, in band under \`valgrind --tool=cachegrind --cache-sim=no\`, after runs that filled Jest's cache; instructions turned into time at the plain ${result.tests}-test run's own rate outside valgrind (${fixed(result.instructionsPerUs / 1000, 2)} G/s).`,
        '',
        table(['suite', 'configuration', `instructions (G${result.rounds > 1 ? `, median of ${result.rounds} counts (range)` : ''})`, 'CPU outside valgrind (ms, median of 2)'], rows),
        '',
        table(
          ['added by the tracing', 'instructions (M)', 'time (µs)', 'target'],
          [
            ['per test', millions(result.addedPerTest), us(result.addedPerTest), `≤ 50 µs: ${verdict(result.addedPerTest / result.instructionsPerUs <= 50)}`],
            ['per test file (its tests apart)', millions(result.addedPerFile), us(result.addedPerFile), `≤ 2,000 µs: ${verdict(result.addedPerFile / result.instructionsPerUs <= 2000)}`],
            ['once (loading, the pipeline)', millions(result.addedOnce), us(result.addedOnce), ''],
          ],
        ),
        '',
        `Plain Jest per test: ${millions(result.plainPerTest)} M instructions. Ratio b/a on the ${result.tests}-test file: ${ratio(result.ratio)}.`,
      ].join('\n');
    })
    .join('\n\n');
}

function receiverSection(receiver) {
  const {quiet} = receiver.variants;
  const mb = bytes => fixed(bytes / 1024 / 1024);
  const rows = Object.values(receiver.variants).map(variant => [
    variant.label,
    s(variant.medianWallMs),
    variant.medianDeltaWallMs === undefined ? '' : signed(variant.medianDeltaWallMs / 1000, 2),
    s(variant.medianMainCpuMs),
    variant.medianDeltaMainCpuMs === undefined ? '' : signed(variant.medianDeltaMainCpuMs / 1000, 2),
    variant.medianDeltaMainCpuMs === undefined ? '' : fixed((variant.medianDeltaMainCpuMs * 1000) / variant.floodSpans, 0),
    fixed(variant.medianMainRssMb, 0),
    variant.medianDeltaMainRssMb === undefined ? '' : signed(variant.medianDeltaMainRssMb, 0),
    `${Math.min(...variant.sent)} / ${Math.min(...variant.accepted)} / ${Math.min(...variant.stored)}`,
    String(Math.max(...variant.droppedSaid)),
    mb(variant.medianReportBytes),
  ]);
  return [
    `**${receiver.suite.totalTests} tests (${receiver.suite.files} files × ${receiver.suite.tests}), \`${receiver.args.join(' ')}\`** (Jest's main process runs the reporter and the receiver, the workers run the tests) — ${rounds(receiver.pairs)} after a warm-up; Δ against the quiet run of the same round.`,
    '',
    table(
      ['the service under test', 'median wall (s)', 'Δ wall (s)', 'main process CPU (s)', 'Δ CPU (s)', 'Δ CPU per span (µs)', 'main peak RSS (MB)', 'Δ RSS (MB)', 'spans sent / accepted / stored (fewest)', 'dropped (said)', 'report.html (MB)'],
      rows,
    ),
  ].join('\n');
}

function renderReport(results) {
  const m = results.machine;
  const parts = [
    `## Results of ${results.startedAt}`,
    '',
    `Machine: ${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGb} GB, ${m.os}; Node ${m.node}; Jest ${results.jest?.version ?? m.jest}${results.jest?.bin ? ` (${results.jest.bin})` : ''}; jest-environment-otel ${m.package}; ` +
      `@opentelemetry/api ${m.otel.api}, sdk-trace ${m.otel.sdkTrace}, instrumentation-http ${m.otel.instrumentationHttp}, instrumentation-undici ${m.otel.instrumentationUndici}, otlp-transformer ${m.otel.otlpTransformer}. ` +
      `Flags: \`${JSON.stringify(results.options)}\`. Whole run: ${results.durationS} s. build/ fingerprint ${results.build.atStart}` +
      (results.build.atEnd === results.build.atStart ? ' (unchanged during the run).' : `, **rebuilt during the run** (now ${results.build.atEnd}): runs may have measured different code.`),
  ];
  if (results.suite) parts.push('', '### Targets', '', targetsSection(results), '', '### Default suite', '', results.suite.map(suiteSection).join('\n\n'));
  if (results.unit) parts.push('', '### Unit-test suite', '', results.unit.map(suiteSection).join('\n\n'));
  if (results.unitInstructions) parts.push('', '### Unit-test suite: instructions per test and per file (valgrind)', '', unitInstructionsSection(results.unitInstructions));
  if (results.ablation) parts.push('', '### Ablation: without the HTTP and fetch tracing; plain Jest with only the storage release', '', suiteSection(results.ablation));
  if (results.scaling) parts.push('', '### Scaling', '', scalingSection(results.scaling));
  if (results.big) parts.push('', `### One file of ${results.big.suite.tests} tests`, '', suiteSection(results.big));
  if (results.bigHeap) parts.push('', heapSection(results.bigHeap));
  if (results.micro) parts.push('', '### Micro-benchmark: SuiteRecorder per test', '', microSection(results.micro));
  if (results.startup) parts.push('', '### Once per worker: loading and building the pipeline', '', startupSection(results.startup));
  if (results.profile) parts.push('', '### Profile', '', profileSection(results.profile));
  if (results.receiver) parts.push('', '### A flood of spans to the receiver', '', receiverSection(results.receiver));
  if (results.instructions) parts.push('', '### Instructions (valgrind)', '', instructionsSection(results.instructions));
  if (results.instructionsWorkers) parts.push('', '### Instructions with two workers (valgrind)', '', instructionsWorkersSection(results.instructionsWorkers));
  return `${parts.join('\n')}\n`;
}

module.exports = {renderReport};
