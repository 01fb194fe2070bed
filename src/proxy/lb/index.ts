// Load balancing (re-exports only).
export * from "./create-load-balancer.js";
export * from "./host-set.js";
export * from "./least-request.js";
export * from "./load-balancer.js";
export * from "./random.js";
export * from "./round-robin.js";
