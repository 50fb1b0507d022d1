'use strict';

const {readFileSync} = require('node:fs');
const {dirname, join} = require('node:path');

/*
 * Reading a V8 .cpuprofile (what `node --cpu-prof` writes): self and total time per function, and time per "area"
 * (which package or part of Node the code belongs to). Time is number of samples × sampling interval: time on the
 * profiled thread, with `(idle)` for waiting.
 */

/** Which part of the world a script URL belongs to, for grouping. */
function areaOf(url, ownBuild) {
  if (!url) return '(native / V8)';
  const path = url.replace(/^file:\/\//, '');
  if (path.startsWith(ownBuild)) return 'jest-environment-otel (build/)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (pkg) {
    if (pkg[1].startsWith('@opentelemetry/')) return pkg[1];
    if (pkg[1].startsWith('@jest/') || pkg[1].startsWith('jest') || pkg[1] === 'babel-jest') return 'jest';
    if (pkg[1].startsWith('@babel/') || pkg[1].startsWith('babel-')) return 'babel';
    if (pkg[1] === 'protobufjs' || pkg[1].startsWith('@protobufjs/')) return 'protobufjs';
    if (pkg[1] === 'require-in-the-middle' || pkg[1] === 'import-in-the-middle' || pkg[1] === 'shimmer') return 'require-in-the-middle / shimmer';
    return 'other node_modules';
  }
  if (path.startsWith('node:') || !path.startsWith('/')) return 'node internals';
  if (path.includes('/__tests__/')) return 'test files';
  return 'other';
}

const BUNDLE = /\/build\/package\.js$/;
const MODULE_MARKER = /^\/\/ ((?:node_modules|build|src)\/\S+)$/;
const markersByBundle = new Map();

/**
 * The package's single-file build (scripts/bundle.js) holds its own modules and the OpenTelemetry packages in one
 * file, where esbuild starts each module with a `// <path>` comment. A frame in it is given the URL of the module its
 * line falls in, so that time is grouped by package as it would be for separate files. The package's own modules are
 * bundled from src/*.ts; their frames get the URL of the compiled build/*.js, which is what "the package" means here.
 */
function moduleUrl(url, line) {
  const path = url.replace(/^file:\/\//, '');
  let markers = markersByBundle.get(path);
  if (!markers) {
    markers = [];
    try {
      readFileSync(path, 'utf8').split('\n').forEach((text, index) => {
        const marker = MODULE_MARKER.exec(text);
        if (marker) markers.push([index, marker[1].replace(/^src\/(.*)\.ts$/, 'build/$1.js')]);
      });
    } catch {
      // The bundle is gone: keep the bundle's own URL.
    }
    markersByBundle.set(path, markers);
  }
  let found;
  for (const [index, module] of markers) {
    if (index > line) break;
    found = module;
  }
  return found ? `file://${join(dirname(dirname(path)), found)}` : url;
}

function loadProfile(file) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  for (const node of profile.nodes) {
    const frame = node.callFrame;
    if (BUNDLE.test(frame.url ?? '')) frame.url = moduleUrl(frame.url, frame.lineNumber);
  }
  const byId = new Map(profile.nodes.map(node => [node.id, node]));
  const parentOf = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  // Every sample counts for the sampling interval (the median gap between samples). The gap that follows a sample is
  // not used: on a busy machine a descheduled process leaves gaps of tens of ms that would all be charged to
  // whatever function happened to be sampled last.
  const gaps = profile.timeDeltas.slice(1).sort((a, b) => a - b);
  const intervalUs = gaps[Math.floor(gaps.length / 2)] ?? 1000;
  const selfUs = new Map();
  for (const id of profile.samples) selfUs.set(id, (selfUs.get(id) ?? 0) + intervalUs);
  return {profile, byId, parentOf, selfUs, intervalUs, totalUs: profile.endTime - profile.startTime};
}

/** Walks up from node `id`: the stack, innermost first. */
function stackOf({byId, parentOf}, id) {
  const frames = [];
  for (let current = id; current !== undefined; current = parentOf.get(current)) frames.push(byId.get(current));
  return frames;
}

/** Self time grouped by area, in ms, largest first. */
function selfByArea(loaded, ownBuild) {
  const areas = new Map();
  for (const [id, us] of loaded.selfUs) {
    const node = loaded.byId.get(id);
    const name = node.callFrame.functionName;
    const area = name === '(idle)' ? '(idle)' : name === '(garbage collector)' ? '(garbage collector)' : name === '(program)' ? '(program)' : areaOf(node.callFrame.url, ownBuild);
    areas.set(area, (areas.get(area) ?? 0) + us);
  }
  return [...areas].map(([area, us]) => ({area, ms: us / 1000})).sort((a, b) => b.ms - a.ms);
}

function shortUrl(url) {
  const path = (url ?? '').replace(/^file:\/\//, '');
  const index = path.lastIndexOf('node_modules/');
  if (index !== -1) return path.slice(index + 'node_modules/'.length);
  const build = path.indexOf('/build/');
  return build !== -1 ? path.slice(build + 1) : path.split('/').slice(-2).join('/');
}

module.exports = {loadProfile, selfByArea, stackOf, shortUrl};
