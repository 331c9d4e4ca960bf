// A child process holding many Server-Sent Events subscribers (one socket each) to one URL,
// counting the events they receive. The parent asks over IPC: `report` answers the counts so far
// (and the delivery lags sampled since the last report), `stop` closes every stream and exits.
// The first stream of each process reads every event's record (its title carries the time of
// the POST) to sample delivery lag; the rest only count `event:` lines, as cheaply as possible.
import http from 'node:http';

const [url, countArg] = process.argv.slice(2);
const count = Number(countArg);
const PATTERN = '\nevent: ';
let events = 0;
let opened = 0;
let closed = 0;
let failed = 0;
let lags = [];
const requests = [];

function sampleLags(text) {
  // Each event's data line holds the record, whose title is "t=<ms since epoch> ...".
  const now = Date.now();
  for (const m of text.matchAll(/"title":"t=(\d+)/g)) lags.push(now - Number(m[1]));
}

function open(i) {
  const req = http.get(url, { agent: false, headers: { accept: 'text/event-stream' } }, (res) => {
    if (res.statusCode !== 200) {
      failed++;
      res.resume();
      process.send({ type: 'error', detail: `stream ${i}: ${res.statusCode}` });
      return;
    }
    res.setEncoding('utf8');
    let tail = '';
    let first = true;
    res.on('data', (chunk) => {
      if (first) {
        // The server's first comment: the stream is live.
        first = false;
        opened++;
        if (opened + failed === count) process.send({ type: 'ready', opened, failed });
      }
      const text = tail + chunk;
      for (let at = text.indexOf(PATTERN); at !== -1; at = text.indexOf(PATTERN, at + PATTERN.length))
        events++;
      tail = text.slice(-(PATTERN.length - 1));
      if (i === 0) sampleLags(chunk);
    });
    res.on('close', () => closed++);
  });
  req.on('error', () => {
    failed++;
    if (opened + failed === count) process.send({ type: 'ready', opened, failed });
  });
  requests.push(req);
}

// Open in small bursts, so the server's accept queue never overflows.
for (let i = 0; i < count; i++) {
  open(i);
  if (i % 50 === 49) await new Promise((r) => setTimeout(r, 20));
}

process.on('message', (message) => {
  if (message === 'report') {
    process.send({ type: 'report', events, opened, closed, failed, lags });
    lags = [];
  } else if (message === 'stop') {
    for (const req of requests) req.destroy();
    process.exit(0);
  }
});
