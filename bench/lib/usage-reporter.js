'use strict';

const {writeFileSync} = require('node:fs');

/*
 * A Jest reporter listed after this package's: when the run completes (after the package's reporter has waited for
 * the services' spans, stored them and written the report), it writes the CPU time and peak RSS of Jest's main
 * process so far to BENCH_USAGE_FILE.
 */
class UsageReporter {
  onRunComplete() {
    const {user, system} = process.cpuUsage();
    writeFileSync(process.env.BENCH_USAGE_FILE, JSON.stringify({cpuMs: (user + system) / 1000, maxRssMb: process.resourceUsage().maxRSS / 1024}));
  }
}

module.exports = UsageReporter;
