// Peer server for scripts/loadbench: the npm package `qrcode` behind Node's http module,
// one process. GET /?text=... answers a 300 px PNG of `text`.
//
//   NODE_PATH=<cache>/node/node_modules node node-peer.js
// listens on 127.0.0.1 on a free port and prints "listening on http://127.0.0.1:PORT".
'use strict';
const http = require('http');
const QRCode = require('qrcode');

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://127.0.0.1');
  const text = url.searchParams.get('text');
  if (req.method !== 'GET' || url.pathname !== '/' || !text) {
    res.writeHead(400, { 'content-type': 'text/plain' });
    res.end('GET /?text=...\n');
    return;
  }
  QRCode.toBuffer(text, { type: 'png', width: 300 }, (err, png) => {
    if (err) {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(err) + '\n');
      return;
    }
    res.writeHead(200, { 'content-type': 'image/png', 'content-length': png.length });
    res.end(png);
  });
});
server.keepAliveTimeout = 15000;
server.listen(0, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
process.on('SIGTERM', () => process.exit(0));
