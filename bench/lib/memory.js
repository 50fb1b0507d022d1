'use strict';

const {readdirSync, readFileSync, readlinkSync} = require('node:fs');

/*
 * Peak resident memory of a Jest run, read from /proc while it runs: VmHWM ("high water mark") of the jest process
 * and of each of its children that runs the same executable (the workers; their thread name is not a guide: Node 24
 * calls it `MainThread`). VmHWM only grows, so the last reading of a process is its peak
 * up to that moment; sampling every 50 ms misses at most the last 50 ms of a worker's life.
 */

const INTERVAL_MS = 50;

function readKb(pid, field) {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

function executable(pid) {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return undefined;
  }
}

function nodeChildren(pid) {
  const children = [];
  const node = executable(pid);
  let tasks = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return children;
  }
  for (const task of tasks) {
    let text = '';
    try {
      text = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8');
    } catch {
      continue;
    }
    for (const child of text.split(' ').filter(Boolean)) {
      if (node !== undefined && executable(child) === node) children.push(Number(child));
    }
  }
  return children;
}

/** Starts sampling `pid`; `stop()` returns {main, workers: [...]} peaks in MB (workers: one per child process). */
function sampleMemory(pid) {
  const peaks = new Map();
  const sample = () => {
    for (const each of [pid, ...nodeChildren(pid)]) {
      const hwm = readKb(each, 'VmHWM');
      if (hwm !== undefined) peaks.set(each, Math.max(peaks.get(each) ?? 0, hwm));
    }
  };
  sample();
  const timer = setInterval(sample, INTERVAL_MS);
  return {
    sample,
    stop() {
      clearInterval(timer);
      const mb = kb => Math.round((kb / 1024) * 10) / 10;
      const workers = [...peaks].filter(([each]) => each !== pid).map(([, kb]) => mb(kb));
      return {main: mb(peaks.get(pid) ?? 0), workers};
    },
  };
}

module.exports = {sampleMemory};
