/*
 * Starts the example's services as processes of their own, as a project's global setup would, and stops them by
 * their process ids (ChildProcess.kill). The traced ones (the shop and its inventory) load tracing.js first and send their spans to the
 * run's receiver, whose address the reporter's global setup put in JEST_OTEL_RECEIVER_ENDPOINT.
 */
const {spawn} = require('node:child_process');
const {once} = require('node:events');
const {join} = require('node:path');

const TRACING = join(__dirname, 'tracing.js');
const STOP_WAIT_MS = 3000;

/** Starts the trends API, the inventory and the shop; resolves with the shop's URL and a stop() for all three. */
async function startServices() {
  const started = [];
  const stop = async () => {
    // The caller first, so nothing calls a service that is gone; each after the one before it has exited.
    for (const service of started.reverse()) await service.stop();
  };
  try {
    const receiver = process.env.JEST_OTEL_RECEIVER_ENDPOINT;
    const tracing = receiver
      ? {OTEL_EXPORTER_OTLP_ENDPOINT: receiver, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: process.env.JEST_OTEL_RECEIVER_TRACES_ENDPOINT, OTEL_BSP_SCHEDULE_DELAY: '100'}
      : {OTEL_SDK_DISABLED: 'true'};
    const trends = await start('trends-api.js', {});
    started.push(trends);
    const inventory = await start('inventory.js', {...tracing, OTEL_SERVICE_NAME: 'inventory'}, true);
    started.push(inventory);
    const shop = await start('shop-api.js', {...tracing, OTEL_SERVICE_NAME: 'shop-api', INVENTORY_URL: inventory.url, TRENDS_URL: trends.url}, true);
    started.push(shop);
    return {url: shop.url, pids: started.map(service => service.pid), stop};
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Spawns one service and waits for the URL it prints. */
async function start(script, env, traced = false) {
  const args = traced ? ['--require', TRACING, join(__dirname, script)] : [join(__dirname, script)];
  const child = spawn(process.execPath, args, {env: {...process.env, ...env}, stdio: ['pipe', 'pipe', 'inherit']});
  const url = await new Promise((resolve, reject) => {
    let output = '';
    child.stdout.on('data', chunk => {
      output += chunk;
      if (output.includes('\n')) resolve(output.split('\n')[0].trim());
    });
    child.once('error', reject);
    child.once('exit', code => reject(new Error(`${script} exited (code ${code}) before it listened`)));
  });
  // Running services must not keep Jest's process alive: should the teardown never come (an interrupted run), they
  // see their stdin close when Jest's process ends, and stop.
  child.unref();
  child.stdin.unref();
  child.stdout.unref();
  return {
    url,
    pid: child.pid,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.ref();
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_WAIT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

module.exports = {startServices};
