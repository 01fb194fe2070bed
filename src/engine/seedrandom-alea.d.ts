// seedrandom's Alea generator module on its own (what `seedrandom.alea` is: index.js does
// `sr.alea = require('./lib/alea')`), which @types/seedrandom does not declare.
// https://github.com/davidbau/seedrandom/blob/released/index.js
declare module "seedrandom/lib/alea.js" {
  import type seedrandom from "seedrandom";
  const alea: typeof seedrandom.alea;
  export default alea;
}
