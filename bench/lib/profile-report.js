'use strict';

const {join} = require('node:path');
const {loadProfile, selfByArea, shortUrl, stackOf} = require('./cpuprofile');

/*
 * What a CPU profile of a traced run says about the environment's own cost, next to a profile of the same suite on
 * plain jest-environment-node.
 */

const OWN_BUILD = join(__dirname, '..', '..', 'build') + '/';

const isOwn = frame => (frame.url ?? '').replace(/^file:\/\//, '').startsWith(OWN_BUILD);
// Wrappers that run other code: the one that runs a test or hook in its span's context (everything the test does is
// under it), and the one that recognises circus's AsyncLocalStorage (circus runs each test under it). What runs
// under them is not "the environment's cost" by itself.
const isPassThrough = frame => isOwn(frame) && ['wrapper', 'with', 'prototype.run'].includes(frame.functionName);
// Work of the test itself, or of the base class (jest-environment-node) that our methods call with `super`: not ours.
const isNotOurs = (frame, testDir) => (frame.url ?? '').includes(testDir) || (frame.url ?? '').includes('/node_modules/jest-environment-node/');
const isBusy = node => !['(idle)', '(program)'].includes(node.callFrame.functionName);

function busyMs(loaded) {
  let us = 0;
  for (const [id, time] of loaded.selfUs) if (isBusy(loaded.byId.get(id))) us += time;
  return us / 1000;
}

/**
 * Samples whose innermost own frame (not the context wrapper) is reached, walking up from the sampled function,
 * before any frame of a test file or of jest-environment-node; grouped by that innermost own function and by the
 * outermost own function of the same call chain (the entry point).
 */
function ownCost(loaded, testDir) {
  const inner = new Map();
  const entry = new Map();
  const inclusive = new Map();
  let total = 0;
  for (const [id, us] of loaded.selfUs) {
    const frames = stackOf(loaded, id).map(node => node.callFrame);
    let first = -1;
    for (let index = 0; index < frames.length; index += 1) {
      const frame = frames[index];
      if (isNotOurs(frame, testDir)) break;
      if (isOwn(frame) && !isPassThrough(frame)) {
        first = index;
        break;
      }
    }
    if (first === -1) continue;
    let outer = first;
    for (let index = first + 1; index < frames.length; index += 1) {
      const frame = frames[index];
      if (isPassThrough(frame) || isNotOurs(frame, testDir)) break;
      if (isOwn(frame)) outer = index;
    }
    total += us;
    const name = frame => `${frame.functionName || (frame.lineNumber === 0 ? '(module)' : `(anonymous :${frame.lineNumber + 1})`)} (${shortUrl(frame.url)})`;
    inner.set(name(frames[first]), (inner.get(name(frames[first])) ?? 0) + us);
    entry.set(name(frames[outer]), (entry.get(name(frames[outer])) ?? 0) + us);
    const seen = new Set();
    for (const frame of frames.slice(first, outer + 1)) {
      if (!isOwn(frame) || isPassThrough(frame) || seen.has(name(frame))) continue;
      seen.add(name(frame));
      inclusive.set(name(frame), (inclusive.get(name(frame)) ?? 0) + us);
    }
  }
  const sorted = map => [...map].map(([key, us]) => ({name: key, ms: us / 1000})).sort((a, b) => b.ms - a.ms);
  return {totalMs: total / 1000, byFunction: sorted(inner), byEntry: sorted(entry), inclusive: sorted(inclusive)};
}

function analyze({plainProfile, otelProfile, testDir}) {
  const plain = loadProfile(plainProfile);
  const otel = loadProfile(otelProfile);
  const plainAreas = new Map(selfByArea(plain, OWN_BUILD).map(row => [row.area, row.ms]));
  const otelAreas = selfByArea(otel, OWN_BUILD);
  const areas = [...new Set([...otelAreas.map(row => row.area), ...plainAreas.keys()])]
    .filter(area => area !== '(idle)')
    .map(area => {
      const traced = otelAreas.find(row => row.area === area)?.ms ?? 0;
      const untraced = plainAreas.get(area) ?? 0;
      return {area, plainMs: untraced, otelMs: traced, deltaMs: traced - untraced};
    })
    .sort((a, b) => b.deltaMs - a.deltaMs);
  return {
    plain: {wallMs: plain.totalUs / 1000, busyMs: busyMs(plain)},
    otel: {wallMs: otel.totalUs / 1000, busyMs: busyMs(otel)},
    areas,
    own: ownCost(otel, testDir),
  };
}

module.exports = {analyze};
