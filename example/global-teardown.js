// Stops the services the global setup started (by process id), after the reporter has stored their spans.
module.exports = () => globalThis.exampleServices?.stop();
