// A client pod calling a server through sidecars, with body sizes: the LoadGenerator's requestSize
// (300 bytes) and the Workload's responseSize (lognormal, median 800 bytes, p99 60 kB).
export const SIZED = `apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: sized}
spec: {duration: 20s, warmup: 2s}
---
apiVersion: v1
kind: Service
metadata: {name: server}
spec: {selector: {app: server}, ports: [{port: 8080}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: server}
spec:
  template:
    metadata: {labels: {app: server}}
    spec: {containers: [{name: s, image: s, ports: [{containerPort: 8080}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: client}
spec:
  template:
    metadata: {labels: {app: client}}
    spec: {containers: [{name: c, image: c}]}
---
apiVersion: meshsim.dev/v1alpha1
kind: Workload
metadata: {name: server}
spec: {selector: {app: server}, serviceTime: 2ms, responseSize: {dist: lognormal, median: 800, p99: 60000}}
---
apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: users}
spec: {from: client, target: "http://server:8080/", rate: 100, requestSize: 300}
`;
