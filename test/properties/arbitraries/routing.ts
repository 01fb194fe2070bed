// Moved to src/arbitraries/ (shipped as the package subpath `meshsim/arbitraries`); the tests keep this path.
export * from "../../../src/arbitraries/routing.js";
