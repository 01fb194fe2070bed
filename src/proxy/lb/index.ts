// Load balancing (re-exports only).
export * from "./consistent-hash-key.js";
export * from "./create-load-balancer.js";
export * from "./edf-scheduler.js";
export * from "./hash.js";
export * from "./host.js";
export * from "./host-set.js";
export * from "./least-request.js";
export * from "./load-balancer.js";
export * from "./locality.js";
export * from "./maglev.js";
export * from "./passthrough.js";
export * from "./priority-load.js";
export * from "./random.js";
export * from "./ring-hash.js";
export * from "./round-robin.js";
export * from "./slow-start.js";
