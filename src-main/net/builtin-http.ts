// node:http and node:https for code that loads with the gateway. Importing node:http as an ES
// module makes Node build its module namespace, which evaluates its lazy exports (WebSocket and
// friends) and so loads Node's bundled undici: ~3.5 MB of an idle gateway's RSS that nothing uses
// until the first model call (docs/testing.md, "Figures the code relies on").
// process.getBuiltinModule hands back the same modules without the namespace.
export const nodeHttp = process.getBuiltinModule('node:http');
export const nodeHttps = process.getBuiltinModule('node:https');
